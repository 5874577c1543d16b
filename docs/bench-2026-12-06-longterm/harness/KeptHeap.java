import io.ltm.model.*;
import io.ltm.schemas.SourcePosition;
import io.ltm.schemas.SourceSegment;
import io.ltm.topology.codec.*;
import java.time.Instant;
import java.util.*;
import java.util.function.Supplier;

/**
 * Heap held by a long-term record of 1,024 source segments (a third merged, half with source ids) and its decoded
 * timeline, as DecodedLongTerm keeps them: {@code packed} as this release writes the record, {@code records} as the
 * release before wrote it (segments as Avro records). Heap after a full GC, divided by the entries kept.
 */
public class KeptHeap {
    public static void main(String[] a) throws Exception {
        boolean packed = a[0].equals("packed");
        int n = packed ? 300 : 200;
        Supplier<Object> entry = packed ? packedEntry() : recordsEntry();
        Object[] keep = new Object[n];
        Runtime rt = Runtime.getRuntime();
        System.gc(); Thread.sleep(200); System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        for (int i = 0; i < n; i++) keep[i] = entry.get();
        System.gc(); Thread.sleep(200); System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        System.out.printf("%s, %d entries: %.0f bytes each%n", a[0], n, (after - before) / (double) n);
        if (keep.length == 0) System.out.println();
    }

    /** The packed bytes as a record read from the store holds them, and the timeline decoded from them. */
    static Supplier<Object> packedEntry() {
        long[] first = new long[1024];
        List<TokenSource> s = new ArrayList<>(), l = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            first[i] = 64L * i;
            TokenSource src = new TokenSource("ltm.events", 0, 2L * i, 1_700_000_000_000L + 2000L * i, i % 2 == 0 ? null : "id-" + i);
            s.add(src);
            l.add(i % 3 == 0 ? new TokenSource("ltm.events", 0, 2L * i + 1, 1_700_000_000_000L + 2000L * i + 5, null) : src);
        }
        java.nio.ByteBuffer p = PackedSources.encode(new PackedSources.Segments(first, s, l));
        byte[] bytes = new byte[p.remaining()];
        p.get(bytes);
        System.out.println("packed record bytes " + bytes.length);
        return () -> {
            java.nio.ByteBuffer own = java.nio.ByteBuffer.wrap(bytes.clone());
            PackedSources.Segments seg = PackedSources.decode(own);
            return new Object[] {own, Timeline.of(new double[] {0, 1}, new double[] {0, 65535}, seg.firstTokens(), seg.sources(), seg.lastSources())};
        };
    }

    /** The record decoded by the store's serde, and its timeline. */
    static Supplier<Object> recordsEntry() {
        List<SourceSegment> segs = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            SourcePosition p = new SourcePosition("ltm.events", 0, 2L * i, Instant.ofEpochMilli(1_700_000_000_000L + 2000L * i), i % 2 == 0 ? null : "id-" + i);
            SourcePosition q = i % 3 == 0 ? new SourcePosition("ltm.events", 0, 2L * i + 1, Instant.ofEpochMilli(1_700_000_000_000L + 2000L * i + 5), null) : null;
            segs.add(new SourceSegment(64L * i, p, q));
        }
        io.ltm.schemas.MemoryState rec = io.ltm.schemas.MemoryState.newBuilder().setBasisSize(4).setDim(2).setSources(segs).build();
        var serde = new InternalRecordSerde<>(io.ltm.schemas.MemoryState.class);
        byte[] bytes = serde.serializer().serialize("t", rec);
        System.out.println("record bytes " + bytes.length);
        return () -> {
            io.ltm.schemas.MemoryState r = serde.deserializer().deserialize("t", bytes);
            return new Object[] {r, MemoryStateCodec.timeline(r)};
        };
    }
}
