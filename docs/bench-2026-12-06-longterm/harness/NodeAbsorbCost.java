import ai.djl.Device;
import io.ltm.model.*;
import java.lang.management.ManagementFactory;
import java.util.*;

/**
 * The update as the node calls it: 4 keys in turn, each contraction an absorb of a 32-token event into a state whose
 * short-term buffer holds the 480 tokens of 15 earlier events (with their texts and per-token sources), against the
 * update alone's absorb of L tokens into a state with an empty buffer.
 */
public class NodeAbsorbCost {
    public static void main(String[] a) {
        MemoryConfig cfg = MemoryConfig.defaults();
        int l = cfg.contractionLength(), d = cfg.dim(), keys = 4, ev = 32, per = l / ev;
        long perKey = Long.parseLong(a[0]);
        SplittableRandom rnd = new SplittableRandom(11);
        float[][] chunks = new float[4][l * d];
        for (float[] c : chunks) for (int i = 0; i < c.length; i++) c[i] = (float) rnd.nextGaussian();
        var th = ManagementFactory.getThreadMXBean();
        try (LongTermMemory engine = LongTermMemory.create(cfg, Device.cpu())) {
            for (int rep = 0; rep < 4; rep++) {
                for (String mode : new String[] {"chunk", "node"}) {
                    MemoryState[] s = new MemoryState[keys];
                    for (int k = 0; k < keys; k++) s[k] = MemoryState.empty(cfg);
                    long cpu = 0, contractions = 0;
                    long chunksPerKey = perKey / l;
                    for (long i = 0; i < chunksPerKey * keys; i++) {
                        int k = (int) (i % keys);
                        long ci = i / keys;
                        float[] v = chunks[(int) (ci % 4)];
                        List<String> texts = new ArrayList<>(l);
                        for (int t = 0; t < l; t++) texts.add("w" + ((ci * 31 + t) % 5000));
                        if (mode.equals("chunk")) {
                            long c0 = th.getCurrentThreadCpuTime();
                            s[k] = engine.absorb(s[k], new TokenBatch(v, l, texts, null));
                            cpu += th.getCurrentThreadCpuTime() - c0;
                        } else {
                            // the buffer as the node loads it: 15 events' vectors, texts and per-token sources
                            int buffered = (per - 1) * ev;
                            List<TokenSource> srcs = new ArrayList<>(buffered);
                            for (int t = 0; t < buffered; t++)
                                srcs.add(new TokenSource("ltm.events", k, ci * per + t / ev, 1_700_000_000_000L + ci * per + t / ev, null));
                            MemoryState withBuffer = s[k].withShortTermKept(v, buffered, texts.subList(0, buffered), srcs);
                            float[] last = Arrays.copyOfRange(v, buffered * d, l * d);
                            TokenBatch batch = new TokenBatch(last, ev, texts.subList(buffered, l),
                                    new TokenSource("ltm.events", k, ci * per + per - 1, 1_700_000_000_000L + ci * per + per - 1, null));
                            long c0 = th.getCurrentThreadCpuTime();
                            s[k] = engine.absorb(withBuffer, batch);
                            cpu += th.getCurrentThreadCpuTime() - c0;
                        }
                        contractions++;
                    }
                    System.out.printf("%s: %.1f us CPU per contraction (%d), segments %d%n", mode, cpu / 1e3 / contractions, contractions, s[0].timeline().segmentCount());
                }
            }
        }
    }
}
