package io.ltm.topology.internal;

import io.ltm.model.TermFilter;
import io.ltm.model.Timeline;
import io.ltm.model.TokenSource;
import io.ltm.schemas.MemoryState;
import io.ltm.schemas.TimelineKnot;
import io.ltm.topology.codec.CoefficientRecords;
import io.ltm.topology.codec.MemoryStateCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Interactive queries of a key's memory statistics and timeline from the local stores of a running node. */
public final class KeyInspector {

    private KeyInspector() {}

    /**
     * The term filter's geometry and saturation (null when the key keeps none): segments in use, tokens per segment,
     * bytes, and the chance that a word a segment never held matches it anyway.
     */
    private static Map<String, Object> termFilter(KafkaStreams streams, String key, MemoryState s) {
        if (s == null || s.getTerms() == null) return null;
        ReadOnlyKeyValueStore<String, byte[]> segments = streams.store(
                StoreQueryParameters.fromNameAndType(Names.STORE_TERMS, QueryableStoreTypes.keyValueStore()));
        MemoryState whole = MemoryStateCodec.withTermBits(s, i -> segments.get(RecordKeys.of(key, i)));
        if (whole == null) return null; // the segments of this version are not all here yet
        TermFilter f = MemoryStateCodec.termFilter(whole);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("segmentsUsed", f.used());
        m.put("segmentTokens", f.segmentTokens());
        m.put("bytes", f.bytes());
        m.put("falsePositiveRate", f.falsePositiveRate());
        return m;
    }

    /** The bytes of the records that keep the key's B apart (its base and deltas). */
    private static long coefficientRecordBytes(KafkaStreams streams, String key) {
        ReadOnlyKeyValueStore<String, byte[]> records = streams.store(
                StoreQueryParameters.fromNameAndType(Names.STORE_COEFFICIENTS, QueryableStoreTypes.keyValueStore()));
        long bytes = 0;
        try (var it = records.range(RecordKeys.from(key), RecordKeys.to(key))) {
            while (it.hasNext()) bytes += it.next().value.length;
        }
        return bytes;
    }

    /** Statistics and timeline of one key, from this instance's stores. */
    public static Map<String, Object> describe(KafkaStreams streams, String key, String host) {
        ReadOnlyKeyValueStore<String, MemoryState> memory = streams.store(
                StoreQueryParameters.fromNameAndType(Names.STORE_MEMORY, QueryableStoreTypes.keyValueStore()));
        ReadOnlyKeyValueStore<String, ShortTermIndex> index = streams.store(StoreQueryParameters.fromNameAndType(
                Names.STORE_SHORT_TERM_INDEX, QueryableStoreTypes.keyValueStore()));
        MemoryState s = memory.get(key);
        ShortTermIndex idx = index.get(key);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", key);
        out.put("host", host);
        out.put("found", s != null || (idx != null && idx.tokens() > 0));
        int shortTerm = idx == null ? 0 : idx.tokens();
        out.put("tokensAbsorbed", (s == null ? 0 : s.getTokensAbsorbed()) + shortTerm);
        out.put("contractions", s == null ? 0 : s.getContractions());
        out.put("updatedAt", s == null ? null : s.getUpdatedAt().toString());
        out.put("shortTermTokens", shortTerm);
        out.put(
                "longTermBytes",
                s == null || s.getCoefficients() == null
                        ? coefficientRecordBytes(streams, key)
                        : s.getCoefficients().getData().remaining());
        out.put("coefficientDeltas", Math.max(0, CoefficientRecords.count(s) - 1));
        out.put("termFilter", termFilter(streams, key, s));
        List<Map<String, Object>> timeline = new ArrayList<>();
        if (s != null) {
            for (TimelineKnot k : s.getTimeline()) {
                timeline.add(Map.of("t", k.getT(), "tokenIndex", k.getTokenIndex()));
            }
        }
        out.put("timeline", timeline);
        List<Map<String, Object>> sources = new ArrayList<>();
        if (s != null) {
            Timeline tl = MemoryStateCodec.timeline(s);
            for (int i = 0; i < tl.segmentCount(); i++) {
                TokenSource src = tl.segmentSource(i);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("firstToken", tl.segmentFirstToken(i));
                m.put("topic", src.topic());
                m.put("partition", src.partition());
                m.put("offset", src.offset());
                m.put("timestamp", Instant.ofEpochMilli(src.timestamp()).toString());
                sources.add(m);
            }
        }
        out.put("sources", sources);
        return out;
    }
}
