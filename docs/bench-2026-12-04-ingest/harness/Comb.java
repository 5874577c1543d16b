import io.ltm.model.*;
import io.ltm.model.internal.Basis;
import java.util.*;
public class Comb {
  public static void main(String[] a) {
    MemoryConfig cfg = MemoryConfig.defaults();
    int d = cfg.dim(), l = cfg.contractionLength();
    Random r = new Random(1);
    try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
      MemoryState s = MemoryState.empty(cfg);
      float[] x = new float[l*d]; for (int i=0;i<x.length;i++) x[i]=(float)r.nextGaussian();
      int chunks = Integer.parseInt(a[0]);
      for (int c=0;c<chunks;c++) s = ltm.absorb(s, new TokenBatch(x, l, null, null));
      CoefficientLog log = s.coefficientLog();
      Basis basis = Basis.of(cfg.basisSize(), cfg.widths());
      float[][] w = new float[64][basis.size()];
      for (int i=0;i<64;i++) { double t = (i*4)/255.0; for (int n=0;n<basis.size();n++){ double z=(t-basis.mu(n))/basis.sigma(n); if (Math.abs(z)<=4) w[i][n]=(float)Math.exp(-0.5*z*z);} }
      System.out.println("deltas="+log.deltaCount());
      for (int rep=0; rep<4; rep++) {
        long t0=System.nanoTime(); int it=50;
        for (int k=0;k<it;k++) log.combinations(w);
        long t1=System.nanoTime();
        for (int k=0;k<it;k++) for (int i=0;i<64;i++) log.combination(w[i]);
        long t2=System.nanoTime();
        for (int k=0;k<10;k++) CoefficientLog.of(log.base(), log.deltas(), cfg).coefficients();
        long t3=System.nanoTime();
        System.out.printf("combinations %.3f ms, 64 singles %.3f ms, B %.3f ms%n", (t1-t0)/1e6/it, (t2-t1)/1e6/it, (t3-t2)/1e6/10);
      }
    }
  }
}
