import io.ltm.model.*;
import io.ltm.schemas.SourcePosition;
import io.ltm.schemas.SourceSegment;
import io.ltm.topology.codec.*;
import java.time.Instant;
import java.util.*;

/** Heap held by a long-term record of 1,024 segments as Avro records (before packing) and its decoded timeline. */
public class KeptHeapRecords {
    public static void main(String[] a) throws Exception {
        List<SourceSegment> segs = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            SourcePosition p = new SourcePosition("ltm.events", 0, 2L * i, Instant.ofEpochMilli(1_700_000_000_000L + 2000L * i), i % 2 == 0 ? null : "id-" + i);
            SourcePosition q = i % 3 == 0 ? new SourcePosition("ltm.events", 0, 2L * i + 1, Instant.ofEpochMilli(1_700_000_000_000L + 2000L * i + 5), null) : null;
            segs.add(new SourceSegment(64L * i, p, q));
        }
        io.ltm.schemas.MemoryState rec = io.ltm.schemas.MemoryState.newBuilder().setBasisSize(4).setDim(2).setSources(segs).build();
        var serde = new InternalRecordSerde<>(io.ltm.schemas.MemoryState.class);
        byte[] bytes = serde.serializer().serialize("t", rec);
        int n = 200;
        Object[] keep = new Object[n];
        Runtime rt = Runtime.getRuntime();
        System.gc(); Thread.sleep(200); System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        for (int i = 0; i < n; i++) {
            io.ltm.schemas.MemoryState r = serde.deserializer().deserialize("t", bytes);
            keep[i] = new Object[] {r, MemoryStateCodec.timeline(r)};
        }
        System.gc(); Thread.sleep(200); System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        System.out.printf("%d entries: %.0f bytes each (record bytes %d, 1,024 segments as Avro records, a third merged, half with ids)%n", n, (after - before) / (double) n, bytes.length);
        if (keep.length == 0) System.out.println();
    }
}
