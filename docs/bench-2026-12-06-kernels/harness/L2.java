import java.util.*;
import jdk.incubator.vector.*;
public class L2 {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static float[][] rows; static int[] lo, hi, lo16, hi16; static int R=256, C=256;
    static void cur(float[] w, float[] out){ Arrays.fill(out,0f); for(int i=0;i<R;i++){ float wi=w[i]; if(wi==0f) continue; float[] row=rows[i]; for(int j=lo[i],e=hi[i];j<e;j++) out[j]+=wi*row[j]; } }
    static void blk(float[] w, float[] out){ Arrays.fill(out,0f); for(int i=0;i<R;i++){ float wi=w[i]; if(wi==0f) continue; float[] row=rows[i]; for(int v=lo16[i],e=hi16[i];v<e;v+=16){ for(int j=0;j<16;j++) out[v+j]+=wi*row[v+j]; } } }
    static void vec(float[] w, float[] out){ Arrays.fill(out,0f); for(int i=0;i<R;i++){ float wi=w[i]; if(wi==0f) continue; float[] row=rows[i]; for(int v=lo16[i],e=hi16[i];v<e;v+=16){ FloatVector.fromArray(S,row,v).mul(wi).add(FloatVector.fromArray(S,out,v)).intoArray(out,v);} } }
    public static void main(String[] a) {
        C=Integer.parseInt(a[0]); double sg=Double.parseDouble(a[1]);
        rows = new float[R][C]; lo=new int[R]; hi=new int[R]; lo16=new int[R]; hi16=new int[R];
        for (int i=0;i<R;i++){ double mu=(i+0.5)/R; for(int j=0;j<C;j++){ double t=(j+0.5)/C, z=(t-mu)/sg; double m=Math.exp(-0.5*z*z)/C; if (z*z/2<17) rows[i][j]=(float)m; }
          int x=0; while(x<C&&rows[i][x]==0)x++; int y=C; while(y>x&&rows[i][y-1]==0)y--; lo[i]=x; hi[i]=y; lo16[i]=x&~15; hi16[i]=Math.min(C,(y+15)&~15);}
        float[] w=new float[R]; Random r=new Random(1); for(int i=0;i<R;i++) w[i]=r.nextFloat(); float[] o1=new float[C],o2=new float[C],o3=new float[C];
        cur(w,o1); blk(w,o2); vec(w,o3); System.out.println("band "+(hi[100]-lo[100])+" same "+Arrays.equals(o1,o2)+" "+Arrays.equals(o1,o3));
        for (int rep=0;rep<6;rep++){
          long t0=System.nanoTime(); int n=0; while(System.nanoTime()-t0<3e8){ cur(w,o1); n++; } double ta=(System.nanoTime()-t0)/1e3/n;
          t0=System.nanoTime(); n=0; while(System.nanoTime()-t0<3e8){ blk(w,o2); n++; } double tb=(System.nanoTime()-t0)/1e3/n;
          t0=System.nanoTime(); n=0; while(System.nanoTime()-t0<3e8){ vec(w,o3); n++; } double tc=(System.nanoTime()-t0)/1e3/n;
          System.out.printf("cur %.2f blk16 %.2f vec %.2f us%n", ta,tb,tc);
        }
    }
}
