package io.ltm.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.topology.api.Crc32Placement;
import io.ltm.topology.api.KeyPlacement;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.Murmur2Placement;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class KeyRouterTest {

    private static final int PARTITIONS = 4;
    private static final byte[] KEY = "chat-1".getBytes(StandardCharsets.UTF_8);
    private static final long NOW = 1_000_000L;
    private static final KeyPartitioner MURMUR2 = new KeyPartitioner(new Murmur2Placement());

    /** A router of a task whose records come from {@code partition} at {@code offset}, at {@code nowMs}. */
    private record Routing(KeyRouter router, MockProcessorContext<byte[], byte[]> context) {
        static Routing at(CommitPacer pacer, int partition, long offset, long nowMs) {
            return at(MURMUR2, pacer, partition, offset, nowMs);
        }

        static Routing at(KeyPartitioner partitioner, CommitPacer pacer, int partition, long offset, long nowMs) {
            partitioner.partitions("ltm.queries", KEY, new byte[0], PARTITIONS); // the sink has written a record
            KeyRouter router = new KeyRouter(partitioner, "direct", "detour", pacer);
            MockProcessorContext<byte[], byte[]> context = new MockProcessorContext<>();
            context.setRecordMetadata("ltm.queries", partition, offset);
            context.setCurrentSystemTimeMs(nowMs);
            router.init(context);
            return new Routing(router, context);
        }

        MockProcessorContext<byte[], byte[]> process(Record<byte[], byte[]> record) {
            router.process(record);
            return context;
        }
    }

    /** A router whose record arrives on {@code partition} at {@link #NOW}: what it forwarded and asked for. */
    private static MockProcessorContext<byte[], byte[]> route(CommitPacer pacer, int partition) {
        return Routing.at(pacer, partition, 0L, NOW).process(new Record<>(KEY, new byte[] {1}, 0L));
    }

    private static int elsewhere() {
        return (MURMUR2.partition(KEY, PARTITIONS) + 1) % PARTITIONS;
    }

    @Test
    void aRecordOnItsKeysPartitionGoesStraightOnWithoutACommit() {
        MockProcessorContext<byte[], byte[]> context = route(new CommitPacer(0), MURMUR2.partition(KEY, PARTITIONS));
        assertThat(context.forwarded())
                .singleElement()
                .satisfies(f -> assertThat(f.childName()).hasValue("direct"));
        assertThat(context.committed()).isFalse();
    }

    @Test
    void withTheCrc32PlacementARecordWhereLibrdkafkaPutsItGoesStraightOnAndOneWhereJavaPutsItTakesTheDetour() {
        KeyPartitioner crc32 = new KeyPartitioner(new Crc32Placement());
        int librdkafka = crc32.partition(KEY, PARTITIONS);
        int java = MURMUR2.partition(KEY, PARTITIONS);
        assertThat(librdkafka).as("the test's key is placed apart by the two").isNotEqualTo(java);
        assertThat(Routing.at(crc32, new CommitPacer(0), librdkafka, 0L, NOW)
                        .process(new Record<>(KEY, new byte[] {1}, 0L))
                        .forwarded())
                .singleElement()
                .satisfies(f -> assertThat(f.childName()).hasValue("direct"));
        assertThat(Routing.at(crc32, new CommitPacer(0), java, 0L, NOW)
                        .process(new Record<>(KEY, new byte[] {1}, 0L))
                        .forwarded())
                .singleElement()
                .satisfies(f -> assertThat(f.childName()).hasValue("detour"));
    }

    @Test
    void recordsKeyedByStringsArePlacedOnTheirKeysPartitionByThePlacement() {
        for (KeyPlacement placement : KeyPlacement.all()) {
            for (int i = 0; i < 100; i++) {
                String key = "chat-" + i;
                assertThat(KeyPartitioner.<Object>ofStringKeys(placement).partitions("t", key, null, 7))
                        .contains(Set.of(placement.partition(key.getBytes(StandardCharsets.UTF_8), 7)));
            }
        }
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
    void aDetourIsMarkedWithWhereItWasReadFirstAndKeepsAnEarlierMark() {
        Routing routing = Routing.at(new CommitPacer(-1), elsewhere(), 41L, NOW);
        MockProcessorContext<byte[], byte[]> context = routing.context();
        Record<byte[], byte[]> original = new Record<>(KEY, new byte[] {1}, 0L);
        routing.process(original);
        assertThat(context.forwarded()
                        .get(0)
                        .record()
                        .headers()
                        .lastHeader(Names.HEADER_ROUTED_FROM)
                        .value())
                .asString(StandardCharsets.US_ASCII)
                .isEqualTo(elsewhere() + ":41");
        assertThat(original.headers().toArray())
                .as("the input record is not changed")
                .isEmpty();
        assertThat(RoutedFrom.of(context.forwarded().get(0).record().headers()))
                .contains(new RoutedFrom(elsewhere(), 41L));

        context.resetForwards();
        context.setRecordMetadata("ltm.queries", elsewhere(), 99L);
        routing.process(marked("2:7"));
        assertThat(RoutedFrom.of(context.forwarded().get(0).record().headers()))
                .as("routed again (the partitions changed): still named where its producer wrote it")
                .contains(new RoutedFrom(2, 7L));

        context.resetForwards();
        routing.process(marked("not a position"));
        assertThat(RoutedFrom.of(context.forwarded().get(0).record().headers()))
                .as("a producer's own header of that name is not taken for a position")
                .contains(new RoutedFrom(elsewhere(), 99L));
    }

    @Test
    void aRecordTooLargeToWriteAgainGoesOnWhereItIs() {
        Routing routing = Routing.at(new CommitPacer(-1), elsewhere(), 0L, NOW);
        MockProcessorContext<byte[], byte[]> context =
                routing.process(new Record<>(KEY, new byte[LtmConfig.MAX_STATE_BYTES - 100], 0L));
        assertThat(context.forwarded())
                .as("the producer would refuse the copy; the processor sends the record to the dead-letter topic")
                .singleElement()
                .satisfies(f -> assertThat(f.childName()).hasValue("direct"));
        routing.process(new Record<>(KEY, new byte[1 << 20], 0L));
        assertThat(context.forwarded().get(1).childName()).hasValue("detour");
    }

    @Test
    void outputThatAnotherTaskOfTheThreadAskedACommitForAfterItAsksNone() {
        long gap = 50;
        CommitPacer pacer = new CommitPacer(gap);
        assertThat(route(pacer, elsewhere()).committed()).isTrue();
        MockProcessorContext<byte[], byte[]> waiting = route(pacer, elsewhere()); // within the gap: pending
        assertThat(waiting.committed()).isFalse();
        MockProcessorContext<byte[], byte[]> later =
                Routing.at(pacer, elsewhere(), 1L, NOW + gap).process(new Record<>(KEY, new byte[] {1}, 0L));
        assertThat(later.committed()).as("the gap has passed").isTrue();
        // the stream thread commits all its tasks at once: the waiting output goes with that commit
        waiting.scheduledPunctuators().get(0).getPunctuator().punctuate(NOW + 3 * gap);
        assertThat(waiting.committed()).isFalse();
    }

    private static Record<byte[], byte[]> marked(String from) {
        Record<byte[], byte[]> r = new Record<>(KEY, new byte[] {1}, 0L);
        r.headers().add(Names.HEADER_ROUTED_FROM, from.getBytes(StandardCharsets.US_ASCII));
        return r;
    }

    @Test
    void withinTheGapTheCommitWaitsForThePunctuation() {
        long gap = 50;
        CommitPacer pacer = new CommitPacer(gap); // one per process: shared by its tasks
        assertThat(route(pacer, elsewhere()).committed()).isTrue();
        MockProcessorContext<byte[], byte[]> second = route(pacer, elsewhere());
        assertThat(second.committed()).as("asked %d ms ago", 0).isFalse();
        var punctuator = second.scheduledPunctuators().get(0);
        assertThat(punctuator.getInterval().toMillis()).as("a fifth of the gap").isEqualTo(gap / 5);
        punctuator.getPunctuator().punctuate(NOW + gap - 1);
        assertThat(second.committed()).isFalse();
        punctuator.getPunctuator().punctuate(NOW + gap);
        assertThat(second.committed()).isTrue();
        second.resetCommit();
        punctuator.getPunctuator().punctuate(NOW + 3 * gap);
        assertThat(second.committed()).as("nothing written since").isFalse();
    }
}
