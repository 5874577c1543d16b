package io.ltm.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class KeyRouterTest {

    private static final int PARTITIONS = 4;
    private static final byte[] KEY = "chat-1".getBytes(StandardCharsets.UTF_8);
    private static final long NOW = 1_000_000L;

    /** A router whose record arrives on {@code partition} at {@link #NOW}: what it forwarded and asked for. */
    private static MockProcessorContext<byte[], byte[]> route(CommitPacer pacer, int partition) {
        KeyPartitioner partitioner = new KeyPartitioner();
        partitioner.partitions("internal", KEY, new byte[0], PARTITIONS); // the sink has written a record
        KeyRouter router = new KeyRouter(partitioner, "direct", "detour", pacer);
        MockProcessorContext<byte[], byte[]> context = new MockProcessorContext<>();
        context.setRecordMetadata("ltm.queries", partition, 0L);
        context.setCurrentSystemTimeMs(NOW);
        router.init(context);
        router.process(new Record<>(KEY, new byte[] {1}, 0L));
        return context;
    }

    private static int elsewhere() {
        return (KeyPartitioner.partition(KEY, PARTITIONS) + 1) % PARTITIONS;
    }

    @Test
    void aRecordOnItsKeysPartitionGoesStraightOnWithoutACommit() {
        MockProcessorContext<byte[], byte[]> context =
                route(new CommitPacer(0), KeyPartitioner.partition(KEY, PARTITIONS));
        assertThat(context.forwarded())
                .singleElement()
                .satisfies(f -> assertThat(f.childName()).hasValue("direct"));
        assertThat(context.committed()).isFalse();
    }

    @Test
    void aRecordOnAnotherPartitionTakesTheDetourAndAsksForACommit() {
        MockProcessorContext<byte[], byte[]> eager = route(new CommitPacer(0), elsewhere());
        assertThat(eager.forwarded())
                .singleElement()
                .satisfies(f -> assertThat(f.childName()).hasValue("detour"));
        assertThat(eager.committed())
                .as("the detour is read only after this task commits")
                .isTrue();
        assertThat(route(new CommitPacer(-1), elsewhere()).committed()).isFalse();
    }

    @Test
    void withinTheGapTheCommitWaitsForThePunctuation() {
        long gap = 50;
        CommitPacer pacer = new CommitPacer(gap); // one per process: shared by its tasks
        assertThat(route(pacer, elsewhere()).committed()).isTrue();
        MockProcessorContext<byte[], byte[]> second = route(pacer, elsewhere());
        assertThat(second.committed()).as("asked %d ms ago", 0).isFalse();
        var punctuator = second.scheduledPunctuators().get(0);
        assertThat(punctuator.getInterval().toMillis()).isEqualTo(gap);
        punctuator.getPunctuator().punctuate(NOW + gap - 1);
        assertThat(second.committed()).isFalse();
        punctuator.getPunctuator().punctuate(NOW + gap);
        assertThat(second.committed()).isTrue();
        second.resetCommit();
        punctuator.getPunctuator().punctuate(NOW + 3 * gap);
        assertThat(second.committed()).as("nothing written since").isFalse();
    }
}
