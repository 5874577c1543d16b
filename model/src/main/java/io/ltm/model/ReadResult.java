package io.ltm.model;

import java.util.List;

/**
 * @param spans              attended spans of the long-term memory, strongest first (empty without long-term memory)
 * @param context            context vector (null unless requested); see {@link LongTermMemory#read}
 * @param shortTermHits      strongest short-term tokens, by weight
 * @param attentionHistogram D-bin attention mass of this read over [0,1] (not normalised), for sticky memories;
 *                           null when the memory is not sticky or had no long-term part
 */
public record ReadResult(
        List<Span> spans, float[] context, List<ShortTermHit> shortTermHits, double[] attentionHistogram) {}
