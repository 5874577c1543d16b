public class Ax { public static void main(String[] a) {
  int d=384, n=512, keys=256, bandw=118; double[][] bd=new double[n][d]; float[][] bf=new float[n][d]; java.util.Random r=new java.util.Random(1);
  for (int k=0;k<n;k++) for(int j=0;j<d;j++){ bd[k][j]=r.nextGaussian(); bf[k][j]=(float)bd[k][j]; }
  double[] w=new double[bandw]; for(int i=0;i<bandw;i++) w[i]=r.nextDouble();
  double[] x=new double[d]; float[] xf=new float[d];
  for(int rep=0;rep<6;rep++){
    long t0=System.nanoTime(); int it=0; double sink=0;
    while(System.nanoTime()-t0<5e8){ for(int i=0;i<keys;i++){ java.util.Arrays.fill(x,0); int lo=Math.min(n-bandw, Math.max(0,2*i-bandw/2)); for(int k=0;k<bandw;k++){ double wk=w[k]; double[] row=bd[lo+k]; for(int j=0;j<d;j++) x[j]+=wk*row[j]; } sink+=x[3]; } it++; }
    double td=(System.nanoTime()-t0)/1e3/it;
    t0=System.nanoTime(); it=0;
    while(System.nanoTime()-t0<5e8){ for(int i=0;i<keys;i++){ java.util.Arrays.fill(xf,0); int lo=Math.min(n-bandw, Math.max(0,2*i-bandw/2)); for(int k=0;k<bandw;k++){ float wk=(float)w[k]; float[] row=bf[lo+k]; for(int j=0;j<d;j++) xf[j]+=wk*row[j]; } sink+=xf[3]; } it++; }
    double tf=(System.nanoTime()-t0)/1e3/it;
    t0=System.nanoTime(); it=0;
    while(System.nanoTime()-t0<5e8){ for(int i=0;i<keys;i++){ java.util.Arrays.fill(x,0); int lo=Math.min(n-bandw, Math.max(0,2*i-bandw/2)); int k=0; for(;k+3<bandw;k+=4){ double w0=w[k],w1=w[k+1],w2=w[k+2],w3=w[k+3]; double[] r0=bd[lo+k],r1=bd[lo+k+1],r2=bd[lo+k+2],r3=bd[lo+k+3]; for(int j=0;j<d;j++) x[j]+=(w0*r0[j]+w1*r1[j])+(w2*r2[j]+w3*r3[j]); } for(;k<bandw;k++){ double wk=w[k]; double[] row=bd[lo+k]; for(int j=0;j<d;j++) x[j]+=wk*row[j]; } sink+=x[3]; } it++; }
    double t4=(System.nanoTime()-t0)/1e3/it;
    System.out.printf("double %.0f us, float %.0f us, double4 %.0f us per build %s%n", td, tf, t4, sink>0?"":" ");
  } } }
