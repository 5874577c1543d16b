import jdk.incubator.vector.*;
import java.util.*;
public class D8 {
  static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
  static void scal(float[] x, int o, float[] q, int d, float[] out) {
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
        float b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, b7 = 0;
        int j = 0;
        for (; j + 7 < d; j += 8) {
            float r0 = x[o + j], r1 = x[o + j + 1], r2 = x[o + j + 2], r3 = x[o + j + 3];
            float r4 = x[o + j + 4], r5 = x[o + j + 5], r6 = x[o + j + 6], r7 = x[o + j + 7];
            a0 += q[j] * r0; a1 += q[j + 1] * r1; a2 += q[j + 2] * r2; a3 += q[j + 3] * r3;
            a4 += q[j + 4] * r4; a5 += q[j + 5] * r5; a6 += q[j + 6] * r6; a7 += q[j + 7] * r7;
            b0 += r0 * r0; b1 += r1 * r1; b2 += r2 * r2; b3 += r3 * r3; b4 += r4 * r4; b5 += r5 * r5; b6 += r6 * r6; b7 += r7 * r7;
        }
        for (; j < d; j++) { a0 += q[j] * x[o + j]; b0 += x[o + j] * x[o + j]; }
        out[0] = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
        out[1] = ((b0 + b1) + (b2 + b3)) + ((b4 + b5) + (b6 + b7));
  }
  static float comb(FloatVector v){ return ((v.lane(0)+v.lane(1))+(v.lane(2)+v.lane(3)))+((v.lane(4)+v.lane(5))+(v.lane(6)+v.lane(7))); }
  static void vec(float[] x, int o, float[] q, int d, float[] out) {
     FloatVector a = FloatVector.zero(S8), b = a; int j = 0;
     for (; j + 7 < d; j += 8) { FloatVector r = FloatVector.fromArray(S8, x, o + j); a = a.add(FloatVector.fromArray(S8, q, j).mul(r)); b = b.add(r.mul(r)); }
     float a0 = a.lane(0), b0 = b.lane(0);
     for (; j < d; j++) { a0 += q[j] * x[o + j]; b0 += x[o + j] * x[o + j]; }
     out[0] = ((a0 + a.lane(1)) + (a.lane(2) + a.lane(3))) + ((a.lane(4) + a.lane(5)) + (a.lane(6) + a.lane(7)));
     out[1] = ((b0 + b.lane(1)) + (b.lane(2) + b.lane(3))) + ((b.lane(4) + b.lane(5)) + (b.lane(6) + b.lane(7)));
  }
  public static void main(String[] z){ int d=Integer.parseInt(z[0]), c=256; float[] x=new float[c*d]; float[] q=new float[d]; Random r=new Random(1); for(int i=0;i<x.length;i++)x[i]=(float)r.nextGaussian(); for(int i=0;i<d;i++)q[i]=(float)r.nextGaussian();
   float[] o1=new float[2], o2=new float[2]; int diff=0; for(int i=0;i<c;i++){ scal(x,i*d,q,d,o1); vec(x,i*d,q,d,o2); if(Float.floatToIntBits(o1[0])!=Float.floatToIntBits(o2[0])||Float.floatToIntBits(o1[1])!=Float.floatToIntBits(o2[1])) diff++; } System.out.println("bit differences "+diff);
   float[] s=new float[2*c];
   for(int rep=0;rep<6;rep++){ long t=System.nanoTime(); for(int it=0;it<5000;it++) for(int i=0;i<c;i++) scal(x,i*d,q,d,o1); long t1=System.nanoTime(); for(int it=0;it<5000;it++) for(int i=0;i<c;i++) vec(x,i*d,q,d,o2); long t2=System.nanoTime(); System.out.printf("scalar %.2f us  vector8 %.2f us%n",(t1-t)/5e3/1e3,(t2-t1)/5e3/1e3);} }
}
