import io.ltm.model.TokenSource;
import io.ltm.topology.codec.PackedSources;
import java.lang.management.ManagementFactory;
import java.util.*;

public class PackedSourcesCost {
    public static void main(String[] a) {
        var th = ManagementFactory.getThreadMXBean();
        long[] first = new long[1024];
        List<TokenSource> s = new ArrayList<>(), l = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            first[i] = 64L * i;
            TokenSource src = new TokenSource(new String("ltm.events"), 0, 2L * i, 1_700_000_000_000L + 2000L * i, null);
            s.add(src);
            l.add(i % 3 == 0 ? new TokenSource(new String("ltm.events"), 0, 2L * i + 1, 1_700_000_000_000L + 2000L * i + 5, null) : src);
        }
        PackedSources.Segments seg = new PackedSources.Segments(first, s, l);
        for (int r = 0; r < 6; r++) {
            long c0 = th.getCurrentThreadCpuTime();
            java.nio.ByteBuffer b = null;
            for (int i = 0; i < 2000; i++) b = PackedSources.encode(seg);
            long c1 = th.getCurrentThreadCpuTime();
            for (int i = 0; i < 2000; i++) PackedSources.decode(b);
            long c2 = th.getCurrentThreadCpuTime();
            System.out.printf("encode %.1f us, decode %.1f us, %d bytes%n", (c1 - c0) / 2e6, (c2 - c1) / 2e6, b.remaining());
        }
    }
}
