package io.ltm.topology.internal;

import ai.djl.Device;
import io.ltm.model.*;
import io.ltm.model.internal.Basis;
import io.ltm.topology.api.LtmConfig;
import java.util.*;

/** Novelty.summary after each contraction of one key's stream of TOKENS tokens at the defaults, with the kept base part, as the node calls it. */
public class SummaryCost {
    public static void main(String[] a) throws Exception {
        long tokens = Long.parseLong(a[0]);
        Map<String, Object> m = new HashMap<>();
        m.put(LtmConfig.SCHEMA_REGISTRY_URL, "mock://x"); m.put(LtmConfig.APPLICATION_ID, "x"); m.put(LtmConfig.BOOTSTRAP_SERVERS, "u:9092");
        MemoryConfig cfg = new LtmConfig(m).memoryConfig();
        Basis basis = Basis.of(cfg.basisSize(), cfg.widths());
        int l = cfg.contractionLength(), d = cfg.dim();
        SplittableRandom rnd = new SplittableRandom(11);
        float[][] chunks = new float[4][l * d];
        for (float[] c : chunks) for (int i = 0; i < c.length; i++) c[i] = (float) rnd.nextGaussian();
        try (LongTermMemory engine = LongTermMemory.create(cfg, Device.cpu())) {
            for (int rep = 0; rep < 10; rep++) {
                MemoryState s = MemoryState.empty(cfg);
                Novelty.BaseSums kept = null;
                long ns = 0; int n = 0, made = 0;
                for (long done = 0; done < tokens; done += l) {
                    s = engine.absorb(s, new TokenBatch(chunks[n % 4], l, null, null));
                    long t0 = System.nanoTime();
                    Novelty.Made r = Novelty.summary(s, basis, Novelty.MAX_KEYS, kept);
                    ns += System.nanoTime() - t0;
                    if (r.baseSums() != kept) made++;
                    kept = r.baseSums();
                    n++;
                }
                System.out.printf("rep %d: %d summaries, base part made %d times, %.1f us per summary%n", rep, n, made, ns / 1e3 / n);
            }
        }
    }
}
