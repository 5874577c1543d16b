import ai.djl.Device;
import io.ltm.model.*;
import java.util.*;
public class Ap {
  static float[] rv(Random r,int n){float[] v=new float[n];for(int i=0;i<n;i++)v[i]=(float)r.nextGaussian();return v;}
  public static void main(String[] a) throws Exception {
    int dim=384; MemoryConfig cfg=MemoryConfig.builder().dim(dim).sticky(false).build(); Random rnd=new Random(1);
    int chunks=Integer.parseInt(a[0]);
    try (LongTermMemory engine=LongTermMemory.create(cfg, Device.cpu())) {
      MemoryState s=MemoryState.empty(cfg); int l=cfg.contractionLength();
      float[] v=rv(rnd,l*dim);
      for(int c=0;c<chunks;c++) s=engine.absorb(s,new TokenBatch(v,l,null,null));
      CoefficientLog log=s.coefficientLog();
      System.out.println("deltas "+log.deltaCount());
      float[][] w=new float[64][512]; for(int i=0;i<64;i++) for(int r=8*i;r<8*i+12&&r<512;r++) w[i][r]=rnd.nextFloat();
      float[][] onBase=log.baseCombinations(w);
      double bestA=1e18,bestC=1e18; float sink=0;
      for(int rep=0;rep<300;rep++){
        CoefficientLog f=CoefficientLog.of(log.base(), log.deltas(), cfg);
        long t0=System.nanoTime(); float[] b=f.coefficients(); long t1=System.nanoTime();
        float[][] cs=f.combinations(w,onBase); long t2=System.nanoTime();
        sink+=b[5]+cs[3][7];
        if(rep>100){bestA=Math.min(bestA,t1-t0);bestC=Math.min(bestC,t2-t1);}
      }
      System.out.printf("apply %.1f us  combinations(64, deltas part) %.1f us  %f%n",bestA/1e3,bestC/1e3,sink);
    }
  }
}
