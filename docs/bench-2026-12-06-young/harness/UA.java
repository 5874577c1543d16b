import ai.djl.Device;
import io.ltm.model.*;
import io.ltm.topology.api.LtmConfig;
import java.util.*;

/**
 * The update alone: KEYS fresh memories at the defaults each absorbing TOKENS_PER_KEY tokens in chunks of L, key after key
 * ({@code seq}) or interleaved as a node sees them ({@code inter}); thread CPU per contraction, three repeats.
 */
public class UA {
    public static void main(String[] a) throws Exception {
        int keys = Integer.parseInt(a[0]); long tokensPerKey = Long.parseLong(a[1]); boolean inter = a[2].equals("inter");
        Map<String, Object> m = new HashMap<>();
        m.put(LtmConfig.SCHEMA_REGISTRY_URL, "mock://x"); m.put(LtmConfig.APPLICATION_ID, "x"); m.put(LtmConfig.BOOTSTRAP_SERVERS, "u:9092");
        MemoryConfig cfg = new LtmConfig(m).memoryConfig();
        int l = cfg.contractionLength(), d = cfg.dim();
        SplittableRandom rnd = new SplittableRandom(11);
        float[][] chunks = new float[4][l * d];
        for (float[] c : chunks) for (int i = 0; i < c.length; i++) c[i] = (float) rnd.nextGaussian();
        var th = java.lang.management.ManagementFactory.getThreadMXBean();
        try (LongTermMemory engine = LongTermMemory.create(cfg, Device.cpu())) {
            for (int rep = 0; rep < 3; rep++) {
                MemoryState[] s = new MemoryState[keys];
                for (int k = 0; k < keys; k++) s[k] = MemoryState.empty(cfg);
                int per = (int) (tokensPerKey / l);
                long c0 = th.getCurrentThreadCpuTime();
                if (inter) {
                    for (int i = 0; i < per; i++) for (int k = 0; k < keys; k++) s[k] = engine.absorb(s[k], batch(chunks[i % 4], l, rnd));
                } else {
                    for (int k = 0; k < keys; k++) for (int i = 0; i < per; i++) s[k] = engine.absorb(s[k], batch(chunks[i % 4], l, rnd));
                }
                long c1 = th.getCurrentThreadCpuTime();
                System.out.printf("%s rep %d: %.2f ms per contraction%n", a[2], rep, (c1 - c0) / 1e6 / (keys * per));
            }
        }
    }
    static TokenBatch batch(float[] v, int n, SplittableRandom rnd) {
        List<String> t = new ArrayList<>(n);
        for (int i = 0; i < n; i++) t.add("w" + rnd.nextInt(5000));
        return new TokenBatch(v, n, t, null);
    }
}
