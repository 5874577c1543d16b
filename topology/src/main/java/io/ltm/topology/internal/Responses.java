package io.ltm.topology.internal;

import io.ltm.model.AttentionHeadKind;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadOptions;
import io.ltm.model.ReadResult;
import io.ltm.model.ShortTermHit;
import io.ltm.model.Span;
import io.ltm.schemas.AttendedSpan;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.MemoryStats;
import io.ltm.schemas.QueryOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Mapping between the model's read results and the wire's {@link MemoryResponse}; shared by node and worker. */
public final class Responses {

    public static final String BY_NODE = "memory-node";
    public static final String BY_WORKER = "attention-worker";
    public static final String BY_ENCODER = "encode-worker";

    private Responses() {}

    public static ReadOptions options(QueryOptions o, int maxSpans) {
        if (o.getSpans() < 1 || o.getSpans() > maxSpans) {
            throw new InvalidInputException("spans must be between 1 and " + maxSpans + ", got " + o.getSpans());
        }
        return new ReadOptions(
                o.getSpans(),
                o.getIncludeContext(),
                o.getIncludeShortTerm(),
                AttentionHeadKind.valueOf(o.getHead().name()));
    }

    public static MemoryResponse notFound(MemoryQuery q, String by, long now) {
        return MemoryResponse.newBuilder()
                .setQueryId(q.getQueryId())
                .setKey(q.getKey())
                .setFound(false)
                .setError("no memory for key '" + q.getKey() + "' (never written, or forgotten)")
                .setAnsweredBy(by)
                .setAnsweredAt(Instant.ofEpochMilli(now))
                .build();
    }

    public static MemoryResponse error(String queryId, String key, String message, String by, long now) {
        return MemoryResponse.newBuilder()
                .setQueryId(queryId)
                .setKey(key == null ? "" : key)
                .setFound(false)
                .setError(message)
                .setAnsweredBy(by)
                .setAnsweredAt(Instant.ofEpochMilli(now))
                .build();
    }

    public static MemoryStats stats(MemoryState s, long stateBytes) {
        return MemoryStats.newBuilder()
                .setTokensAbsorbed(s.tokensAbsorbed())
                .setContractions(s.contractions())
                .setShortTermTokens(s.shortTermCount())
                .setStateBytes(stateBytes)
                .build();
    }

    public static MemoryResponse answer(MemoryQuery q, ReadResult r, MemoryStats stats, String by, long now) {
        List<AttendedSpan> spans = new ArrayList<>(r.spans().size());
        for (Span s : r.spans()) {
            spans.add(AttendedSpan.newBuilder()
                    .setMu(s.mu())
                    .setSigma(s.sigma())
                    .setScore(s.score())
                    .setWeight(s.weight())
                    .setTokenStart(s.tokenStart())
                    .setTokenEnd(s.tokenEnd())
                    .setFrom(Sources.toWire(s.from()))
                    .setTo(Sources.toWire(s.to()))
                    .setTermMatch(s.termMatch())
                    .build());
        }
        List<io.ltm.schemas.ShortTermHit> hits =
                new ArrayList<>(r.shortTermHits().size());
        for (ShortTermHit h : r.shortTermHits()) {
            hits.add(io.ltm.schemas.ShortTermHit.newBuilder()
                    .setTokenIndex(h.tokenIndex())
                    .setScore(h.score())
                    .setWeight(h.weight())
                    .setToken(h.token())
                    .setSource(Sources.toWire(h.source()))
                    .build());
        }
        List<Float> context = null;
        if (r.context() != null) {
            context = new ArrayList<>(r.context().length);
            for (float f : r.context()) {
                context.add(f);
            }
        }
        return MemoryResponse.newBuilder()
                .setQueryId(q.getQueryId())
                .setKey(q.getKey())
                .setFound(true)
                .setSpans(spans)
                .setShortTermHits(hits)
                .setContext(context)
                .setStats(stats)
                .setAnsweredBy(by)
                .setAnsweredAt(Instant.ofEpochMilli(now))
                .build();
    }
}
