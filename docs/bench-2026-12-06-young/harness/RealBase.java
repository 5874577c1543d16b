import ai.djl.Device;
import io.ltm.model.*;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.codec.MemoryStateCodec;
import java.util.*;

/**
 * A real base of B: one key at the defaults absorbs C contractions of random vectors. {@code RealBase count C}: after the
 * first, the doublings and every 17th contraction, the share of the base's values below binary16's smallest normal
 * (2^-14) and how often consecutive values change side. {@code RealBase time C}: MemoryStateCodec.coefficientBlock (float16) of the
 * base after C contractions, and Half.fromFloatBranchless alone into a kept array (block and fromFloat in c380e1f, which made `block-real-base.txt`); median and min of 200 after 200 of warm-up.
 */
public class RealBase {
    public static void main(String[] a) throws Exception {
        boolean count = a[0].equals("count");
        int contractions = Integer.parseInt(a[1]);
        Map<String, Object> m = new HashMap<>();
        m.put(LtmConfig.SCHEMA_REGISTRY_URL, "mock://x"); m.put(LtmConfig.APPLICATION_ID, "x"); m.put(LtmConfig.BOOTSTRAP_SERVERS, "u:9092");
        MemoryConfig cfg = new LtmConfig(m).memoryConfig();
        int l = cfg.contractionLength(), d = cfg.dim();
        SplittableRandom rnd = new SplittableRandom(11);
        try (LongTermMemory engine = LongTermMemory.create(cfg, Device.cpu())) {
            MemoryState s = MemoryState.empty(cfg);
            for (int c = 1; c <= contractions; c++) {
                float[] v = new float[l * d];
                for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
                s = engine.absorb(s, new TokenBatch(v, l, null, null));
                if (!count || (Long.bitCount(c) != 1 && c % 17 != 0 && c > 2)) continue;
                float[] b = s.coefficientLog().base();
                int small = 0, flips = 0; boolean prev = false;
                for (int i = 0; i < b.length; i++) { boolean sm = Math.abs(b[i]) < 0x1p-14f; if (sm) small++; if (i > 0 && sm != prev) flips++; prev = sm; }
                System.out.printf("after contraction %d: base values below 2^-14 %.1f%%, changes of side %d of %d%n", c, 100.0 * small / b.length, flips, b.length);
            }
            if (count) return;
            float[] b = s.coefficientLog().base();
            long[] t = new long[200], u = new long[200]; long sink = 0;
            for (int r = 0; r < 400; r++) {
                long t0 = System.nanoTime();
                var blk = MemoryStateCodec.coefficientBlock(b, cfg.basisSize(), d, CoefficientPrecision.FLOAT16);
                if (r >= 200) t[r - 200] = System.nanoTime() - t0;
                sink += blk.getData().get(r);
            }
            short[] h = new short[b.length];
            for (int r = 0; r < 400; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < b.length; i++) h[i] = io.ltm.model.internal.Half.fromFloatBranchless(b[i]);
                if (r >= 200) u[r - 200] = System.nanoTime() - t0;
                sink += h[r];
            }
            Arrays.sort(t);
            Arrays.sort(u);
            System.out.printf("base after %d contractions: block median %.1f us, min %.1f us; Half.fromFloat alone median %.1f us, min %.1f us (%d)%n", contractions, t[100] / 1e3, t[0] / 1e3, u[100] / 1e3, u[0] / 1e3, sink);
        }
    }
}
