package io.ltm.topology.worker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ltm.schemas.DeadLetter;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.internal.DeadLetters;
import io.ltm.topology.internal.RetentionWatch;

/**
 * Exactly-once read-process-write for the workers: poll a batch, turn it into output records, and send them
 * with the consumed offsets in one transaction. A batch that fails is aborted and re-read from the last
 * committed offsets, so nothing is lost or duplicated; a restarted worker with the same instance id fences
 * its predecessor's open transaction at once. Members of one consumer group share the partitions.
 */
public abstract class TransactionalLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionalLoop.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Duration poll;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final String role;
    private final Serde<DeadLetter> deadLetters;
    private final String dlqTopic;
    private final RetentionWatch oldRecords;
    private Thread thread;

    protected TransactionalLoop(LtmConfig config, String role, String instanceId, List<String> inputTopics) {
        this.role = role;
        this.deadLetters = LtmSerdes.avro(DeadLetter.class, config.serdeConfig());
        this.dlqTopic = config.getString(LtmConfig.TOPIC_DLQ);
        String group = config.getString(LtmConfig.APPLICATION_ID) + "-" + role;
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        // static membership: a restarted instance takes its partitions back at once instead of waiting for the
        // dead member's session to time out (the transactional id below fences its open transaction)
        c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, group + "-" + instanceId);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.getInt(LtmConfig.WORKER_MAX_BATCH_RECORDS));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, group + "-" + instanceId);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, LtmConfig.MAX_STATE_BYTES);
        this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.poll = Duration.ofMillis(config.getLong(LtmConfig.WORKER_POLL_MS));
        producer.initTransactions();
        this.oldRecords = RetentionWatch.describe(config, inputTopics, group + "-" + instanceId);
        consumer.subscribe(inputTopics);
    }

    /** The dead-letter record of an input record this worker cannot use, with the reason. */
    protected final ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<byte[], byte[]> r, Exception e) {
        String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
        return new ProducerRecord<>(dlqTopic, key,
                deadLetters.serializer().serialize(dlqTopic, DeadLetters.of(r, e, "ltm-" + role + "-worker")));
    }

    /** Output records (already serialised) for one polled batch. Must not have side effects elsewhere. */
    protected abstract List<ProducerRecord<String, byte[]>> process(ConsumerRecords<byte[], byte[]> batch);

    /** Starts the loop on its own thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = new Thread(this::loop, "ltm-worker-" + role);
        thread.start();
    }

    private void loop() {
        while (running.get()) {
            ConsumerRecords<byte[], byte[]> batch;
            try {
                batch = consumer.poll(poll);
            } catch (WakeupException e) {
                break;
            }
            if (batch.isEmpty()) {
                continue;
            }
            batch.forEach(r -> oldRecords.check(r.topic(), r.timestamp()));
            try {
                producer.beginTransaction();
                for (ProducerRecord<String, byte[]> out : process(batch)) {
                    producer.send(out);
                }
                producer.sendOffsetsToTransaction(nextOffsets(batch), consumer.groupMetadata());
                producer.commitTransaction();
            } catch (ProducerFencedException e) {
                LOG.error("worker fenced by a newer instance with the same id; stopping", e);
                break;
            } catch (RuntimeException e) {
                // a failed batch (broker error, encoder failure) is aborted and read again: nothing is
                // lost, and none of its output becomes visible to read_committed consumers
                LOG.warn("{} batch failed, aborting its transaction and re-reading it", role, e);
                producer.abortTransaction();
                rewind();
                backoff();
            }
        }
    }

    private void backoff() {
        try {
            Thread.sleep(poll.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> batch) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : batch.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> rs = batch.records(tp);
            offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
        }
        return offsets;
    }

    /** Back to the last committed position of every assigned partition, so the aborted batch is read again. */
    private void rewind() {
        var committed = consumer.committed(consumer.assignment());
        for (TopicPartition tp : consumer.assignment()) {
            OffsetAndMetadata om = committed.get(tp);
            if (om != null) {
                consumer.seek(tp, om.offset());
            } else {
                consumer.seekToBeginning(List.of(tp));
            }
        }
    }


    /** Stops after the current batch and closes the clients. */
    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        producer.close(Duration.ofSeconds(10));
        consumer.close(Duration.ofSeconds(10));
        oldRecords.close();
    }
}
