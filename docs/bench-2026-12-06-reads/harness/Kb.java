import io.ltm.model.*;
import io.ltm.model.internal.*;
import java.util.*;
public class Kb {
    public static void main(String[] a) throws Exception {
        MemoryConfig cfg = MemoryConfig.builder().dim(384).build();
        Random rnd = new Random(1);
        try (LongTermMemory engine = LongTermMemory.create(cfg, ai.djl.Device.cpu())) {
            List<MemoryState> states = new ArrayList<>();
            for (int k = 0; k < 16; k++) {
                MemoryState s = MemoryState.empty(cfg);
                for (int c = 0; c < 3; c++) { int l = cfg.contractionLength();
                    s = engine.absorb(s, new TokenBatch(Rb.rv(rnd, l, 384), l, null, new TokenSource("b", 0, c, 0, null))); }
                states.add(s);
            }
            MemoryKeys keys = new MemoryKeys(Basis.of(cfg.basisSize(), cfg.widths()), true);
            var tb = java.lang.management.ManagementFactory.getThreadMXBean();
            for (int rep = 0; rep < 6; rep++) {
                long c0 = tb.getCurrentThreadCpuTime(); int n = 0; long t0 = System.nanoTime();
                while (System.nanoTime() - t0 < 2e9) { for (MemoryState s : states) engine.ready(s); n += states.size(); }
                long c1 = tb.getCurrentThreadCpuTime(); int m = 0; t0 = System.nanoTime();
                while (System.nanoTime() - t0 < 2e9) { for (MemoryState s : states) keys.rows(s.coefficientsRef(), 384); m += states.size(); }
                long c2 = tb.getCurrentThreadCpuTime();
                System.out.printf("ready %.1f us CPU, keys.rows %.1f us CPU%n", (c1 - c0) / 1e3 / n, (c2 - c1) / 1e3 / m);
            }
        }
    }
}
