package io.ltm.topology.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ltm.model.AttentionHeadKind;
import io.ltm.model.CoefficientPrecision;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadOptions;
import io.ltm.model.ReadyMemory;
import io.ltm.model.ReadyMemoryCache;
import io.ltm.model.Timeline;
import io.ltm.model.TokenBatch;
import io.ltm.model.TokenSource;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MemoryStateCodecTest {

    private static MemoryConfig small() {
        return MemoryConfig.builder()
                .dim(16)
                .basisSize(128)
                .contractionLength(64)
                .samples(64)
                .stickyBins(32)
                .sticky(true)
                .temperature(0.002)
                .build();
    }

    private static float[] randn(int n, Random rng) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
        return v;
    }

    private static MemoryState grown(LongTermMemory ltm, MemoryConfig cfg, int batches, int count, Random rng) {
        MemoryState s = MemoryState.empty(cfg);
        for (int i = 0; i < batches; i++) {
            s = ltm.absorb(
                    s,
                    new TokenBatch(
                            randn(count * cfg.dim(), rng),
                            count,
                            null,
                            new TokenSource("in", 0, i, 1000L + i, "e" + i)));
        }
        return s;
    }

    private static double relativeError(float[] a, float[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (double) (a[i] - b[i]);
            den += b[i] * (double) b[i];
        }
        return Math.sqrt(num / den);
    }

    @Test
    void codecRoundTripAndDefaultSize() {
        MemoryConfig cfg = MemoryConfig.defaults();
        Random rng = new Random(6);
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = MemoryState.empty(cfg);
            for (int i = 0; i < 3; i++) {
                s = ltm.absorb(
                        s,
                        new TokenBatch(
                                randn(512 * 384, rng),
                                512,
                                java.util.Collections.nCopies(512, "word" + i),
                                new TokenSource("topic", 3, 1000 + i, 1_700_000_000_000L + i, "id" + i)));
                s = ltm.recordRead(s, ltm.read(s, randn(384, rng), 1, ReadOptions.defaults()));
            }
            s = ltm.absorb(
                    s, new TokenBatch(randn(100 * 384, rng), 100, null, new TokenSource("topic", 3, 9, 9, null)));
            byte[] lt = MemoryStateCodec.toBytes(s.withoutShortTerm(), cfg);
            byte[] full = MemoryStateCodec.toBytes(s, cfg);
            System.out.println("default config state bytes: long-term only " + lt.length
                    + ", with 100 short-term tokens " + full.length);
            // B at float16 (393,216 bytes) plus the term filter (262,144 bytes) plus knots and sources
            assertThat(lt.length).isLessThan(393_216 + 262_144 + 25_000);
            assertThat(full.length).isLessThan(1_000_000);
            MemoryState back = MemoryStateCodec.fromBytes(full, cfg);
            assertThat(back.tokensAbsorbed()).isEqualTo(s.tokensAbsorbed());
            assertThat(back.contractions()).isEqualTo(s.contractions());
            assertThat(back.timeline()).isEqualTo(s.timeline());
            assertThat(back.stickyHistogram()).isEqualTo(s.stickyHistogram());
            assertThat(back.shortTermSources()).isEqualTo(s.shortTermSources());
            assertThat(back.terms()).isEqualTo(s.terms());
            assertThat(back.terms().mayContain(0, "word0")).isTrue();
            assertThat(relativeError(back.coefficients(), s.coefficients())).isLessThan(1e-3); // float16
            // float32 is exact
            MemoryConfig c32 =
                    cfg.toBuilder().precision(CoefficientPrecision.FLOAT32).build();
            MemoryState exact = MemoryStateCodec.fromBytes(MemoryStateCodec.toBytes(s, c32), c32);
            assertThat(exact).isEqualTo(s);
            assertThatThrownBy(() -> MemoryStateCodec.fromBytes(full, small()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /**
     * The node keeps the timeline of the state it wrote as the record's own (DecodedLongTerm): merged segments, sources
     * of unknown origin and segments of one record must all read back equal.
     */
    @Test
    void aTimelineReadsBackFromItsRecordAsItWasWritten() {
        MemoryConfig cfg = small().toBuilder().maxSourceSegments(8).build();
        Random rng = new Random(9);
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = MemoryState.empty(cfg);
            for (int i = 0; i < 40; i++) {
                TokenSource src = i % 7 == 3
                        ? null
                        : new TokenSource(
                                i % 5 == 0 ? "other" : "events",
                                i % 5 == 0 ? 1 : 0,
                                500 + i,
                                1_700_000_000_123L + i,
                                i % 2 == 0 ? null : "id" + i);
                s = ltm.absorb(s, new TokenBatch(randn(20 * cfg.dim(), rng), 20, null, src));
            }
            MemoryState longTerm = s.withoutShortTerm();
            Timeline tl = longTerm.timeline();
            assertThat(tl.segmentCount()).isBetween(4, 8);
            boolean merged = false, unknown = false, single = false;
            for (int i = 0; i < tl.segmentCount(); i++) {
                merged |= !tl.segmentLastSource(i).equals(tl.segmentSource(i));
                single |= tl.segmentLastSource(i).equals(tl.segmentSource(i));
                unknown |= tl.segmentSource(i).equals(TokenSource.UNKNOWN);
            }
            assertThat(merged).as("segments merged").isTrue();
            assertThat(single).as("segments of one record").isTrue();
            assertThat(unknown).as("sources unknown").isTrue();
            io.ltm.schemas.MemoryState record = MemoryStateCodec.toAvro(longTerm, cfg);
            assertThat(MemoryStateCodec.timeline(record)).isEqualTo(longTerm.timeline());
        }
    }

    @Test
    void emptyStateRoundTripsThroughAvro() {
        MemoryConfig cfg = small();
        MemoryState e = MemoryState.empty(cfg);
        io.ltm.schemas.MemoryState a = MemoryStateCodec.toAvro(e, cfg);
        assertThat(a.getCoefficients()).isNull();
        assertThat(a.getShortTerm()).isNull();
        assertThat(MemoryStateCodec.fromAvro(a, cfg)).isEqualTo(e);
        assertThat(MemoryStateCodec.fromBytes(MemoryStateCodec.toBytes(e, cfg), cfg))
                .isEqualTo(e);
        assertThat(MemoryStateCodec.version(a).rows()).isZero();
    }

    @Test
    void aStoredStateIsRecognisedWithoutDecodingAndItsBCanBeTheCachedOne() {
        // B as one base: a record that holds B whole is the version of a state whose log has no deltas
        MemoryConfig cfg =
                small().toBuilder().sticky(false).coefficientDeltas(0).build();
        MemoryConfig cfg32 =
                cfg.toBuilder().precision(CoefficientPrecision.FLOAT32).build();
        Random rng = new Random(13);
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            ReadyMemoryCache cache = new ReadyMemoryCache(1L << 30);
            ltm.setReadyCache(cache);
            MemoryState v1 = grown(ltm, cfg, 1, 64, rng);
            float[] q = randn(cfg.dim(), rng);
            ReadOptions o = new ReadOptions(2, true, false, AttentionHeadKind.ZERO_SHOT);
            ltm.read("k", v1, q, 1, o);
            ReadyMemory r1 = cache.get("k", v1, s -> {
                throw new AssertionError("must be cached");
            });
            // a state decoded from the store (float16 B) is another version than the float32 one; decoded again
            // (a fresh array with the same values) it is the cached one
            MemoryState d1 = MemoryStateCodec.fromBytes(MemoryStateCodec.toBytes(v1, cfg), cfg);
            MemoryState d2 = MemoryStateCodec.fromBytes(MemoryStateCodec.toBytes(v1, cfg), cfg);
            assertThat(r1.isFor(d1)).isFalse();
            ltm.read("k", d1, q, 1, o);
            long misses = cache.misses();
            ltm.read("k", d2, q, 1, o);
            assertThat(cache.misses()).isEqualTo(misses);

            MemoryState v2 = ltm.absorb(v1, new TokenBatch(randn(64 * cfg.dim(), rng), 64, null, null));
            io.ltm.schemas.MemoryState stored = MemoryStateCodec.toAvro(v2, cfg);
            io.ltm.schemas.MemoryState stored32 = MemoryStateCodec.toAvro(v2, cfg32);
            ReadyMemory r2f16 = ltm.ready(MemoryStateCodec.fromAvro(stored, cfg));
            assertThat(r2f16.isFor(MemoryStateCodec.version(stored))).isTrue();
            assertThat(r1.isFor(MemoryStateCodec.version(stored))).isFalse();
            assertThat(ltm.ready(v2).isFor(MemoryStateCodec.version(stored32))).isTrue();
            // float16 B is another B than the float32 one
            assertThat(ltm.ready(v2).isFor(MemoryStateCodec.version(stored))).isFalse();
            MemoryState shared = MemoryStateCodec.fromAvro(stored, cfg, r2f16.coefficientLog());
            assertThat(shared).isEqualTo(MemoryStateCodec.fromAvro(stored, cfg));
            assertThat(r2f16.isFor(shared)).isTrue();

            ltm.read("k", v2, q, 1, o);
            assertThat(cache.find("k", MemoryStateCodec.version(stored32))).isSameAs(cache.get("k", v2, s -> null));
            // a forgotten key that grew again to the same counters is another memory
            MemoryState other = grown(ltm, cfg, 2, 64, new Random(99)).withUpdatedAt(v2.updatedAt());
            assertThat(other.contractions()).isEqualTo(v2.contractions());
            assertThat(cache.find("k", MemoryStateCodec.version(MemoryStateCodec.toAvro(other, cfg32))))
                    .isNull();
        }
    }
}
