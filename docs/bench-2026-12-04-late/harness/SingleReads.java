import io.ltm.model.*;
import java.util.*;
public class SingleReads {
  static float[] randn(int n, Random r){float[] a=new float[n];for(int i=0;i<n;i++)a[i]=(float)r.nextGaussian();return a;}
  public static void main(String[] a) throws Exception {
    int d=384,l=512; Random rng=new Random(1); int keys=Integer.parseInt(a[1]);
    MemoryConfig cfg = MemoryConfig.builder().dim(d).sticky(true).build();
    ReadOptions opts = new ReadOptions(2, true, false, AttentionHeadKind.ZERO_SHOT);
    try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
      ltm.setReadyCache(new ReadyMemoryCache(Long.MAX_VALUE));
      MemoryState[] st = new MemoryState[keys];
      for (int k=0;k<keys;k++){
      MemoryState s = ltm.absorb(MemoryState.empty(cfg), new TokenBatch(randn(l*d,rng), l, null, null));
      st[k] = ltm.absorb(s, new TokenBatch(randn(l*d,rng), l, null, null));}
      float[] q = randn(d,rng);
      long secs = Long.parseLong(a[0]);
      java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
      for (int rep=0; rep<secs; rep++) {
        long t0=System.nanoTime(), c0=mx.getCurrentThreadCpuTime(); int n=0;
        while (System.nanoTime()-t0 < 1_000_000_000L) { ltm.read("k"+(n%keys), st[n%keys], q, 1, opts); n++; }
        System.out.printf("us/read %.1f cpu %.1f%n", 1e6/n, (mx.getCurrentThreadCpuTime()-c0)/1e3/n);
      }
    }
  }
}
