package io.ltm.topology.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.ltm.model.AttentionHeadKind;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadOptions;
import io.ltm.model.ReadRequest;
import io.ltm.model.ReadResult;
import io.ltm.model.Span;
import io.ltm.model.TokenBatch;
import io.ltm.model.TokenSource;
import io.ltm.model.internal.Basis;
import io.ltm.model.internal.ExpectedPsi;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The attention bench's bound: the bytes a call's reads must touch, each distinct memory version's once. */
class AttentionBenchTest {
    private static final int DIM = 16;
    private static final ReadOptions OPTIONS = new ReadOptions(2, false, true, AttentionHeadKind.ZERO_SHOT);

    @Test
    void eachVersionsKeysAndTheRowsUnderItsSpansCountOnce() {
        MemoryConfig cfg = MemoryConfig.builder().dim(DIM).build();
        Random rnd = new Random(2);
        ExpectedPsi psi = new ExpectedPsi(Basis.of(cfg.basisSize(), cfg.widths()));
        long keyBytes = 1000;
        try (LongTermMemory engine = LongTermMemory.create(cfg, Device.cpu())) {
            MemoryState a = grown(engine, cfg, rnd), b = grown(engine, cfg, rnd);
            ReadRequest a1 = request("a", a, rnd), a2 = request("a", a, rnd), b1 = request("b", b, rnd);

            List<ReadRequest> one = List.of(a1);
            List<ReadResult> oneRead = engine.readBatch(one);
            long[] single = AttentionBench.touched(one, oneRead, psi, keyBytes, DIM);
            assertThat(single[0]).isEqualTo(keyBytes);
            assertThat(single[1]).isEqualTo(4L * DIM * rows(oneRead.get(0).spans(), psi, cfg.basisSize()));
            assertThat(single[1]).isPositive().isLessThan(4L * DIM * cfg.basisSize());

            // the same read twice touches the same bytes; a second version adds its keys and its rows
            List<ReadRequest> twice = List.of(a1, a1);
            assertThat(AttentionBench.touched(twice, engine.readBatch(twice), psi, keyBytes, DIM))
                    .containsExactly(single);
            List<ReadRequest> three = List.of(a1, a2, b1);
            List<ReadResult> reads = engine.readBatch(three);
            long[] both = AttentionBench.touched(three, reads, psi, keyBytes, DIM);
            assertThat(both[0]).isEqualTo(2 * keyBytes);
            long rowsOfA = rows(
                    java.util.stream.Stream.concat(reads.get(0).spans().stream(), reads.get(1).spans().stream())
                            .toList(),
                    psi,
                    cfg.basisSize());
            assertThat(both[1])
                    .isEqualTo(4L * DIM * (rowsOfA + rows(reads.get(2).spans(), psi, cfg.basisSize())));
        }
    }

    @Test
    void readsThatTouchMoreThanTheBoundCountsAreRefused() {
        MemoryConfig cfg = MemoryConfig.builder().dim(DIM).build();
        Random rnd = new Random(3);
        ExpectedPsi psi = new ExpectedPsi(Basis.of(cfg.basisSize(), cfg.widths()));
        try (LongTermMemory engine = LongTermMemory.create(cfg, Device.cpu())) {
            MemoryState a = grown(engine, cfg, rnd);
            List<ReadRequest> withContext = List.of(new ReadRequest(
                    "a", a, vectors(rnd, 2), 2, new ReadOptions(1, true, true, AttentionHeadKind.ZERO_SHOT)));
            assertThatThrownBy(() -> AttentionBench.touched(withContext, engine.readBatch(withContext), psi, 1, DIM))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    /** The rows of B where E[ψ] of at least one of the spans is not 0. */
    private static long rows(List<Span> spans, ExpectedPsi psi, int n) {
        boolean[] used = new boolean[n];
        for (Span s : spans) {
            float[] r = psi.expected(s.mu(), s.sigma() * s.sigma());
            for (int k = 0; k < n; k++) used[k] |= r[k] != 0f;
        }
        long count = 0;
        for (boolean u : used) if (u) count++;
        return count;
    }

    private static MemoryState grown(LongTermMemory engine, MemoryConfig cfg, Random rnd) {
        MemoryState s = MemoryState.empty(cfg);
        int l = cfg.contractionLength();
        for (int c = 0; c < 2; c++) {
            s = engine.absorb(s, new TokenBatch(vectors(rnd, l), l, null, new TokenSource("t", 0, c, 0, null)));
        }
        return s;
    }

    private static ReadRequest request(String key, MemoryState s, Random rnd) {
        return new ReadRequest(key, s, vectors(rnd, 2), 2, OPTIONS);
    }

    private static float[] vectors(Random rnd, int count) {
        float[] v = new float[count * DIM];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        return v;
    }
}
