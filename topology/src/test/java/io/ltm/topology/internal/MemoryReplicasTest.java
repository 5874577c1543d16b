package io.ltm.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadyMemoryCache;
import io.ltm.model.TokenBatch;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryVersion;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.TestFixtures;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.codec.CoefficientRecords;
import io.ltm.topology.codec.InternalRecordSerde;
import io.ltm.topology.codec.MemoryStateCodec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The attention worker's replicas: read only at the version a request names or a newer, coherent one. */
class MemoryReplicasTest {

    private static final int PARTITION = 3;
    /** The input offset of the event that began the memories of these tests (unless a test says otherwise). */
    private static final long ORIGIN = 40;

    private final LtmConfig config = TestFixtures.config("replicas-" + UUID.randomUUID(), Map.of());
    private final MemoryConfig memory = config.memoryConfig();
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final MemoryReplicas replicas = new MemoryReplicas(config, new ReadyMemoryCache(1L << 30), consumer);
    private final String memoryTopic = ChangelogMemory.changelog(config, Names.STORE_MEMORY);
    private final String shortTermTopic = ChangelogMemory.changelog(config, Names.STORE_SHORT_TERM);
    private final String indexTopic = ChangelogMemory.changelog(config, Names.STORE_SHORT_TERM_INDEX);
    private final String termsTopic = ChangelogMemory.changelog(config, Names.STORE_TERMS);
    private final String coefficientsTopic = ChangelogMemory.changelog(config, Names.STORE_COEFFICIENTS);
    private final Map<String, Long> offsets = new HashMap<>();
    private final Random rnd = new Random(5);

    MemoryReplicasTest() {
        Map<TopicPartition, Long> begin = new HashMap<>();
        for (String t : List.of(memoryTopic, shortTermTopic, indexTopic, termsTopic, coefficientsTopic)) {
            begin.put(new TopicPartition(t, PARTITION), 0L);
        }
        consumer.updateBeginningOffsets(begin);
        replicas.serve(List.of(PARTITION));
    }

    @AfterEach
    void close() {
        replicas.close();
    }

    private void changelog(String topic, String key, byte[] value) {
        long offset = offsets.merge(topic, 1L, Long::sum) - 1;
        consumer.addRecord(new ConsumerRecord<>(topic, PARTITION, offset, key.getBytes(StandardCharsets.UTF_8), value));
    }

    /**
     * A long-term memory of the key as the node writes it: the record, then its term filter's segments and B's
     * records apart.
     */
    private MemoryState longTerm(String key, int contractions) {
        MemoryState s = longTermRecord(key, contractions);
        termSegments(key, s);
        coefficientRecords(key, s);
        return s;
    }

    private MemoryState longTermRecord(String key, int contractions) {
        MemoryState s = MemoryState.empty(memory);
        try (LongTermMemory engine = LongTermMemory.create(memory, Device.cpu())) {
            for (int c = 0; c < contractions; c++) {
                List<String> words = java.util.Collections.nCopies(TestFixtures.L, "word" + c);
                s = engine.absorb(
                        s, new TokenBatch(TestFixtures.vectors(rnd, TestFixtures.L), TestFixtures.L, words, null));
            }
        }
        changelog(
                memoryTopic,
                key,
                new InternalRecordSerde<>(io.ltm.schemas.MemoryState.class, config.serdeConfig())
                        .serializer()
                        .serialize(memoryTopic, write(s).record()));
        return s;
    }

    private CoefficientRecords.Write write(MemoryState s) {
        return CoefficientRecords.write(s, null, null, memory);
    }

    private void coefficientRecords(String key, MemoryState s) {
        write(s).puts().forEach((j, bytes) -> changelog(coefficientsTopic, RecordKeys.of(key, j), bytes));
    }

    private void termSegments(String key, MemoryState s) {
        List<byte[]> segments = MemoryStateCodec.termSegments(s.terms());
        for (int i = 0; i < segments.size(); i++) changelog(termsTopic, RecordKeys.of(key, i), segments.get(i));
    }

    /** A short-term record as the node writes it. */
    private void shortTerm(String key, long seq, int tokens) {
        EncodedTokens t = TestFixtures.tokens(TestFixtures.vectors(rnd, tokens), tokens, seq);
        changelog(
                shortTermTopic,
                RecordKeys.of(key, seq),
                StoreSerdes.shortTerm(config.serdeConfig()).serializer().serialize(shortTermTopic, t));
    }

    /** A short-term record as earlier releases wrote it: the token event's bytes, in the Confluent wire format. */
    private void legacyShortTerm(String key, long seq, int tokens) {
        EncodedTokens t = TestFixtures.tokens(TestFixtures.vectors(rnd, tokens), tokens, seq);
        changelog(
                shortTermTopic,
                RecordKeys.of(key, seq),
                LtmSerdes.avro(EncodedTokens.class, config.serdeConfig())
                        .serializer()
                        .serialize("ltm.tokens", t));
    }

    /** The index as the node writes it, after {@code contractions} of the long-term part. */
    private void index(String key, long nextSeq, int tokens, long contractions) {
        index(key, nextSeq, tokens, contractions, ORIGIN);
    }

    private void index(String key, long nextSeq, int tokens, long contractions, long origin) {
        changelog(
                indexTopic,
                key,
                ShortTermIndex.serde()
                        .serializer()
                        .serialize(indexTopic, new ShortTermIndex(nextSeq, tokens, origin, contractions)));
    }

    private static MemoryVersion version(long contractions, long nextSeq, int tokens) {
        return version(contractions, nextSeq, tokens, ORIGIN);
    }

    private static MemoryVersion version(long contractions, long nextSeq, int tokens, long origin) {
        return MemoryVersion.newBuilder()
                .setPartition(PARTITION)
                .setContractions(contractions)
                .setNextSeq(nextSeq)
                .setShortTermTokens(tokens)
                .setOrigin(origin)
                .build();
    }

    /** The forget's tombstones of every record of a memory with {@code segments} term filter segments. */
    private void forget(String key, MemoryState s, long shortTermRecords) {
        for (long seq = 0; seq < shortTermRecords; seq++) changelog(shortTermTopic, RecordKeys.of(key, seq), null);
        for (int i = 0; i < MemoryStateCodec.termSegments(s.terms()).size(); i++) {
            changelog(termsTopic, RecordKeys.of(key, i), null);
        }
        for (int j : write(s).puts().keySet()) changelog(coefficientsTopic, RecordKeys.of(key, j), null);
        changelog(memoryTopic, key, null);
        changelog(indexTopic, key, null);
    }

    private static long soon() {
        return System.nanoTime() + 50_000_000L;
    }

    @Test
    void aReadWaitsUntilAllThreeChangelogsHaveReachedTheVersionItNames() {
        longTerm("k", 1);
        index("k", 1, 4, 1); // the index is ahead of the short-term changelog: a torn read across partitions
        assertThat(replicas.await("k", version(1, 1, 4), soon())).isNull();
        shortTerm("k", 0, 4);
        MemoryStores.Loaded loaded = replicas.await("k", version(1, 1, 4), soon());
        assertThat(loaded).isNotNull();
        assertThat(loaded.state().contractions()).isEqualTo(1);
        assertThat(loaded.state().shortTermCount()).isEqualTo(4);
        assertThat(loaded.state().tokensAbsorbed()).isEqualTo(TestFixtures.L + 4);
    }

    @Test
    void aReadWaitsUntilTheTermFilterSegmentsAndBsRecordsMatchTheMemoryRecord() {
        MemoryState s = longTermRecord("k", 2);
        index("k", 0, 0, 2);
        assertThat(replicas.await("k", version(2, 0, 0), soon()))
                .as("the record without its segments")
                .isNull();
        termSegments("k", s);
        assertThat(replicas.await("k", version(2, 0, 0), soon()))
                .as("the record without B's records")
                .isNull();
        coefficientRecords("k", s);
        MemoryStores.Loaded loaded = replicas.await("k", version(2, 0, 0), soon());
        assertThat(loaded).isNotNull();
        assertThat(loaded.state().terms()).isEqualTo(s.terms());
        assertThat(loaded.state().terms().mayContain(0, "word0")).isTrue();
        CoefficientRecords.Write w = write(s);
        assertThat(loaded.state().coefficientsRef())
                .containsExactly(CoefficientRecords.read(w.record(), w.puts()::get, memory)
                        .coefficients());
    }

    @Test
    void anOlderReplicaIsNeverReadANewerCoherentOneIs() {
        longTerm("k", 1);
        index("k", 0, 0, 1);
        assertThat(replicas.await("k", version(2, 0, 0), soon()))
                .as("a contraction not replicated yet")
                .isNull();
        assertThat(replicas.await("k", version(1, 1, 3), soon()))
                .as("a short-term record not replicated yet")
                .isNull();
        shortTerm("k", 0, 3);
        shortTerm("k", 1, 2);
        index("k", 2, 5, 1);
        MemoryStores.Loaded newer = replicas.await("k", version(1, 1, 3), soon());
        assertThat(newer).as("events after the query: the newer memory answers").isNotNull();
        assertThat(newer.state().shortTermCount()).isEqualTo(5);
    }

    @Test
    void aMemoryForgottenAndBegunAgainIsReadOnlyOnceTheReplicaHoldsTheNewOne() {
        MemoryState forgotten = longTerm("k", 2);
        shortTerm("k", 0, 3);
        index("k", 1, 3, 2, ORIGIN);
        // the node forgot the key, then the event at input offset 900 began a new memory, which the request names:
        // its counters are below the forgotten memory's, so only the origin tells them apart
        MemoryVersion begunAgain = version(0, 1, 2, 900);
        assertThat(replicas.await("k", begunAgain, soon()))
                .as("the forgotten memory, before the replica has read the forget")
                .isNull();
        assertThat(replicas.await("k", version(0, 1, 2, ShortTermIndex.UNKNOWN), soon()))
                .as("a request without an origin (a node of an earlier release) cannot tell them apart")
                .isNotNull();
        forget("k", forgotten, 1);
        assertThat(replicas.await("k", begunAgain, soon()))
                .as("forgotten, the new memory not replicated yet")
                .isNull();
        shortTerm("k", 0, 2);
        index("k", 1, 2, 0, 900);
        MemoryStores.Loaded loaded = replicas.await("k", begunAgain, soon());
        assertThat(loaded).isNotNull();
        assertThat(loaded.state().contractions()).isZero();
        assertThat(loaded.state().shortTermCount()).isEqualTo(2);
        assertThat(replicas.await("k", version(2, 1, 3, ORIGIN), soon()))
                .as("a request for the forgotten memory finds a memory begun after it: newer, read")
                .isNotNull();
    }

    @Test
    void aLongTermRecordOfAnotherContractionThanTheIndexIsNotReadWithTheShortTermRecords() {
        longTerm("k", 1);
        shortTerm("k", 0, 3);
        index("k", 1, 3, 1);
        assertThat(replicas.await("k", version(1, 1, 3), soon())).isNotNull();
        // the next contraction's transaction, shown by the memory changelog but not yet by the short-term ones: its
        // long-term part holds the 3 buffered tokens, which the replica still holds as short-term records too
        longTerm("k", 2);
        replicas.poll(java.time.Duration.ZERO);
        assertThat(replicas.await("k", version(1, 1, 3), soon()))
                .as("the new long-term part with the records it absorbed")
                .isNull();
        changelog(shortTermTopic, RecordKeys.of("k", 0), null);
        index("k", 1, 0, 2);
        MemoryStores.Loaded newer = replicas.await("k", version(1, 1, 3), soon());
        assertThat(newer).isNotNull();
        assertThat(newer.state().contractions()).isEqualTo(2);
        assertThat(newer.state().shortTermCount()).isZero();
    }

    @Test
    void anIndexWrittenByAnEarlierReleaseHasUnknownsForWhatItDidNotKeep() {
        long u = ShortTermIndex.UNKNOWN;
        assertThat(writtenBefore()).as("12 bytes").isEqualTo(new ShortTermIndex(7, 5, u, u, u, u));
        assertThat(writtenBefore(123, 4)).as("28 bytes").isEqualTo(new ShortTermIndex(7, 5, 123, 4, u, u));
        assertThat(writtenBefore(123, 4, 99)).as("36 bytes").isEqualTo(new ShortTermIndex(7, 5, 123, 4, 99, u));
        ShortTermIndex now = new ShortTermIndex(7, 5, 123, 4, 99, 1234);
        assertThat(ShortTermIndex.serde()
                        .deserializer()
                        .deserialize(
                                indexTopic, ShortTermIndex.serde().serializer().serialize(indexTopic, now)))
                .isEqualTo(now);
    }

    /** An index of next sequence number 7 and 5 tokens as an earlier release wrote it, with {@code more} after them. */
    private ShortTermIndex writtenBefore(long... more) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(Long.BYTES + Integer.BYTES + more.length * Long.BYTES);
        b.putLong(7).putInt(5);
        for (long v : more) b.putLong(v);
        return ShortTermIndex.serde().deserializer().deserialize(indexTopic, b.array());
    }

    @Test
    void shortTermRecordsWrittenByAnEarlierReleaseAreReadBesideNewOnes() {
        longTerm("k", 1);
        legacyShortTerm("k", 0, 3);
        shortTerm("k", 1, 2);
        index("k", 2, 5, 1);
        MemoryStores.Loaded loaded = replicas.await("k", version(1, 2, 5), soon());
        assertThat(loaded).isNotNull();
        assertThat(loaded.state().shortTermCount()).isEqualTo(5);
    }

    @Test
    void forgottenKeysAndPartitionsNoLongerServedLeaveNothingBehind() {
        MemoryState k = longTerm("k", 1);
        shortTerm("k", 0, 2);
        index("k", 1, 2, 1);
        longTerm("other", 2);
        index("other", 0, 0, 2);
        assertThat(replicas.await("k", version(1, 1, 2), soon())).isNotNull();
        assertThat(replicas.keys()).isEqualTo(2);
        changelog(shortTermTopic, RecordKeys.of("k", 0), null);
        for (int i = 0;
                i
                        < replicas.await("k", version(1, 1, 2), soon())
                                .state()
                                .terms()
                                .used();
                i++) {
            changelog(termsTopic, RecordKeys.of("k", i), null);
        }
        for (int j = 0; j < write(k).count(); j++) changelog(coefficientsTopic, RecordKeys.of("k", j), null);
        changelog(memoryTopic, "k", null);
        changelog(indexTopic, "k", null);
        replicas.poll(java.time.Duration.ZERO);
        assertThat(replicas.keys()).isEqualTo(1);
        replicas.stop(List.of(PARTITION));
        assertThat(replicas.keys()).isZero();
    }
}
