import ai.djl.ndarray.*; import ai.djl.ndarray.types.*; import io.ltm.model.internal.*;
public class Bw { public static void main(String[] a) { try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
  Basis b = Basis.of(512, 0.005, 0.01); int bins = 256;
  float[] t = DeviceMath.gaussianBinMass(m.create(b.mu()), m.create(b.sigma()), RidgeSolver.linspace(0,1,bins+1)).toType(DataType.FLOAT32,false).toFloatArray();
  for (int n : new int[]{200, 201}) { int first=-1,last=-1; for (int j=0;j<bins;j++) if (t[n*bins+j]!=0){ if(first<0)first=j; last=j;} System.out.println("row "+n+" sigma "+b.sigma(n)+" band "+(last-first+1)+" from "+first+" to "+last+" centre bin "+b.mu(n)*bins); }
}}}
