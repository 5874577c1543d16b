package io.ltm.topology.internal;
import java.util.*;
public class NoveltyScoresA {
  public static void main(String[] a){
    int d=384,k=64,j=Integer.parseInt(a[0]),keys=Integer.parseInt(a[1]); Random r=new Random(1);
    Novelty.Summary[] ss=new Novelty.Summary[keys]; List<List<float[]>> recs=new ArrayList<>();
    for(int x=0;x<keys;x++){ float[] v=new float[k*d]; for(int i=0;i<v.length;i++) v[i]=(float)r.nextGaussian(); ss[x]=new Novelty.Summary(k,1000,new float[k],v);
    List<float[]> rec=new ArrayList<>(); for(int i=0;i<j;i++){float[] m=new float[d]; for(int t=0;t<d;t++) m[t]=(float)r.nextGaussian(); rec.add(m);} recs.add(rec);}
    float[] u=new float[d]; for(int t=0;t<d;t++) u[t]=(float)r.nextGaussian();
    byte[] junk=new byte[64<<20];
    double acc=0;
    for(int rep=0;rep<5;rep++){ long t0=System.nanoTime(); int n=0; while(System.nanoTime()-t0<1_000_000_000L){ int x=n%keys; acc+=Novelty.score(u,ss[x],recs.get(x)).novelty(); n++; if(a.length>2) for(int q=0;q<junk.length;q+=4096) junk[q]++;} System.out.printf("us/score %.2f%n",1e6/n);}
    System.out.println(acc>0);
  }
}
