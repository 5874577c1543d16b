package io.ltm.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.TokenBatch;
import io.ltm.model.internal.Basis;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NoveltySummaryTest {

    @Test
    void aSummaryFromTheKeptBasePartHasTheBytesOfOneComputedWhole() {
        MemoryConfig cfg = MemoryConfig.builder()
                .dim(8)
                .basisSize(64)
                .widths(0.005, 0.01)
                .contractionLength(12)
                .samples(10)
                .stickyBins(8)
                .build();
        Basis basis = Basis.of(cfg.basisSize(), cfg.widths());
        Random rnd = new Random(3);
        int reused = 0, made = 0, bases = 0;
        Novelty.BaseSums kept = null;
        float[] base = null;
        try (LongTermMemory engine = LongTermMemory.create(cfg)) {
            MemoryState s = MemoryState.empty(cfg);
            // 60 contractions: deltas on a base, new bases every 17th contraction and at the doublings
            for (int e = 0; e < 60; e++) {
                float[] v = new float[12 * cfg.dim()];
                for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
                s = engine.absorb(s, new TokenBatch(v, 12, null, null));
                Novelty.Made m = Novelty.summary(s, s.coefficientLog(), e, basis, 16, kept);
                assertThat(m.bytes()).as("contraction %d", e).isEqualTo(Novelty.summary(s, e, basis, 16));
                assertThat(m.summary())
                        .as("contraction %d, as decoded", e)
                        .usingRecursiveComparison()
                        .isEqualTo(Novelty.Summary.decode(m.bytes(), s.dim()));
                if (m.baseSums() == kept) reused++;
                else made++;
                kept = m.baseSums();
                if (s.coefficientLog().base() != base) bases++;
                base = s.coefficientLog().base();
            }
        }
        // made again only for a new base (the first, the doublings, every 17th), not when the memory fills and the
        // summary picks more centres
        assertThat(made).isEqualTo(bases);
        assertThat(reused).isEqualTo(60 - bases);
        assertThat(bases).isBetween(3, 20);
    }
}
