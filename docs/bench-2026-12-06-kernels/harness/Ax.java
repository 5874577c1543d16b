import jdk.incubator.vector.*;
import java.util.*;
public class Ax {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static void off(float[] y, float w, float[] x, int o, int n){ for(int j=0;j<n;j++) y[j]+=w*x[o+j]; }
  static void cp(float[] y, float w, float[] x, int o, int n, float[] row){ System.arraycopy(x,o,row,0,n); for(int j=0;j<n;j++) y[j]+=w*row[j]; }
  static void vec(float[] y, float w, float[] x, int o, int n){ int j=0; for(;j<S.loopBound(n);j+=S.length()) FloatVector.fromArray(S,x,o+j).mul(w).add(FloatVector.fromArray(S,y,j)).intoArray(y,j); for(;j<n;j++) y[j]+=w*x[o+j]; }
  public static void main(String[] z){ int d=384, rows=60; float[] b=new float[512*d]; Random r=new Random(1); for(int i=0;i<b.length;i++) b[i]=(float)r.nextGaussian(); float[] y1=new float[d],y2=new float[d],y3=new float[d],row=new float[d];
   System.out.println(S);
   for(int rep=0;rep<6;rep++){ long t0=System.nanoTime(); for(int it=0;it<20000;it++) for(int k=100;k<100+rows;k++) off(y1,0.001f,b,k*d,d); long t1=System.nanoTime(); for(int it=0;it<20000;it++) for(int k=100;k<100+rows;k++) cp(y2,0.001f,b,k*d,d,row); long t2=System.nanoTime(); for(int it=0;it<20000;it++) for(int k=100;k<100+rows;k++) vec(y3,0.001f,b,k*d,d); long t3=System.nanoTime();
    System.out.printf("offset %.2f copy %.2f vector %.2f us (same %b %b)%n",(t1-t0)/2e4/1e3,(t2-t1)/2e4/1e3,(t3-t2)/2e4/1e3, Arrays.equals(y1,y2), Arrays.equals(y1,y3)); } }
}
