import io.ltm.model.*;
import java.util.*;
public class BatchReads {
  static float[] randn(int n, Random r){float[] a=new float[n];for(int i=0;i<n;i++)a[i]=(float)r.nextGaussian();return a;}
  public static void main(String[] a) throws Exception {
    int d=384,l=512; Random rng=new Random(1); int keys=Integer.parseInt(a[1]); int batch=Integer.parseInt(a[2]);
    MemoryConfig cfg = MemoryConfig.builder().dim(d).sticky(true).build();
    ReadOptions opts = new ReadOptions(1, false, true, AttentionHeadKind.ZERO_SHOT);
    try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
      ltm.setReadyCache(new ReadyMemoryCache(Long.MAX_VALUE));
      MemoryState[] st = new MemoryState[keys];
      for (int k=0;k<keys;k++){
      MemoryState s = ltm.absorb(MemoryState.empty(cfg), new TokenBatch(randn(l*d,rng), l, null, null));
      st[k] = ltm.absorb(s, new TokenBatch(randn(l*d,rng), l, null, null));}
      List<ReadRequest> rs = new ArrayList<>();
      for (int i=0;i<batch;i++) rs.add(new ReadRequest("k"+(i%keys), st[i%keys], randn(8*d,rng), 8, opts));
      long secs = Long.parseLong(a[0]);
      java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      com.sun.management.OperatingSystemMXBean mx=(com.sun.management.OperatingSystemMXBean)os;
      for (int rep=0; rep<secs; rep++) {
        long t0=System.nanoTime(), c0=mx.getProcessCpuTime(); int n=0;
        while (System.nanoTime()-t0 < 1_000_000_000L) { ltm.readBatch(rs); n+=batch; }
        System.out.printf("us/query %.2f cpu %.2f%n", 1e6/n, (mx.getProcessCpuTime()-c0)/1e3/n);
      }
    }
  }
}
