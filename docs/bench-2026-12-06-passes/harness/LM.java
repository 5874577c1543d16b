package io.ltm.model.internal;
import java.util.*;
public class LM {
  public static void main(String[] a){
    int n=512, rb=256; float[] dense=new float[n*rb];
    for(int i=0;i<n;i++){ double mu=(i/2)/255.0, sg=(i%2==0?0.01:0.03); for(int t=0;t<rb;t++){ double c=(t+0.5)/rb; double v=Math.exp(-0.5*Math.pow((c-mu)/sg,2))/rb/sg/2.5; dense[i*rb+t]= v<1e-7*0.0? 0f : (float)(v<1e-8?0:v);} }
    BandedRows m=BandedRows.of(dense,n,rb).foldRows(2);
    System.out.println("stored per row "+m.stored()/256.0);
    float[] w=new float[256]; Random r=new Random(1); for(int i=0;i<256;i++) w[i]=(float)Math.exp(r.nextGaussian());
    float[] out=new float[rb]; double best=1e9; float sink=0;
    for(int rep=0;rep<200000;rep++){ long t0=System.nanoTime(); m.leftMultiply(w,out); long t1=System.nanoTime(); sink+=out[7]; if(rep>50000) best=Math.min(best,(t1-t0)); }
    System.out.println("best ns "+best+" "+sink);
  }
}
