package io.ltm.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class KeyRouterTest {

    private static final int PARTITIONS = 4;
    private static final byte[] KEY = "chat-1".getBytes(StandardCharsets.UTF_8);

    /** The children a record on {@code partition} went to, and whether the router asked for a commit. */
    private static MockProcessorContext<byte[], byte[]> route(boolean commitDetours, int partition) {
        KeyPartitioner partitioner = new KeyPartitioner();
        partitioner.partitions("internal", KEY, new byte[0], PARTITIONS); // the sink has written a record
        KeyRouter router = new KeyRouter(partitioner, "direct", "detour", commitDetours);
        MockProcessorContext<byte[], byte[]> context = new MockProcessorContext<>();
        context.setRecordMetadata("ltm.queries", partition, 0L);
        router.init(context);
        router.process(new Record<>(KEY, new byte[] {1}, 0L));
        return context;
    }

    @Test
    void aRecordOnItsKeysPartitionGoesStraightOnWithoutACommit() {
        MockProcessorContext<byte[], byte[]> context = route(true, KeyPartitioner.partition(KEY, PARTITIONS));
        assertThat(context.forwarded())
                .singleElement()
                .satisfies(f -> assertThat(f.childName()).hasValue("direct"));
        assertThat(context.committed()).isFalse();
    }

    @Test
    void aRecordOnAnotherPartitionTakesTheDetourAndAsksForACommitWhenTold() {
        int elsewhere = (KeyPartitioner.partition(KEY, PARTITIONS) + 1) % PARTITIONS;
        MockProcessorContext<byte[], byte[]> eager = route(true, elsewhere);
        assertThat(eager.forwarded())
                .singleElement()
                .satisfies(f -> assertThat(f.childName()).hasValue("detour"));
        assertThat(eager.committed())
                .as("the detour is read only after this task commits")
                .isTrue();
        assertThat(route(false, elsewhere).committed()).isFalse();
    }
}
