// The seed-42 schedule of ChaosKillTest's worker variant. Run: javac -cp "cli/target/lib/*" ChaosSchedule.java; java -cp "cli/target/lib/*:." ChaosSchedule
import java.util.*;
import io.ltm.model.encoder.HashingEncoder;
public class ChaosSchedule { public static void main(String[] a) throws Exception {
  String[] WORDS={"disk","full","user","login","failed","restart","cron","ok","kernel","panic","eth0","link","down","up","backup","done","error","timeout","retry","sshd","accepted","closed","memory","swap","oom"};
  Random rnd=new Random(42); int events=2400, KEYS=12, DIM=16;
  List<String> keys=new ArrayList<>(); List<String> texts=new ArrayList<>();
  try (HashingEncoder enc=new HashingEncoder(DIM)) {
  for(int i=0;i<events;i++){ String key="chaos-"+rnd.nextInt(KEYS); StringBuilder t=new StringBuilder(); for(int w=1+rnd.nextInt(12);w>0;w--) t.append(WORDS[rnd.nextInt(WORDS.length)]).append(w>1?" ":""); keys.add(key); texts.add(t.toString()); }
  for(int q=0;q<KEYS*3;q++) for(int i=0;i<2*DIM;i++) rnd.nextGaussian();
  int kills=10; int perKill=events/(kills+1); List<Integer> killAt=new ArrayList<>();
  for(int j=0;j<kills;j++) killAt.add((j+1)*perKill-perKill/2+rnd.nextInt(perKill));
  int br=events/2+rnd.nextInt(perKill/2);
  System.out.println("killAt "+killAt+" brokerRestartAt "+br);
  int killed=0;
  for(int i=0;i<events;i++){
    if(i%20==0) for(int j=0;j<2*DIM;j++) rnd.nextGaussian();
    if(killed<kills && i==killAt.get(killed)){
      String[] vict={"NODE","NODE","ENCODE","NODE","ATTEND"}; String kind=vict[killed%5];
      if(kind.equals("NODE")) rnd.nextInt(3);
      long pause = rnd.nextBoolean()?0:3000+rnd.nextInt(9000);
      System.out.println("kill "+killed+" at "+i+" "+kind+" pause "+pause);
      killed++;
    }
  }
  long c8=0; for(int i=0;i<=br;i++) if(keys.get(i).equals("chaos-8")) c8+=enc.countTokens(texts.get(i));
  long tot=0; for(int i=0;i<events;i++) if(keys.get(i).equals("chaos-8")) tot+=enc.countTokens(texts.get(i));
  System.out.println("chaos-8 at restart "+c8+" of "+tot);
  // where does the count reach 610
  long c=0; for(int i=0;i<events;i++){ if(keys.get(i).equals("chaos-8")){ c+=enc.countTokens(texts.get(i)); if(c>=600&&c<=620) System.out.println("i="+i+" c="+c);} }
  }
}}
