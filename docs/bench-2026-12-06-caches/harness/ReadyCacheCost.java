import io.ltm.model.*;
import java.util.*;

/**
 * Hits of the ready-memory cache (ltm.query.ready.cache.bytes, 128 MiB by default) for queries over KEYS keys whose
 * popularity follows Zipf's law with exponent S (0: uniform), QUERIES queries, defaults N = 512, d = 384: every key
 * holds the same memory state (one contraction of 512 tokens), so each miss builds one ready memory. Prints hits,
 * misses and the thread CPU of the reads.
 */
public class ReadyCacheCost {
    public static void main(String[] a) {
        int keys = Integer.parseInt(a[0]), queries = Integer.parseInt(a[1]);
        double s = Double.parseDouble(a[2]);
        long bound = a.length > 3 ? Long.parseLong(a[3]) : 128L << 20;
        MemoryConfig cfg = MemoryConfig.defaults();
        Random rng = new Random(3);
        double[] cdf = new double[keys];
        double sum = 0;
        for (int k = 0; k < keys; k++) cdf[k] = sum += 1 / Math.pow(k + 1, s);
        var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            float[] x = new float[512 * cfg.dim()];
            for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
            MemoryState state = ltm.absorb(MemoryState.empty(cfg), new TokenBatch(x, 512, null, new TokenSource("in", 0, 0, 1000L, "e")));
            ReadyMemoryCache cache = new ReadyMemoryCache(bound);
            ltm.setReadyCache(cache);
            float[] q = new float[cfg.dim()];
            for (int i = 0; i < q.length; i++) q[i] = (float) rng.nextGaussian();
            long c0 = bean.getCurrentThreadCpuTime();
            for (int i = 0; i < queries; i++) {
                double u = rng.nextDouble() * sum;
                int k = Arrays.binarySearch(cdf, u);
                if (k < 0) k = -k - 1;
                ltm.read("k" + k, state, q, 1, ReadOptions.defaults());
            }
            long c1 = bean.getCurrentThreadCpuTime();
            System.out.printf("keys %d queries %d zipf %.2f bound %d: held %d, hits %d misses %d (%.1f%% hits), %.1f us CPU per read%n",
                    keys, queries, s, bound, cache.size(), cache.hits(), cache.misses(), 100.0 * cache.hits() / queries, (c1 - c0) / 1e3 / queries);
        }
    }
}
