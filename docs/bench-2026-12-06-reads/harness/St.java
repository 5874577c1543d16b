import io.ltm.model.*;
import io.ltm.topology.codec.MemoryStateCodec;
import java.util.*;
public class St { public static void main(String[] a) throws Exception {
  MemoryConfig cfg = MemoryConfig.builder().dim(384).build(); Random rnd = new Random(1);
  try (LongTermMemory engine = LongTermMemory.create(cfg, ai.djl.Device.cpu())) {
    MemoryState s = MemoryState.empty(cfg);
    for (int c = 0; c < 2; c++) { int l = cfg.contractionLength(); s = engine.absorb(s, new TokenBatch(Rb.rv(rnd, l, 384), l, null, new TokenSource("b", 0, c, 0, null))); }
    System.out.println("stm count " + s.shortTermCount() + " L " + cfg.contractionLength());
    ReadOptions o = new ReadOptions(1, false, true, AttentionHeadKind.ZERO_SHOT);
    for (int i = 0; i < 10; i++) { var r = engine.readBatch(List.of(new ReadRequest("k", s, Rb.rv(rnd, 8, 384), 8, o))).get(0); System.out.println(r.spans().get(0).mu() + " " + r.spans().get(0).sigma() + " hits " + r.shortTermHits().size()); }
  } } }
