import io.ltm.model.*;
import java.util.*;
public class Young {
  static float[] randn(int n, Random r){float[] a=new float[n];for(int i=0;i<n;i++)a[i]=(float)r.nextGaussian();return a;}
  public static void main(String[] a) throws Exception {
    int d=384,l=512; Random rng=new Random(1); int keys=Integer.parseInt(a[0]); int steps=Integer.parseInt(a[1]); boolean reads=a.length>2 && a[2].equals("reads");
    MemoryConfig cfg = MemoryConfig.builder().dim(d).sticky(true).build();
    com.sun.management.OperatingSystemMXBean mx=(com.sun.management.OperatingSystemMXBean)java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    java.lang.management.ThreadMXBean tm = java.lang.management.ManagementFactory.getThreadMXBean();
    float[][] chunks=new float[8][]; for(int i=0;i<8;i++) chunks[i]=randn(l*d,rng);
    try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
      for (int round=0; round<3; round++) {
        double[] wall=new double[steps], cpu=new double[steps], th=new double[steps];
        for (int k=0;k<keys;k++){ MemoryState s=MemoryState.empty(cfg);
          for (int st=0; st<steps; st++){ if (reads && s.hasLongTerm()) s = ltm.recordRead(s, ltm.read(s, chunks[st%8], 1, new ReadOptions(1, false, false, AttentionHeadKind.ZERO_SHOT)));
            long t0=System.nanoTime(), c0=mx.getProcessCpuTime(), h0=tm.getCurrentThreadCpuTime();
            s = ltm.absorb(s, new TokenBatch(chunks[(k+st)%8], l, null, null));
            s.coefficientLog().coefficients();
            wall[st]+=System.nanoTime()-t0; cpu[st]+=mx.getProcessCpuTime()-c0; th[st]+=tm.getCurrentThreadCpuTime()-h0; } }
        StringBuilder sb=new StringBuilder("round "+round+":");
        for (int st=0; st<steps; st++) sb.append(String.format(" [%d] wall %.2f cpu %.2f thread %.2f ms;", st*l, wall[st]/keys/1e6, cpu[st]/keys/1e6, th[st]/keys/1e6));
        System.out.println(sb);
      }
    }
  }
}
