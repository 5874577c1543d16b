import jdk.incubator.vector.*;
import java.util.*;
public class P2 {
  static final VectorSpecies<Float> E = FloatVector.SPECIES_256;
  static float comb(float s0, FloatVector s){ return ((s0 + s.lane(1)) + (s.lane(2) + s.lane(3))) + ((s.lane(4) + s.lane(5)) + (s.lane(6) + s.lane(7))); }
  static void one(float[] x, int rows, int d, float[] q, float[] dots, float[] sq){ for(int i=0;i<rows;i++){ int o=i*d; FloatVector a=FloatVector.zero(E), b=a; int j=0; for(;j+7<d;j+=8){ FloatVector r=FloatVector.fromArray(E,x,o+j); a=a.add(FloatVector.fromArray(E,q,j).mul(r)); b=b.add(r.mul(r)); } dots[i]=comb(a.lane(0),a); sq[i]=comb(b.lane(0),b);} }
  static void two(float[] x, int rows, int d, float[] q, float[] dots, float[] sq){ for(int i=0;i+1<rows;i+=2){ int o=i*d,p=o+d; FloatVector a=FloatVector.zero(E), b=a,c=a,e=a; int j=0; for(;j+7<d;j+=8){ FloatVector qj=FloatVector.fromArray(E,q,j); FloatVector r=FloatVector.fromArray(E,x,o+j), s=FloatVector.fromArray(E,x,p+j); a=a.add(qj.mul(r)); b=b.add(r.mul(r)); c=c.add(qj.mul(s)); e=e.add(s.mul(s)); } dots[i]=comb(a.lane(0),a); sq[i]=comb(b.lane(0),b); dots[i+1]=comb(c.lane(0),c); sq[i+1]=comb(e.lane(0),e);} }
  public static void main(String[] z){ int d=384,n=256,mems=Integer.parseInt(z[0]); Random r=new Random(1); float[][] xs=new float[mems][n*d]; for(float[] x:xs) for(int i=0;i<x.length;i++) x[i]=(float)r.nextGaussian(); float[] q=new float[d]; for(int i=0;i<d;i++)q[i]=(float)r.nextGaussian(); float[] dots=new float[n], sq=new float[n];
   for(int rep=0;rep<6;rep++){ int it=5000; long t0=System.nanoTime(); for(int i=0;i<it;i++) one(xs[(i*7)%mems],n,d,q,dots,sq); long t1=System.nanoTime(); for(int i=0;i<it;i++) two(xs[(i*7)%mems],n,d,q,dots,sq); long t2=System.nanoTime(); System.out.printf("mems %d: one %.1f us two %.1f us%n",mems,(t1-t0)/1e3/it,(t2-t1)/1e3/it);} }
}
