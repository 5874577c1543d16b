package io.ltm.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Zero-shot retrieval with the default head settings (cosine keys, calibrated temperature, mode spans) on synthetic
 * topic vectors: a stream of 64-token chunks, each about one of 16 random topic directions (token = topic + noise of
 * the same norm, unit length). With the pre-evaluation defaults (raw coefficient keys, T = 1) the profile was flat and
 * every answer was the same span μ = 0.5 ± 0.287, wider than half the stream: this test failed.
 */
class RetrievalQualityTest {
    static final int D = 64, CHUNK = 64, TOPICS = 16;

    /** Defaults of the head; a small memory so that the stream goes through many contractions quickly. */
    static MemoryConfig config(RetentionPolicy retention) {
        return MemoryConfig.builder()
                .dim(D)
                .basisSize(256)
                .contractionLength(128)
                .samples(128)
                .stickyBins(64)
                .retention(retention)
                .build();
    }

    static float[][] topics(Random rng) {
        float[][] t = new float[TOPICS][];
        for (int k = 0; k < TOPICS; k++) t[k] = unit(MathPropertiesTest.randn(D, rng));
        return t;
    }

    static float[] unit(float[] v) {
        double n = 0;
        for (float x : v) n += x * x;
        float[] u = new float[v.length];
        for (int i = 0; i < v.length; i++) u[i] = (float) (v[i] / Math.sqrt(n));
        return u;
    }

    /** count tokens about topic t: unit(t + noise), noise ~ N(0, I/d) (norm ≈ 1). */
    static float[] tokens(float[] topic, int count, Random rng) {
        float[] x = new float[count * D];
        for (int i = 0; i < count; i++) {
            float[] v = new float[D];
            for (int j = 0; j < D; j++) v[j] = topic[j] + (float) (rng.nextGaussian() / Math.sqrt(D));
            System.arraycopy(unit(v), 0, x, i * D, D);
        }
        return x;
    }

    /**
     * Streams chunks; chunk i is about topic plan[i] (topics 0 and 1 only where the plan says so, the others cycle
     * over 2..15). Returns the state; chunk i holds tokens [i·64, (i+1)·64).
     */
    static MemoryState stream(LongTermMemory ltm, MemoryConfig cfg, float[][] topics, int[] plan, Random rng) {
        MemoryState s = MemoryState.empty(cfg);
        for (int i = 0; i < plan.length; i++) {
            s = ltm.absorb(
                    s,
                    new TokenBatch(
                            tokens(topics[plan[i]], CHUNK, rng),
                            CHUNK,
                            null,
                            new TokenSource("t", 0, i, 0, "chunk" + i)));
        }
        return s;
    }

    static int[] plan(int chunks, int[] special, int[] topic) {
        int[] p = new int[chunks];
        for (int i = 0; i < chunks; i++) p[i] = 2 + i % (TOPICS - 2);
        for (int k = 0; k < special.length; k++) p[special[k]] = topic[k];
        return p;
    }

    static boolean overlaps(Span s, int chunk) {
        long a = (long) chunk * CHUNK, b = a + CHUNK;
        return s.tokenStart() < b && Math.max(s.tokenEnd(), s.tokenStart() + 1) > a;
    }

    @Test
    void aTopicSeenOnceEarlyIsFoundAfterManyContractions() {
        for (RetentionPolicy retention : RetentionPolicy.values()) {
            MemoryConfig cfg = config(retention);
            Random rng = new Random(11);
            float[][] topics = topics(rng);
            // UNIFORM: 48 chunks (3072 tokens, 23 contractions), topic 0 once at chunk 3 (tokens 192-256).
            // RECENCY keeps a share τ^k of [0,1] for content k contractions old: 16 chunks (7 contractions), topic 0 at
            // chunk 3.
            int chunks = retention == RetentionPolicy.UNIFORM ? 48 : 16;
            try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
                MemoryState s = stream(ltm, cfg, topics, plan(chunks, new int[] {3}, new int[] {0}), rng);
                assertThat(s.contractions()).isGreaterThanOrEqualTo(7);
                float[] q = tokens(topics[0], 4, rng);
                ReadResult r = ltm.read(s, q, 4, new ReadOptions(1, false, false, AttentionHeadKind.ZERO_SHOT));
                Span top = r.spans().get(0);
                System.out.println(retention + " once-early topic: " + top + " of " + s.longTermTokens() + " tokens");
                assertThat(overlaps(top, 3))
                        .as("top span overlaps chunk 3: %s", top)
                        .isTrue();
                assertThat(top.tokenEnd() - top.tokenStart()).as("width").isLessThan(s.longTermTokens() / 4);
                assertThat(top.score()).isGreaterThan(0.45);
                // an unrelated question (a direction of no topic) scores low
                float[] unrelated = tokens(unit(MathPropertiesTest.randn(D, new Random(99))), 4, rng);
                ReadResult u = ltm.read(s, unrelated, 4, new ReadOptions(1, false, false, AttentionHeadKind.ZERO_SHOT));
                System.out.println(retention + " unrelated: " + u.spans().get(0));
                assertThat(u.spans().get(0).score()).isLessThan(0.3).isLessThan(top.score() - 0.25);
            }
        }
    }

    @Test
    void aTwoPlaceQuestionGetsBothPlaces() {
        MemoryConfig cfg = config(RetentionPolicy.UNIFORM);
        Random rng = new Random(5);
        float[][] topics = topics(rng);
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            // topic 1 at chunks 6 and 30 of 40 (2560 tokens, 19 contractions)
            MemoryState s = stream(ltm, cfg, topics, plan(40, new int[] {6, 30}, new int[] {1, 1}), rng);
            float[] q = tokens(topics[1], 4, rng);
            ReadResult r = ltm.read(s, q, 4, new ReadOptions(2, false, false, AttentionHeadKind.ZERO_SHOT));
            System.out.println("two places: " + r.spans());
            assertThat(r.spans()).hasSize(2);
            List<Integer> found = new ArrayList<>();
            for (Span sp : r.spans()) {
                assertThat(sp.tokenEnd() - sp.tokenStart()).isLessThan(s.longTermTokens() / 4);
                assertThat(sp.score()).isGreaterThan(0.5);
                if (overlaps(sp, 6)) found.add(6);
                else if (overlaps(sp, 30)) found.add(30);
            }
            assertThat(found).containsExactlyInAnyOrder(6, 30);
        }
    }

    @Test
    void shortTermWeightsArePeakedOnTheCosineScale() {
        MemoryConfig cfg = config(RetentionPolicy.RECENCY);
        Random rng = new Random(3);
        float[][] topics = topics(rng);
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            // 100 tokens, only the short-term buffer: 10 about topic 0 among 90 about other topics
            MemoryState s = MemoryState.empty(cfg);
            for (int i = 0; i < 10; i++) {
                int t = i == 4 ? 0 : 2 + i;
                s = ltm.absorb(s, new TokenBatch(tokens(topics[t], 10, rng), 10, null, null));
            }
            ReadResult r = ltm.read(
                    s, tokens(topics[0], 1, rng), 1, new ReadOptions(10, false, true, AttentionHeadKind.ZERO_SHOT));
            double w = 0;
            for (ShortTermHit h : r.shortTermHits()) {
                assertThat(h.tokenIndex()).isBetween(40L, 49L);
                w += h.weight();
            }
            System.out.println("short-term weight on the 10 topic tokens: " + w);
            assertThat(w).isGreaterThan(0.9); // raw x·q/(√d·T), T = 1: each of 100 tokens got ≈ 0.01
        }
    }
}
