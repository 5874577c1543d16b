import ai.djl.Device;
import io.ltm.model.*;
import java.util.*;
public class Bc {
  public static void main(String[] a) throws Exception {
    int dim=384; MemoryConfig cfg=MemoryConfig.builder().dim(dim).sticky(false).build(); Random rnd=new Random(1);
    float[] base=new float[512*dim]; for(int i=0;i<base.length;i++) base[i]=(float)rnd.nextGaussian();
    CoefficientLog log=CoefficientLog.of(base,cfg);
    float[][] w=new float[64][512]; for(int i=0;i<64;i++) for(int r=8*i;r<8*i+12&&r<512;r++) w[i][r]=rnd.nextFloat();
    double best=1e18; float sink=0;
    for(int rep=0;rep<3000;rep++){ long t0=System.nanoTime(); float[][] o=log.baseCombinations(w); long t1=System.nanoTime(); sink+=o[3][5]; if(rep>1000) best=Math.min(best,t1-t0);} 
    System.out.printf("baseCombinations(64) %.1f us %f%n",best/1e3,sink);
  }
}
