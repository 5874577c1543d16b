import java.util.*;
public class Lm {
    static int R=256, C=256;
    public static void main(String[] a) {
        float[][] rows = new float[R][C]; int[] lo = new int[R], hi = new int[R];
        for (int i=0;i<R;i++){ double mu=(i+0.5)/R; for(int j=0;j<C;j++){ double t=(j+0.5)/C, z=(t-mu)/0.01; double m=Math.exp(-0.5*z*z)/256; if (z*z/2<17) rows[i][j]=(float)m; }
          int x=0; while(x<C&&rows[i][x]==0)x++; int y=C; while(y>x&&rows[i][y-1]==0)y--; lo[i]=x; hi[i]=y; }
        int[] plo=new int[R], phi=new int[R]; for(int i=0;i<R;i++){ plo[i]=lo[i]&~63; phi[i]=Math.min(C,(hi[i]+63)&~63);} 
        int W=16, W2=2*W+1; float[][] diag=new float[W2][R]; for(int o=0;o<W2;o++) for(int i=0;i<R;i++){ int j=i+o-W; if(j>=0&&j<C) diag[o][i]=rows[i][j]; }
        float[] w=new float[R]; Random r=new Random(1); for(int i=0;i<R;i++) w[i]=r.nextFloat(); float[] out=new float[C];
        System.out.println("band " + (hi[100]-lo[100]) + " padded " + (phi[100]-plo[100]));
        for (int rep=0;rep<6;rep++){
          long t0=System.nanoTime(); int n=0; double sink=0;
          while(System.nanoTime()-t0<3e8){ Arrays.fill(out,0); for(int i=0;i<R;i++){ float wi=w[i]; float[] row=rows[i]; for(int j=lo[i],e=hi[i];j<e;j++) out[j]+=wi*row[j]; } sink+=out[5]; n++; }
          double tb=(System.nanoTime()-t0)/1e3/n; t0=System.nanoTime(); n=0;
          while(System.nanoTime()-t0<3e8){ Arrays.fill(out,0); for(int i=0;i<R;i++){ float wi=w[i]; float[] row=rows[i]; for(int j=0;j<C;j++) out[j]+=wi*row[j]; } sink+=out[5]; n++; }
          double td=(System.nanoTime()-t0)/1e3/n; t0=System.nanoTime(); n=0;
          while(System.nanoTime()-t0<3e8){ Arrays.fill(out,0); for(int i=0;i<R;i++){ float wi=w[i]; float[] row=rows[i]; for(int j=plo[i],e=phi[i];j<e;j++) out[j]+=wi*row[j]; } sink+=out[5]; n++; }
          double tp=(System.nanoTime()-t0)/1e3/n;
          t0=System.nanoTime(); n=0;
          while(System.nanoTime()-t0<3e8){ Arrays.fill(out,0); for(int o=0;o<W2;o++){ float[] dg=diag[o]; int off=o-W; int from=Math.max(0,-off), to=Math.min(R, C-off); for(int i=from;i<to;i++) out[i+off]+=w[i]*dg[i]; } sink+=out[5]; n++; }
          double tg=(System.nanoTime()-t0)/1e3/n;
          System.out.printf("banded %.2f dense %.2f padded64 %.2f diag %.2f us %s%n", tb, td, tp, tg, sink>0?"":" ");
        }
    }
}
