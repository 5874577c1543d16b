package io.ltm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Engine behaviour: timeline, sources, spans, short-term memory, batching, codec, leaks. */
class EngineTest {
    static final int D = 16;

    static MemoryConfig small(boolean sticky) {
        return MemoryConfig.builder()
                .dim(D)
                .basisSize(128)
                .contractionLength(64)
                .samples(64)
                .stickyBins(32)
                .sticky(sticky)
                .temperature(0.002)
                .build();
    }

    static float[] constant(float[] v, int count) {
        float[] x = new float[count * v.length];
        for (int i = 0; i < count; i++) System.arraycopy(v, 0, x, i * v.length, v.length);
        return x;
    }

    static float[] unit(int k) {
        float[] v = new float[D];
        v[k] = 1f;
        return v;
    }

    @Test
    void timelineIsMonotoneBoundedAndMapsSources() {
        for (boolean sticky : new boolean[] {false, true}) {
            MemoryConfig cfg = small(sticky).toBuilder()
                    .maxTimelineKnots(24)
                    .maxSourceSegments(40)
                    .build();
            Random rng = new Random(2);
            try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
                MemoryState s = MemoryState.empty(cfg);
                for (int i = 0; i < 60; i++) {
                    int count = 10 + rng.nextInt(50);
                    s = ltm.absorb(
                            s,
                            new TokenBatch(
                                    MathPropertiesTest.randn(count * D, rng),
                                    count,
                                    null,
                                    new TokenSource("in", 0, i, 1000L + i, "e" + i)));
                    if (s.hasLongTerm())
                        s = ltm.recordRead(s, ltm.read(s, MathPropertiesTest.randn(D, rng), 1, ReadOptions.defaults()));
                    Timeline tl = s.timeline();
                    assertThat(tl.knotCount()).isLessThanOrEqualTo(24);
                    assertThat(tl.segmentCount()).isLessThanOrEqualTo(40);
                    for (int k = 1; k < tl.knotCount(); k++) {
                        assertThat(tl.knotPosition(k)).isGreaterThan(tl.knotPosition(k - 1));
                        assertThat(tl.knotToken(k)).isGreaterThanOrEqualTo(tl.knotToken(k - 1));
                    }
                    if (s.hasLongTerm()) {
                        assertThat(tl.tokenAt(1.0)).isEqualTo(s.longTermTokens() - 1.0);
                        assertThat(tl.tokenAt(0.0)).isBetween(0.0, (double) s.longTermTokens());
                        if (!sticky) assertThat(tl.tokenAt(0.0)).isLessThan(64.0);
                    }
                }
                // the newest sources are exact
                assertThat(s.timeline().sourceOf(s.tokensAbsorbed() - 1).sourceId())
                        .isEqualTo("e59");
                assertThat(s.shortTermSources()).hasSize(s.shortTermCount());
                if (s.shortTermCount() > 0)
                    assertThat(s.shortTermSources().get(s.shortTermCount() - 1).sourceId())
                            .isEqualTo("e59");
            }
        }
    }

    @Test
    void aQuestionWhoseAnswerLiesInTwoPlacesGetsBothSpans() {
        // within one segment (same age): the raw-coefficient keys (with a small T) find both places
        MemoryConfig cfg = small(false).toBuilder().cosineKeys(false).build();
        Random rng = new Random(4);
        float[] a = unit(3);
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = MemoryState.empty(cfg);
            float[] x = MathPropertiesTest.randn(64 * D, rng);
            for (int i = 0; i < 64; i++) {
                x[i * D + 3] = 0;
                if ((i >= 8 && i < 20) || (i >= 40 && i < 52)) System.arraycopy(a, 0, x, i * D, D);
            }
            s = ltm.absorb(s, new TokenBatch(x, 64, null, new TokenSource("in", 1, 0, 0, "seg0")));
            ReadResult r = ltm.read(s, a, 1, new ReadOptions(2, true, true, AttentionHeadKind.ZERO_SHOT));
            System.out.println("two places, one segment: " + r.spans());
            assertThat(r.spans()).hasSize(2);
            List<Long> mids = new ArrayList<>();
            for (Span sp : r.spans()) {
                assertThat(sp.score()).isGreaterThan(0.5);
                mids.add((sp.tokenStart() + sp.tokenEnd()) / 2);
            }
            mids.sort(null);
            assertThat(mids.get(0)).isBetween(6L, 22L);
            assertThat(mids.get(1)).isBetween(38L, 54L);
            assertThat(r.context()).hasSize(D);
            assertThat(r.attentionHistogram()).isNull(); // not sticky
        }
        // across segments of different age: cosine keys find both segments
        MemoryConfig cos = cfg.toBuilder().cosineKeys(true).temperature(0.2).build();
        try (LongTermMemory ltm = LongTermMemory.create(cos)) {
            MemoryState s = MemoryState.empty(cos);
            for (int seg = 0; seg < 3; seg++) {
                float[] x = seg % 2 == 0 ? constant(a, 64) : MathPropertiesTest.randn(64 * D, rng);
                if (seg % 2 == 1) for (int i = 0; i < 64; i++) x[i * D + 3] = 0;
                s = ltm.absorb(s, new TokenBatch(x, 64, null, new TokenSource("in", 1, seg, 0, "seg" + seg)));
            }
            ReadResult r = ltm.read(s, a, 1, new ReadOptions(2, true, true, AttentionHeadKind.ZERO_SHOT));
            System.out.println("two places, two segments (cosine keys): " + r.spans());
            List<String> where = new ArrayList<>();
            for (Span sp : r.spans())
                where.add(s.timeline()
                        .sourceOf((sp.tokenStart() + sp.tokenEnd()) / 2)
                        .sourceId());
            assertThat(where).containsExactlyInAnyOrder("seg0", "seg2");
        }
    }

    @Test
    void shortTermMemoryIsExactAndReadable() {
        MemoryConfig cfg = small(true);
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = MemoryState.empty(cfg);
            float[] x = new float[3 * D];
            x[0] = 1;
            x[D + 5] = 1;
            x[2 * D + 7] = 1;
            s = ltm.absorb(s, new TokenBatch(x, 3, List.of("a", "b", "c"), new TokenSource("t", 2, 42, 7, null)));
            assertThat(s.hasLongTerm()).isFalse();
            assertThat(s.shortTermVectors()).isEqualTo(x);
            assertThat(s.shortTermTokens()).containsExactly("a", "b", "c");
            ReadResult r = ltm.read(s, unit(5), 1, new ReadOptions(1, true, true, AttentionHeadKind.ZERO_SHOT));
            assertThat(r.spans()).isEmpty();
            assertThat(r.shortTermHits()).hasSize(1);
            ShortTermHit h = r.shortTermHits().get(0);
            assertThat(h.token()).isEqualTo("b");
            assertThat(h.tokenIndex()).isEqualTo(1);
            assertThat(h.score()).isCloseTo(1.0, offset(1e-6));
            assertThat(h.source().offset()).isEqualTo(42);
            assertThat(r.context()).hasSize(D);
            // withoutShortTerm / withShortTerm round trip
            MemoryState lt = s.withoutShortTerm();
            assertThat(lt.tokensAbsorbed()).isZero();
            MemoryState back = lt.withShortTerm(x, 3, List.of("a", "b", "c"), s.shortTermSources());
            assertThat(back.tokensAbsorbed()).isEqualTo(3);
            assertThat(back.shortTermSources()).isEqualTo(s.shortTermSources());
            assertThat(back.shortTermVectors()).isEqualTo(x);
            // a kept array longer than the buffer: the state is the same, and writes beyond it do not change it
            float[] longer = java.util.Arrays.copyOf(x, 5 * D);
            MemoryState kept = lt.withShortTermKept(longer, 3, List.of("a", "b", "c"), s.shortTermSources());
            longer[3 * D] = 9;
            assertThat(kept).isEqualTo(back).hasSameHashCodeAs(back);
            assertThat(kept.shortTermVectors()).isEqualTo(x);
            ReadOptions options = new ReadOptions(1, true, true, AttentionHeadKind.ZERO_SHOT);
            ReadResult fromKept = ltm.read(kept, unit(5), 1, options), fromCopy = ltm.read(back, unit(5), 1, options);
            assertThat(fromKept.shortTermHits()).isEqualTo(fromCopy.shortTermHits());
            assertThat(fromKept.context()).isEqualTo(fromCopy.context());
            MemoryState grown = ltm.absorb(kept, new TokenBatch(new float[D], 1, List.of("d"), null));
            assertThat(grown.shortTermCount()).isEqualTo(4);
            assertThat(java.util.Arrays.copyOf(grown.shortTermVectors(), 3 * D)).isEqualTo(x);
        }
    }

    @Test
    void trainedHeadWithoutWeightsFailsClearly() {
        MemoryConfig cfg = small(false);
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = ltm.absorb(MemoryState.empty(cfg), new TokenBatch(new float[64 * D], 64, null, null));
            assertThatThrownBy(() ->
                            ltm.read(s, new float[D], 1, new ReadOptions(1, false, false, AttentionHeadKind.TRAINED)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("TrainedHeadWeights");
        }
    }

    @Test
    void batchedReadsEqualSingleReads() {
        MemoryConfig cfg = small(true);
        Random rng = new Random(8);
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            List<ReadRequest> reqs = new ArrayList<>();
            for (int k = 0; k < 5; k++) {
                MemoryState s = MemoryState.empty(cfg);
                s = ltm.absorb(
                        s,
                        new TokenBatch(
                                MathPropertiesTest.randn((64 * (k % 3) + 10) * D, rng), 64 * (k % 3) + 10, null, null));
                reqs.add(new ReadRequest(
                        s,
                        MathPropertiesTest.randn(2 * D, rng),
                        2,
                        new ReadOptions(1 + k % 3, true, true, AttentionHeadKind.ZERO_SHOT)));
            }
            List<ReadResult> batch = ltm.readBatch(reqs);
            for (int k = 0; k < reqs.size(); k++) {
                ReadRequest q = reqs.get(k);
                ReadResult one = ltm.read(q.state(), q.query(), q.queryCount(), q.options());
                ReadResult b = batch.get(k);
                assertThat(b.spans()).hasSameSizeAs(one.spans());
                for (int j = 0; j < one.spans().size(); j++) {
                    assertThat(b.spans().get(j).mu())
                            .isCloseTo(one.spans().get(j).mu(), offset(1e-5));
                    assertThat(b.spans().get(j).score())
                            .isCloseTo(one.spans().get(j).score(), offset(1e-4));
                }
                assertThat(b.shortTermHits()).hasSameSizeAs(one.shortTermHits());
                if (one.context() != null)
                    for (int j = 0; j < D; j++) assertThat(b.context()[j]).isCloseTo(one.context()[j], offset(1e-4f));
            }
        }
    }

    @Test
    void noNDArrayLeaksOverALongLoop() {
        MemoryConfig cfg = small(true);
        Random rng = new Random(1);
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            NDManager m = ltm.manager();
            MemoryState s = MemoryState.empty(cfg);
            int warm = -1;
            for (int i = 0; i < 200; i++) {
                s = ltm.absorb(s, new TokenBatch(MathPropertiesTest.randn(40 * D, rng), 40, null, null));
                List<ReadRequest> reqs = List.of(
                        new ReadRequest(
                                s,
                                MathPropertiesTest.randn(D, rng),
                                1,
                                new ReadOptions(2, true, true, AttentionHeadKind.ZERO_SHOT)),
                        new ReadRequest(s, MathPropertiesTest.randn(D, rng), 1, ReadOptions.defaults()));
                for (ReadResult r : ltm.readBatch(reqs)) s = ltm.recordRead(s, r);
                if (i == 20) warm = m.getManagedArrays().size();
            }
            assertThat(m.getManagedArrays().size()).isEqualTo(warm);
            assertThat(warm).isLessThan(20);
        }
    }

    @Test
    void configValidatesAndPrints() {
        assertThat(MemoryConfig.defaults().toString()).contains("N=512", "tau=0.5", "FLOAT16");
        assertThat(MemoryConfig.builder().basisSize(511).build().basisSize()).isEqualTo(512);
        assertThatThrownBy(() -> MemoryConfig.builder().tau(1.0).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MemoryConfig.builder().widths().build()).isInstanceOf(IllegalArgumentException.class);
        // the rejection names the setting, so that a configuration layer can name its own key for it
        assertThatThrownBy(() -> MemoryConfig.builder().ridgePenalty(0).build())
                .isInstanceOfSatisfying(
                        MemoryConfig.InvalidSetting.class,
                        e -> assertThat(e.setting()).isEqualTo("ridgePenalty"));
    }
}
