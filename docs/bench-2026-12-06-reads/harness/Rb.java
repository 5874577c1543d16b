import io.ltm.model.*;
import io.ltm.topology.codec.MemoryStateCodec;
import java.util.*;
public class Rb {
    public static void main(String[] a) throws Exception {
        int keys = Integer.parseInt(a[2]), batch = Integer.parseInt(a[0]); double secs = Double.parseDouble(a[1]);
        MemoryConfig cfg = MemoryConfig.builder().dim(384).build();
        Random rnd = new Random(1);
        try (LongTermMemory engine = LongTermMemory.create(cfg, ai.djl.Device.cpu())) {
            engine.setReadyCache(new ReadyMemoryCache(Long.MAX_VALUE));
            List<MemoryState> states = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                MemoryState s = MemoryState.empty(cfg);
                for (int c = 0; c < 2; c++) { int l = cfg.contractionLength();
                    s = engine.absorb(s, new TokenBatch(rv(rnd, l, 384), l, null, new TokenSource("b", 0, c, 0, null))); }
                states.add(MemoryStateCodec.fromAvro(MemoryStateCodec.toAvro(s, cfg), cfg));
            }
            ReadOptions o = new ReadOptions(1, false, true, AttentionHeadKind.ZERO_SHOT);
            int total = Math.max(batch, keys);
            List<ReadRequest> rs = new ArrayList<>();
            for (int i = 0; i < total; i++) rs.add(new ReadRequest("key" + (i % keys), states.get(i % keys), rv(rnd, 8, 384), 8, o));
            for (int rep = 0; rep < 5; rep++) {
                long t0 = System.nanoTime(); int n = 0;
                while (System.nanoTime() - t0 < secs * 1e9) { for (int f = 0; f < total; f += batch) engine.readBatch(rs.subList(f, Math.min(total, f + batch))); n++; }
                System.out.printf("batch %d: %.2f us/query wall%n", batch, (System.nanoTime() - t0) / 1e3 / n / total);
            }
        }
    }
    static float[] rv(Random r, int c, int d) { float[] v = new float[c * d]; for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian(); return v; }
}
