import ai.djl.Device;
import io.ltm.model.*;
import io.ltm.topology.codec.MemoryStateCodec;
import java.util.*;

/**
 * One memory (2 contractions of 512 random tokens, decoded from its stored record, as the attention bench builds them)
 * read over and over with its arrays in cache: µs per read, five repeats of N reads. With read-sections.patch applied
 * to HostZeroShot it also prints the time of each part of the host read (its static counters, found by reflection).
 * java -cp "<model classes or jar>:<cli jar>:<cli lib>/*:." Hot N
 */
public class Hot {
    static float[] rv(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    public static void main(String[] a) throws Exception {
        int dim = 384;
        MemoryConfig cfg = MemoryConfig.builder().dim(dim).build();
        Random rnd = new Random(1);
        long[] sections = null;
        try {
            sections = (long[]) Class.forName("io.ltm.model.internal.HostZeroShot").getField("T").get(null);
        } catch (NoSuchFieldException e) {
            // not patched: totals only
        }
        try (LongTermMemory engine = LongTermMemory.create(cfg, Device.cpu())) {
            engine.setReadyCache(new ReadyMemoryCache(Long.MAX_VALUE));
            MemoryState s = MemoryState.empty(cfg);
            for (int c = 0; c < 2; c++) {
                int l = cfg.contractionLength();
                s = engine.absorb(s, new TokenBatch(rv(rnd, l * dim), l, null, new TokenSource("b", 0, c, 0, null)));
            }
            s = MemoryStateCodec.fromAvro(MemoryStateCodec.toAvro(s, cfg), cfg);
            ReadOptions o = new ReadOptions(1, false, true, AttentionHeadKind.ZERO_SHOT);
            List<ReadRequest> hot = List.of(new ReadRequest("k", s, rv(rnd, 8 * dim), 8, o));
            int n = Integer.parseInt(a[0]);
            for (int rep = 0; rep < 5; rep++) {
                if (sections != null) Arrays.fill(sections, 0);
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) engine.readBatch(hot);
                long t1 = System.nanoTime();
                StringBuilder line = new StringBuilder(String.format("%.2f us/read", (t1 - t0) / 1000.0 / n));
                if (sections != null) {
                    String[] names = {"scores", "attention", "profile", "spans", "Bpass", "out", "hostTotal"};
                    for (int k = 0; k < names.length; k++)
                        line.append(String.format(" %s %.2f", names[k], sections[k] / 1e3 / n));
                }
                System.out.println(line);
            }
        }
    }
}
