package io.ltm.model.internal;
import ai.djl.ndarray.*;
public class PsiTime {
  public static void main(String[] a) {
    Basis b = Basis.of(512, 0.005, 0.01);
    try (NDManager m = NDManager.newBaseManager("PyTorch"); DeviceMath math = new DeviceMath(m, b, 512, 512, 0.5, false)) {
      float[] s = new float[512]; for (int j=0;j<512;j++) s[j]=(float)((j+0.5)/512*0.9);
      NDArray B = m.randomNormal(new ai.djl.ndarray.types.Shape(512,384));
      NDArray R = m.randomNormal(new ai.djl.ndarray.types.Shape(512,512));
      for (int rep=0; rep<5; rep++) {
        long t0=System.nanoTime(); int n=0; long tp=0, tm1=0, tm2=0;
        while (System.nanoTime()-t0 < 1_000_000_000L) {
          try (NDManager sub = m.newSubManager()) {
            long a0=System.nanoTime(); NDArray p = math.psi(sub.create(s)); p.toFloatArray().clone(); long a1=System.nanoTime();
            NDArray old = p.matMul(B); old.toFloatArray(); long a2=System.nanoTime();
            NDArray nb = R.matMul(old); nb.toFloatArray(); long a3=System.nanoTime();
            tp+=a1-a0; tm1+=a2-a1; tm2+=a3-a2; n++;
          }
        }
        System.out.printf("psi %.2f ms, psi.B %.2f ms, R.old %.2f ms%n", tp/1e6/n, tm1/1e6/n, tm2/1e6/n);
      }
    }
  }
}
