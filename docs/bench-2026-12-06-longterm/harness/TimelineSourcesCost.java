package io.ltm.model;

import java.lang.management.ManagementFactory;

/** Timeline source work of one contraction on a long stream: 512 buffered tokens from 16 events, then the contraction's merges. */
public class TimelineSourcesCost {
    public static void main(String[] a) {
        var th = ManagementFactory.getThreadMXBean();
        Timeline tl = Timeline.empty();
        long tok = 0;
        for (int e = 0; e < 2000; e++) { // a long stream: 2,000 events of 32 tokens
            tl = tl.withSource(tok, new TokenSource(new String("ltm.events"), 0, e, 1_700_000_000_000L + e, null), 1024);
            tok += 32;
        }
        final Timeline base = tl;
        final long lt = tok;
        for (int r = 0; r < 5; r++) {
            long c0 = th.getCurrentThreadCpuTime();
            int n = 2000;
            Timeline last = null;
            for (int i = 0; i < n; i++) {
                Timeline x = base.truncateSources(lt);
                for (int t = 0; t < 480; t++)
                    x = x.withSource(lt + t, new TokenSource(new String("ltm.events"), 0, 5000 + t / 32, 1_700_000_000_000L + t / 32, null), Integer.MAX_VALUE);
                last = x;
            }
            long c1 = th.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) last.withSource(lt + 480, new TokenSource("ltm.events", 0, 6000, 1, null), 1024);
            long c2 = th.getCurrentThreadCpuTime();
            java.util.List<TokenSource> list = new java.util.ArrayList<>();
            for (int t = 0; t < 480; t++) list.add(new TokenSource(new String("ltm.events"), 0, 5000 + t / 32, 1_700_000_000_000L + t / 32, null));
            long c3 = th.getCurrentThreadCpuTime();
            Timeline bulk = null;
            for (int i = 0; i < n; i++) bulk = base.withSources(lt, list);
            long c4 = th.getCurrentThreadCpuTime();
            System.out.printf("load with 15 buffered events: token by token %.1f us, at once %.1f us (equal: %b); the contraction's withSource and merges: %.1f us (segments %d -> 1024)%n", (c1 - c0) / 1e3 / n, (c4 - c3) / 1e3 / n, bulk.equals(last), (c2 - c1) / 1e3 / n, last.segmentCount());
        }
    }
}
