import io.ltm.model.internal.*;
public class Ep { public static void main(String[] a) {
  ExpectedPsi p = new ExpectedPsi(Basis.of(512, 0.005, 0.01));
  for (double sg : new double[]{0.002,0.005,0.01,0.02,0.05,0.1}) { float[] r = p.expected(0.4, sg*sg); float max=0; for (float x: r) max=Math.max(max,x);
    int nz=0, big=0; for (float x: r) { if (x!=0) nz++; if (x>1e-8f*max) big++; } System.out.println("sigma "+sg+" nonzero "+nz+" >1e-8max "+big); } } }
