package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.embedded.EmbeddedKafkaBroker;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.TokenEvent;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.testutils.SmallMemory;
import io.ltm.testutils.it.NodeSettings;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import io.ltm.topology.api.TopicProvisioner;
import io.ltm.topology.worker.EncodeWorker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: a backfill of events dated years ago, produced the way a backfill tool does it (each record stamped
 * with its event's time), through the whole pipeline on a broker that enforces retention every
 * {@link #RETENTION_CHECK}: every token is absorbed, nothing is deleted before it is read, and the event times
 * survive in the memory's timeline.
 */
class BackfillRetentionTest {

    /** How often the broker deletes expired segments: short, so expiry would happen during the test. */
    static final Duration RETENTION_CHECK = Duration.ofMillis(200);

    static final long WEEK_MS = Duration.ofDays(7).toMillis();
    static final Instant EVENTS_START = Instant.parse("2021-03-01T08:00:00Z");
    static final int DIM = SmallMemory.END_TO_END.dim();
    static final int EVENTS_PER_KEY = 60;
    static final List<String> KEYS = List.of("archive-a", "archive-b");

    @TempDir
    Path stateDir;

    @Test
    void aBackfillOfEventsDatedYearsAgoIsAbsorbedWholeAndNothingExpiresBeforeItIsRead() throws Exception {
        Instant testStart = Instant.now();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Map.of(
                        "log.retention.check.interval.ms",
                        String.valueOf(RETENTION_CHECK.toMillis()),
                        "log.initial.task.delay.ms",
                        "0"));
                Admin admin = broker.admin()) {
            LtmConfig config = config(broker);
            String tokensTopic = config.getString(LtmConfig.TOPIC_TOKENS);
            String eventsTopic = config.getString(LtmConfig.TOPIC_EVENTS);
            // the hazard, shown on this broker: a topic as Kafka creates it by default (CreateTime, 7 days)
            // loses records stamped with old event times within a few retention checks
            String hazard = "default-topic";
            // a user's own tokens topic with Kafka's defaults: only the worker's time-of-writing stamps keep it safe
            admin.createTopics(List.of(
                            new NewTopic(hazard, 1, (short) 1)
                                    .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(WEEK_MS))),
                            new NewTopic(tokensTopic, 2, (short) 1)
                                    .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(WEEK_MS)))))
                    .all()
                    .get();

            TopicProvisioner.Topics topics = TopicProvisioner.ensure(config);
            assertThat(topics.created()).contains(eventsTopic).doesNotContain(tokensTopic);
            assertThat(timestampType(admin, eventsTopic)).isEqualTo("LogAppendTime");
            assertThat(timestampType(admin, tokensTopic)).isEqualTo("CreateTime");

            long expected = 0;
            try (HashingEncoder encoder = new HashingEncoder(DIM);
                    MemoryNode node = MemoryNode.start(config, encoder, topics.retentionMs());
                    EncodeWorker worker = new EncodeWorker(config, encoder, "backfill")) {
                node.awaitRunning(Duration.ofSeconds(60));
                worker.start();
                Map<String, Long> tokensPerKey = new HashMap<>();
                try (KafkaProducer<String, byte[]> producer = producer(broker)) {
                    var events = LtmSerdes.avro(TokenEvent.class, config.serdeConfig())
                            .serializer();
                    for (String key : KEYS) {
                        for (int i = 0; i < EVENTS_PER_KEY; i++) {
                            Instant at = EVENTS_START.plus(Duration.ofMinutes(i));
                            String text = "archived line " + i + " of " + key + " about disk usage and backups";
                            TokenEvent e = TokenEvent.newBuilder()
                                    .setText(text)
                                    .setSourceId(key + ":" + i)
                                    .setEventTime(at)
                                    .build();
                            producer.send(new ProducerRecord<>(
                                    eventsTopic, null, at.toEpochMilli(), key, events.serialize(eventsTopic, e)));
                            producer.send(new ProducerRecord<>(hazard, null, at.toEpochMilli(), key, new byte[1]));
                            tokensPerKey.merge(key, (long) encoder.encode(text).count(), Long::sum);
                        }
                    }
                    producer.flush();
                }
                expected = tokensPerKey.values().stream()
                        .mapToLong(Long::longValue)
                        .sum();

                for (String key : KEYS) {
                    awaitAbsorbed(node, key, tokensPerKey.get(key));
                }
                // the broker's retention check has run since: it deleted the old-stamped default topic ...
                awaitTrimmed(admin, new TopicPartition(hazard, 0));
                // ... but nothing of the pipeline's topics
                assertThat(earliestOffsets(admin, eventsTopic, 2))
                        .as("events deleted")
                        .containsOnly(0L);
                assertThat(earliestOffsets(admin, tokensTopic, 2))
                        .as("tokens deleted")
                        .containsOnly(0L);
                assertThat(node.oldInputRecords(tokensTopic)).isZero();

                for (String key : KEYS) {
                    Map<String, Object> d = node.describe(key);
                    assertThat(((Number) d.get("tokensAbsorbed")).longValue()).isEqualTo(tokensPerKey.get(key));
                    // the event's own time travelled in the payload into the timeline
                    @SuppressWarnings("unchecked")
                    List<Map<String, Object>> sources = (List<Map<String, Object>>) d.get("sources");
                    assertThat(sources)
                            .isNotEmpty()
                            .allSatisfy(s -> assertThat(Instant.parse((String) s.get("timestamp")))
                                    .isBetween(EVENTS_START, EVENTS_START.plus(Duration.ofMinutes(EVENTS_PER_KEY))));
                }
            }

            // every token record the worker wrote is stamped with the time of writing, not the event's time
            List<ConsumerRecord<byte[], byte[]>> tokenRecords = readAll(broker, tokensTopic);
            assertThat(tokenRecords).hasSize(KEYS.size() * EVENTS_PER_KEY);
            assertThat(tokenRecords)
                    .allSatisfy(r -> assertThat(Instant.ofEpochMilli(r.timestamp()))
                            .isAfterOrEqualTo(testStart.minusSeconds(1)));
            assertThat(expected).isPositive();
        }
    }

    private LtmConfig config(EmbeddedKafkaBroker broker) {
        return new LtmConfig(
                new NodeSettings(broker.bootstrapServers(), "mock://backfill-" + UUID.randomUUID(), "ltm-backfill")
                        .set(LtmConfig.STATE_DIR, stateDir.toString())
                        .partitions(2)
                        .memory(SmallMemory.END_TO_END)
                        .set("commit.interval.ms", 50)
                        .entries());
    }

    private static KafkaProducer<String, byte[]> producer(EmbeddedKafkaBroker broker) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static String timestampType(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config c = admin.describeConfigs(List.of(r)).all().get().get(r);
        return c.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).value();
    }

    private static List<Long> earliestOffsets(Admin admin, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> req = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            req.put(new TopicPartition(topic, p), OffsetSpec.earliest());
        }
        return admin.listOffsets(req).all().get().values().stream()
                .map(i -> i.offset())
                .collect(Collectors.toList());
    }

    private static void awaitTrimmed(Admin admin, TopicPartition tp) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (admin.listOffsets(Map.of(tp, OffsetSpec.earliest()))
                            .all()
                            .get()
                            .get(tp)
                            .offset()
                    > 0) {
                return;
            }
            Thread.sleep(RETENTION_CHECK.toMillis());
        }
        throw new AssertionError("the broker never deleted the old-stamped records of " + tp
                + ": the test's retention check does not run, so it would prove nothing");
    }

    private static void awaitAbsorbed(MemoryNode node, String key, long tokens) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Object n = null;
        while (System.nanoTime() < deadline) {
            try {
                n = node.describe(key).get("tokensAbsorbed");
                if (((Number) n).longValue() >= tokens) {
                    return;
                }
            } catch (RuntimeException e) {
                n = e; // stores not queryable during a rebalance
            }
            Thread.sleep(100);
        }
        throw new AssertionError("key " + key + " absorbed " + n + " of " + tokens + " tokens");
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(EmbeddedKafkaBroker broker, String topic) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
