import io.ltm.model.*;
import io.ltm.topology.codec.*;
import java.util.*;

/** Heap held by a long-term record of 1,024 packed segments and its decoded timeline, as DecodedLongTerm keeps them. */
public class KeptHeapPacked {
    public static void main(String[] a) throws Exception {
        long[] first = new long[1024];
        List<TokenSource> s = new ArrayList<>(), l = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            first[i] = 64L * i;
            TokenSource src = new TokenSource("ltm.events", 0, 2L * i, 1_700_000_000_000L + 2000L * i, i % 2 == 0 ? null : "id-" + i);
            s.add(src);
            l.add(i % 3 == 0 ? new TokenSource("ltm.events", 0, 2L * i + 1, 1_700_000_000_000L + 2000L * i + 5, null) : src);
        }
        java.nio.ByteBuffer packed = PackedSources.encode(new PackedSources.Segments(first, s, l));
        byte[] bytes = new byte[packed.remaining()];
        packed.get(bytes);
        int n = 300;
        Object[] keep = new Object[n];
        Runtime rt = Runtime.getRuntime();
        System.gc(); Thread.sleep(200); System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        for (int i = 0; i < n; i++) {
            // as a record read from the store: its own bytes, and the timeline decoded from them
            java.nio.ByteBuffer own = java.nio.ByteBuffer.wrap(bytes.clone());
            PackedSources.Segments seg = PackedSources.decode(own);
            Timeline tl = Timeline.of(new double[] {0, 1}, new double[] {0, 65535}, seg.firstTokens(), seg.sources(), seg.lastSources());
            keep[i] = new Object[] {own, tl};
        }
        System.gc(); Thread.sleep(200); System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        System.out.printf("%d entries: %.0f bytes each (packed record bytes %d, 1,024 segments, a third merged, half with ids)%n", n, (after - before) / (double) n, bytes.length);
        if (keep.length == 0) System.out.println();
    }
}
