public class Rt { public static void main(String[] a) throws Exception {
  Thread t = new Thread(() -> { try { Rb.main(a); } catch (Exception e) { throw new RuntimeException(e);} }); 
  long[] T = io.ltm.model.internal.HostZeroShot.T;
  t.start(); Thread.sleep(Long.parseLong(a[3])); long[] s = T.clone(); t.join(); 
  String[] names={"scores","attention","profile+sticky","dens","modes","psi","Bpass","final"}; long tot=0; for(int i=0;i<8;i++) tot+=T[i]-s[i];
  for(int i=0;i<8;i++) System.out.printf("%s %.1f%%%n", names[i], 100.0*(T[i]-s[i])/tot); } }
