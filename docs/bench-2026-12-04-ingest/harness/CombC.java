import io.ltm.model.*;
import java.util.*;
public class CombC {
  public static void main(String[] a) {
    MemoryConfig cfg = MemoryConfig.defaults();
    int d = cfg.dim(), l = cfg.contractionLength();
    Random r = new Random(1);
    try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
      MemoryState s = MemoryState.empty(cfg);
      float[] x = new float[l*d]; for (int i=0;i<x.length;i++) x[i]=(float)r.nextGaussian();
      for (int c=0;c<Integer.parseInt(a[0]);c++) s = ltm.absorb(s, new TokenBatch(x, l, null, null));
      CoefficientLog log = s.coefficientLog();
      for (CoefficientDelta dl : log.deltas()) System.out.print("["+dl.lo()+","+dl.hi()+") ");
      System.out.println();
      float[] base = log.base(); List<CoefficientDelta> ds = log.deltas();
      for (int rep=0; rep<8; rep++) {
        long t0=System.nanoTime();
        CoefficientLog c2 = CoefficientLog.of(base, ds, cfg);
        long t1=System.nanoTime();
        c2.coefficients();
        long t2=System.nanoTime();
        System.out.printf("of %.3f ms, coefficients %.3f ms%n", (t1-t0)/1e6, (t2-t1)/1e6);
      }
    }
  }
}
