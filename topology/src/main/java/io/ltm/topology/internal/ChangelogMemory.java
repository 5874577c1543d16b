package io.ltm.topology.internal;

import io.ltm.model.MemoryState;
import io.ltm.schemas.EncodedTokens;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.UserFacingException;
import io.ltm.topology.codec.InternalRecordSerde;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A key's memory read from the memory node's changelog topics ({application.id}-ltm-memory-changelog and
 * -ltm-short-term-changelog), without a running node: the partition of the key (Kafka's default partitioner over the
 * tokens topic's partition count, as the producers use) is read from its start to its end, the latest long-term record
 * and the live short-term records of the key kept.
 */
public final class ChangelogMemory {

    private ChangelogMemory() {}

    public static String changelog(LtmConfig config, String store) {
        return config.getString(LtmConfig.APPLICATION_ID) + "-" + store + "-changelog";
    }

    /** The key's memory, or null when the changelogs hold none. */
    public static MemoryState read(LtmConfig config, String key, Duration timeout) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, LtmConfig.MAX_STATE_BYTES);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * LtmConfig.MAX_STATE_BYTES);
        config.originals().forEach((k, v) -> {
            if (!LtmConfig.configDef().names().contains(k)
                    && !k.startsWith("ltm.")
                    && ConsumerConfig.configNames().contains(k)) {
                p.putIfAbsent(k, v);
            }
        });
        String memoryTopic = changelog(config, Names.STORE_MEMORY);
        String shortTopic = changelog(config, Names.STORE_SHORT_TERM);
        String termsTopic = changelog(config, Names.STORE_TERMS);
        String coefficientsTopic = changelog(config, Names.STORE_COEFFICIENTS);
        var memSerde = new InternalRecordSerde<>(io.ltm.schemas.MemoryState.class, config.serdeConfig());
        var tokSerde = StoreSerdes.shortTerm(config.serdeConfig());
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> parts = c.partitionsFor(config.getString(LtmConfig.TOPIC_TOKENS), timeout);
            if (parts == null || parts.isEmpty()) {
                throw new UserFacingException("topic " + config.getString(LtmConfig.TOPIC_TOKENS) + " does not exist");
            }
            int partition = config.keyPlacement().partition(key.getBytes(StandardCharsets.UTF_8), parts.size());
            List<TopicPartition> tps = new ArrayList<>();
            for (String t : List.of(memoryTopic, shortTopic, termsTopic, coefficientsTopic)) {
                List<PartitionInfo> pi = c.partitionsFor(t, timeout);
                if (pi == null || pi.isEmpty()) {
                    throw new UserFacingException("changelog topic " + t + " does not exist: has a memory node with "
                            + "application.id " + config.getString(LtmConfig.APPLICATION_ID) + " run on this cluster?");
                }
                tps.add(new TopicPartition(t, partition));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps, timeout);
            byte[] memory = null;
            TreeMap<String, byte[]> shortTerm = new TreeMap<>();
            Map<String, byte[]> terms = new HashMap<>();
            Map<String, byte[]> coefficients = new HashMap<>();
            String from = RecordKeys.from(key);
            String to = RecordKeys.to(key);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new UserFacingException(
                            "could not read the changelogs of key '" + key + "' within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(memoryTopic)) {
                        if (key.equals(r.key())) {
                            memory = r.value();
                        }
                    } else if (r.key() != null
                            && r.key().compareTo(from) >= 0
                            && r.key().compareTo(to) <= 0) {
                        Map<String, byte[]> records = r.topic().equals(termsTopic)
                                ? terms
                                : r.topic().equals(coefficientsTopic) ? coefficients : shortTerm;
                        if (r.value() == null) {
                            records.remove(r.key());
                        } else {
                            records.put(r.key(), r.value());
                        }
                    }
                }
            }
            io.ltm.schemas.MemoryState stored =
                    memory == null ? null : memSerde.deserializer().deserialize(memoryTopic, memory);
            List<EncodedTokens> records = new ArrayList<>();
            for (byte[] v : shortTerm.values()) {
                records.add(tokSerde.deserializer().deserialize(shortTopic, v));
            }
            return LocalMemories.combine(
                    stored,
                    segment -> terms.get(RecordKeys.of(key, segment)),
                    j -> coefficients.get(RecordKeys.of(key, j)),
                    records,
                    config.memoryConfig());
        }
    }
}
