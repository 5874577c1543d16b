package io.ltm.topology.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.TokenBatch;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.AttentionHead;
import io.ltm.schemas.AttentionRequest;
import io.ltm.schemas.ControlAction;
import io.ltm.schemas.ControlCommand;
import io.ltm.schemas.DeadLetter;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.QueryOptions;
import io.ltm.topology.TestFixtures;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.codec.MemoryStateCodec;
import io.ltm.topology.internal.ChangelogMemory;
import io.ltm.topology.internal.MemoryReplicas;
import io.ltm.topology.internal.Names;
import io.ltm.topology.internal.ShortTermIndex;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AttentionWorkerTest {

    // reads held for an hour: a test sees them sent only when it asks (due(true)), however slow the machine
    private final WorkerHarness h = new WorkerHarness(TestFixtures.config(
            "attend-" + UUID.randomUUID(), Map.of(LtmConfig.ATTENTION_READS_INTERVAL_MS, 3_600_000L)));
    private final MemoryConfig memory = h.config.memoryConfig();
    private final LongTermMemory engine = LongTermMemory.create(memory, Device.cpu());
    private final MockConsumer<byte[], byte[]> changelogs = new MockConsumer<>("earliest");
    private MemoryReplicas replicas;
    private final AttentionWorker worker = new AttentionWorker(
            h.config,
            new HashingEncoder(TestFixtures.DIM),
            engine,
            h.consumer,
            () -> h.producer,
            cache -> replicas = new MemoryReplicas(h.config, cache, changelogs));

    @AfterEach
    void close() {
        engine.close();
    }

    private byte[] request(String queryId, AttentionHead head) {
        MemoryState state = engine.absorb(
                MemoryState.empty(memory),
                new TokenBatch(TestFixtures.vectors(new Random(1), TestFixtures.L), TestFixtures.L, null, null));
        MemoryQuery q = MemoryQuery.newBuilder()
                .setQueryId(queryId)
                .setKey("k")
                .setText("what happened")
                .setOptions(QueryOptions.newBuilder().setHead(head).build())
                .build();
        return h.serialize(
                AttentionRequest.class,
                "ltm.attention-requests",
                AttentionRequest.newBuilder()
                        .setQuery(q)
                        .setState(MemoryStateCodec.toAvro(state, memory))
                        .build());
    }

    @Test
    void replicasFollowTheRequestPartitionsAndOneKeptThroughARebalanceIsNotRebuilt() {
        String index = ChangelogMemory.changelog(h.config, Names.STORE_SHORT_TERM_INDEX);
        Map<TopicPartition, Long> begin = new HashMap<>();
        for (String store : List.of(
                Names.STORE_MEMORY,
                Names.STORE_SHORT_TERM,
                Names.STORE_SHORT_TERM_INDEX,
                Names.STORE_TERMS,
                Names.STORE_COEFFICIENTS)) {
            for (int p = 0; p < 2; p++) {
                begin.put(new TopicPartition(ChangelogMemory.changelog(h.config, store), p), 0L);
            }
        }
        changelogs.updateBeginningOffsets(begin);
        TopicPartition requests0 = new TopicPartition("ltm.attention-requests", 0);
        TopicPartition requests1 = new TopicPartition("ltm.attention-requests", 1);
        h.consumer.rebalance(List.of(requests0, requests1));
        assertThat(changelogs.assignment()).hasSize(10); // five changelogs, two partitions
        changelogs.addRecord(new ConsumerRecord<>(
                index,
                1,
                0,
                "k".getBytes(StandardCharsets.UTF_8),
                ShortTermIndex.serde().serializer().serialize(index, new ShortTermIndex(1, 3, 0, 0))));
        replicas.poll(Duration.ZERO);
        assertThat(replicas.keys()).isEqualTo(1);

        h.consumer.rebalance(List.of(requests1));
        assertThat(changelogs.assignment())
                .extracting(TopicPartition::partition)
                .containsOnly(1)
                .hasSize(5);
        assertThat(replicas.keys())
                .as("partition 1's replica is kept, not rebuilt")
                .isEqualTo(1);
        h.consumer.rebalance(List.of(requests0));
        assertThat(changelogs.assignment())
                .extracting(TopicPartition::partition)
                .containsOnly(0)
                .hasSize(5);
        assertThat(replicas.keys()).isZero();
    }

    @Test
    void theTrainedHeadWithoutWeightsIsAnsweredWithAnErrorPerRecordAndTheRestOfTheBatchIsAnswered() {
        byte[] k = "k".getBytes(StandardCharsets.UTF_8);
        List<ProducerRecord<String, byte[]>> out =
                worker.process(h.add("ltm.attention-requests", k, request("q-trained", AttentionHead.TRAINED))
                        .add("ltm.attention-requests", k, request("q-zero", AttentionHead.ZERO_SHOT))
                        .batch());
        assertThat(h.values(out, "ltm.dlq", DeadLetter.class))
                .singleElement()
                .satisfies(d -> assertThat(d.getErrorMessage()).contains("TRAINED"));
        List<MemoryResponse> answers = h.values(out, "ltm.responses", MemoryResponse.class);
        assertThat(answers).extracting(MemoryResponse::getQueryId).containsExactly("q-trained", "q-zero");
        assertThat(answers.get(0).getFound()).isFalse();
        assertThat(answers.get(0).getError()).contains("TRAINED");
        assertThat(answers.get(1).getFound()).isTrue();
        assertThat(answers.get(1).getSpans()).isNotEmpty();
    }

    /** One request for key k as a batch of its own. */
    private ConsumerRecords<byte[], byte[]> one(String queryId) {
        return new WorkerHarness(h.config)
                .add(
                        "ltm.attention-requests",
                        "k".getBytes(StandardCharsets.UTF_8),
                        request(queryId, AttentionHead.ZERO_SHOT))
                .batch();
    }

    @Test
    void readsAreHeldSummedPerKeyAndSentWhenTheIntervalHasPassedOrTheWorkerCloses() {
        // the test's worker holds reads for an hour: nothing is sent with the answers
        for (String id : List.of("q1", "q2")) {
            List<ProducerRecord<String, byte[]>> out = worker.process(one(id));
            assertThat(h.values(out, "ltm.responses", MemoryResponse.class)).hasSize(1);
            assertThat(h.values(out, "ltm.queries", ControlCommand.class)).isEmpty();
            worker.committed();
        }
        assertThat(worker.due(false)).as("the interval has not passed").isEmpty();
        // an aborted batch's reads are dropped: the batch is read again and answered again
        worker.process(one("q3"));
        worker.aborted();

        // the same two requests, each sent at once by a worker with interval 0
        Map<String, Object> eagerConfig = new HashMap<>(h.config.originals()); // the same registry scope
        eagerConfig.put(LtmConfig.ATTENTION_READS_INTERVAL_MS, 0L);
        WorkerHarness h0 = new WorkerHarness(new LtmConfig(eagerConfig));
        AttentionWorker eager = new AttentionWorker(
                h0.config,
                new HashingEncoder(TestFixtures.DIM),
                engine,
                h0.consumer,
                () -> h0.producer,
                cache -> new MemoryReplicas(h0.config, cache, new MockConsumer<>("earliest")));
        double[] expected = new double[memory.stickyBins()];
        for (String id : List.of("q1", "q2")) {
            List<ProducerRecord<String, byte[]>> out = eager.process(one(id));
            // on the queries topic, marked as reads: on the control topic they held the node's next queries back
            assertThat(out)
                    .filteredOn(r -> r.topic().equals("ltm.queries"))
                    .singleElement()
                    .satisfies(r -> assertThat(r.headers().lastHeader(Names.HEADER_WORKER_READS))
                            .isNotNull());
            assertThat(out).noneMatch(r -> r.topic().equals("ltm.control"));
            List<ControlCommand> sent = h0.values(out, "ltm.queries", ControlCommand.class);
            eager.committed();
            assertThat(sent)
                    .singleElement()
                    .satisfies(c -> assertThat(c.getAction()).isEqualTo(ControlAction.RECORD_READS));
            for (int i = 0; i < expected.length; i++) {
                expected[i] += sent.get(0).getAttentionHistogram().get(i);
            }
        }

        List<ProducerRecord<String, byte[]>> closing = worker.due(true);
        assertThat(closing).singleElement().satisfies(r -> assertThat(r.key()).isEqualTo("k"));
        List<Double> held =
                h.values(closing, "ltm.queries", ControlCommand.class).get(0).getAttentionHistogram();
        for (int i = 0; i < expected.length; i++) {
            assertThat(held.get(i)).as("bin " + i).isCloseTo(expected[i], within(1e-12));
        }
        worker.committed();
        assertThat(worker.due(true)).as("sent once").isEmpty();
    }
}
