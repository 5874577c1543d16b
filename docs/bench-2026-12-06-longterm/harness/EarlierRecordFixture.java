import io.ltm.schemas.*;
import java.nio.file.*;
import java.time.Instant;
import java.util.*;

/** A MemoryState record as the release before packed sources wrote it to the ltm-memory store. */
public class EarlierRecordFixture {
    public static void main(String[] a) throws Exception {
        SourcePosition p1 = new SourcePosition("ltm.events", 2, 100L, Instant.ofEpochMilli(1_700_000_000_000L), "e100");
        SourcePosition p2 = new SourcePosition("ltm.events", 2, 101L, Instant.ofEpochMilli(1_700_000_001_000L), null);
        SourcePosition p3 = new SourcePosition("ltm.events", 2, 140L, Instant.ofEpochMilli(1_700_000_040_000L), "e140");
        SourcePosition p4 = new SourcePosition("other", 0, 7L, Instant.ofEpochMilli(1_700_000_050_000L), null);
        MemoryState s = MemoryState.newBuilder()
                .setBasisSize(4)
                .setDim(2)
                .setTokensAbsorbed(96)
                .setContractions(3)
                .setTimeline(List.of(new TimelineKnot(0.0, 0.0), new TimelineKnot(1.0, 95.0)))
                .setSources(List.of(
                        new SourceSegment(0L, p1, null),
                        new SourceSegment(32L, p2, p3),
                        new SourceSegment(64L, p4, null)))
                .setUpdatedAt(Instant.ofEpochMilli(1_700_000_060_000L))
                .build();
        byte[] b = new io.ltm.topology.codec.InternalRecordSerde<>(MemoryState.class).serializer().serialize("t", s);
        Files.write(Path.of(a[0]), b);
        System.out.println(b.length + " bytes");
    }
}
