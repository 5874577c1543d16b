package io.ltm.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ltm.model.CoefficientPrecision;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.AttentionRequest;
import io.ltm.schemas.ControlAction;
import io.ltm.schemas.ControlCommand;
import io.ltm.schemas.DeadLetter;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.MemoryState;
import io.ltm.schemas.MemoryVersion;
import io.ltm.schemas.QueryOptions;
import io.ltm.schemas.RereadRequest;
import io.ltm.schemas.RereadStretch;
import io.ltm.schemas.VectorBlock;
import io.ltm.schemas.VectorEncoding;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.AttentionMode;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryTopology;
import io.ltm.topology.codec.CoefficientRecords;
import io.ltm.topology.codec.InternalRecordSerde;
import io.ltm.topology.codec.MemoryStateCodec;
import io.ltm.topology.internal.Failures;
import io.ltm.topology.internal.Names;
import io.ltm.topology.internal.ShortTermIndex;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryTopologyTest {

    @TempDir
    Path stateDir;

    private String scope;
    private LtmConfig config;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> tokens;
    private TestInputTopic<byte[], byte[]> queries;
    private TestInputTopic<byte[], byte[]> control;
    private TestOutputTopic<String, MemoryResponse> responses;
    private TestOutputTopic<String, DeadLetter> dlq;
    private TestOutputTopic<String, AttentionRequest> attentionRequests;
    private final Random rnd = new Random(7);
    private long offset;

    @BeforeEach
    void start() {
        startWith(Map.of());
    }

    private void startWith(Map<String, Object> extra) {
        scope = "topology-" + UUID.randomUUID();
        config = TestFixtures.config(scope, extra);
        driver = driver(MemoryTopology.build(config, new HashingEncoder(TestFixtures.DIM)));
    }

    private TopologyTestDriver driver(Topology topology) {
        Properties p = new Properties();
        p.putAll(config.streamsProperties());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(scope).toString());
        // the driver's wall clock stands still: a task idling for an empty input would wait for ever
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L);
        TopologyTestDriver d = new TopologyTestDriver(topology, p);
        ByteArraySerializer b = new ByteArraySerializer();
        tokens = d.createInputTopic("ltm.tokens", b, b);
        queries = d.createInputTopic("ltm.queries", b, b);
        control = d.createInputTopic("ltm.control", b, b);
        StringDeserializer s = new StringDeserializer();
        responses = d.createOutputTopic(
                "ltm.responses",
                s,
                LtmSerdes.avro(MemoryResponse.class, config.serdeConfig()).deserializer());
        dlq = d.createOutputTopic(
                "ltm.dlq",
                s,
                LtmSerdes.avro(DeadLetter.class, config.serdeConfig()).deserializer());
        attentionRequests = d.createOutputTopic(
                "ltm.attention-requests",
                s,
                LtmSerdes.avro(AttentionRequest.class, config.serdeConfig()).deserializer());
        return d;
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] encode(EncodedTokens t) {
        return LtmSerdes.avro(EncodedTokens.class, config.serdeConfig())
                .serializer()
                .serialize("ltm.tokens", t);
    }

    private void send(String k, int count) {
        tokens.pipeInput(key(k), encode(TestFixtures.tokens(TestFixtures.vectors(rnd, count), count, offset++)));
    }

    private byte[] query(MemoryQuery q) {
        return LtmSerdes.avro(MemoryQuery.class, config.serdeConfig())
                .serializer()
                .serialize("ltm.queries", q);
    }

    private MemoryQuery textQuery(String k, String text, int spans) {
        return MemoryQuery.newBuilder()
                .setQueryId(UUID.randomUUID().toString())
                .setKey(k)
                .setText(text)
                .setOptions(QueryOptions.newBuilder()
                        .setSpans(spans)
                        .setIncludeContext(true)
                        .build())
                .setRequestedAt(Instant.now())
                .build();
    }

    private KeyValueStore<String, MemoryState> memory() {
        return driver.getKeyValueStore(Names.STORE_MEMORY);
    }

    private KeyValueStore<String, ShortTermIndex> index() {
        return driver.getKeyValueStore(Names.STORE_SHORT_TERM_INDEX);
    }

    private int shortTermRecords() {
        KeyValueStore<String, byte[]> st = driver.getKeyValueStore(Names.STORE_SHORT_TERM);
        int n = 0;
        try (KeyValueIterator<String, byte[]> it = st.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    @Test
    void tokensBelowLStayInTheShortTermBufferAsOneRecordPerEvent() {
        send("chat-1", 5);
        send("chat-1", 4);
        assertThat(memory().get("chat-1")).isNull();
        assertThat(index().get("chat-1").tokens()).isEqualTo(9);
        assertThat(shortTermRecords()).isEqualTo(2);
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void everyLTokensAreContractedIntoTheLongTermMemoryAndTheRemainderStaysShortTerm() {
        send("chat-1", 5);
        send("chat-1", 5);
        Instant contractedAt = Instant.ofEpochMilli(1_750_000_000_000L);
        tokens.pipeInput(
                key("chat-1"),
                encode(TestFixtures.tokens(TestFixtures.vectors(rnd, 5), 5, offset++)),
                contractedAt); // 15 tokens: one contraction of 12, 3 left
        MemoryState s = memory().get("chat-1");
        assertThat(s).isNotNull();
        assertThat(s.getUpdatedAt()).isEqualTo(contractedAt);
        assertThat(s.getContractions()).isEqualTo(1);
        assertThat(s.getTokensAbsorbed()).isEqualTo(12);
        // B is kept apart, as its base (zeros: the first epoch holds eight contractions) and the first delta
        assertThat(s.getCoefficients()).isNull();
        assertThat(CoefficientRecords.count(s)).isEqualTo(2);
        assertThat(coefficientLog("chat-1", s).coefficients()).hasSize(16 * TestFixtures.DIM);
        assertThat(index().get("chat-1").tokens()).isEqualTo(3);
        assertThat(shortTermRecords()).isEqualTo(1);
        assertThat(s.getSources()).as("written packed").isEmpty();
        assertThat(MemoryStateCodec.timeline(s).segmentCount()).isPositive();
    }

    @Test
    void aBufferedEventIsStoredInTheInternalFormatAndReadsWithNoRegistry() {
        EncodedTokens event = TestFixtures.tokens(TestFixtures.vectors(rnd, 5), 5, offset++);
        tokens.pipeInput(key("chat-1"), encode(event));
        KeyValueStore<String, byte[]> st = driver.getKeyValueStore(Names.STORE_SHORT_TERM);
        try (KeyValueIterator<String, byte[]> it = st.all()) {
            byte[] stored = it.next().value;
            assertThat(it.hasNext()).isFalse();
            assertThat(stored[0])
                    .as("the internal format, not the Confluent wire format (0)")
                    .isEqualTo((byte) 1);
            // a serde with no registry at all: what a restore or a replica needs when the registry forgot its ids
            assertThat(new InternalRecordSerde<>(EncodedTokens.class)
                            .deserializer()
                            .deserialize("any", stored))
                    .isEqualTo(event);
        }
    }

    @Test
    void aBufferedEventStoredInTheConfluentWireFormatByAnEarlierReleaseIsStillRead() {
        EncodedTokens first = TestFixtures.tokens(TestFixtures.vectors(rnd, 5), 5, offset++);
        EncodedTokens second = TestFixtures.tokens(TestFixtures.vectors(rnd, 10), 10, offset++);
        Instant at = Instant.ofEpochMilli(1_750_000_000_000L);
        tokens.pipeInput(key("old"), encode(first), at);
        tokens.pipeInput(key("new"), encode(first), at);
        // as an earlier release stored it: the event's bytes as they arrived
        KeyValueStore<String, byte[]> st = driver.getKeyValueStore(Names.STORE_SHORT_TERM);
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = st.all()) {
            it.forEachRemaining(kv -> {
                if (kv.key.startsWith("old")) old.add(kv.key);
            });
        }
        assertThat(old).hasSize(1);
        st.put(old.get(0), encode(first));

        tokens.pipeInput(key("old"), encode(second), at); // 15 tokens: a contraction reads the buffered record
        tokens.pipeInput(key("new"), encode(second), at);
        assertThat(dlq.isEmpty()).isTrue();
        assertThat(memory().get("old")).isNotNull().isEqualTo(memory().get("new"));
        assertThat(coefficientRecords("old")).containsExactlyElementsOf(coefficientRecords("new"));
        assertThat(index().get("old").nextSeq()).isEqualTo(index().get("new").nextSeq());
        assertThat(index().get("old").tokens()).isEqualTo(index().get("new").tokens());
    }

    @Test
    void theTokensLeftOverByAContractionKeepTheEventsFloat16BytesAndTexts() {
        send("chat-1", 10);
        EncodedTokens event = TestFixtures.tokens(TestFixtures.vectors(rnd, 5), 5, offset++);
        float[] v = MemoryStateCodec.unblock(event.getVectors(), 5, TestFixtures.DIM);
        event.setVectors(MemoryStateCodec.block(v, 5, TestFixtures.DIM, CoefficientPrecision.FLOAT16));
        tokens.pipeInput(key("chat-1"), encode(event)); // 15 tokens: one contraction of 12, 3 left
        KeyValueStore<String, byte[]> st = driver.getKeyValueStore(Names.STORE_SHORT_TERM);
        var records = new InternalRecordSerde<>(EncodedTokens.class).deserializer();
        List<EncodedTokens> left = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = st.all()) {
            it.forEachRemaining(kv -> left.add(records.deserialize("ltm.tokens", kv.value)));
        }
        assertThat(left).hasSize(1);
        VectorBlock tail = left.get(0).getVectors();
        assertThat(tail.getEncoding()).isEqualTo(VectorEncoding.FLOAT16);
        assertThat(tail.getCount()).isEqualTo(3);
        ByteBuffer sent = event.getVectors().getData().duplicate();
        sent.position(sent.position() + 2 * 2 * TestFixtures.DIM);
        assertThat(tail.getData()).isEqualTo(sent);
        assertThat(left.get(0).getTokens()).isEqualTo(event.getTokens().subList(2, 5));
        assertThat(left.get(0).getSource()).isEqualTo(event.getSource());
    }

    @Test
    void theStateDoesNotGrowWithTheStream() {
        for (int i = 0; i < 9; i++) send("log", 12); // the ninth contraction doubles the first epoch: B whole
        int first = coefficientRecords("log").get(0).length;
        for (int i = 0; i < 40; i++) {
            send("log", 11);
        }
        MemoryState s = memory().get("log");
        assertThat(s.getContractions()).isGreaterThan(30);
        List<byte[]> records = coefficientRecords("log");
        assertThat(records.get(0)).hasSize(first);
        assertThat(records).hasSizeLessThanOrEqualTo(config.memoryConfig().coefficientDeltas() + 1);
        assertThat(s.getTimeline().size()).isLessThanOrEqualTo(first); // bounded, not one knot per token
        assertThat(shortTermRecords()).isLessThanOrEqualTo(2);
    }

    @Test
    void aContractionWithinAnEpochWritesItsDeltaNotBAndTheMemoryReadsBackAsTheEngineBuiltIt() {
        driver.close();
        // narrow basis functions, so that a chunk of 12 tokens touches a few of the 64
        startWith(Map.of(LtmConfig.MEMORY_BASIS_SIZE, 64, LtmConfig.MEMORY_BASIS_WIDTHS, "0.005,0.01"));
        TestOutputTopic<String, byte[]> changelog = driver.createOutputTopic(
                "ltm-test-" + Names.STORE_COEFFICIENTS + "-changelog",
                new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        io.ltm.model.MemoryConfig mc = config.memoryConfig();
        io.ltm.model.MemoryState expected = io.ltm.model.MemoryState.empty(mc);
        int contractions = 100;
        try (io.ltm.model.LongTermMemory engine = io.ltm.model.LongTermMemory.create(mc)) {
            for (int e = 0; e < contractions; e++) {
                float[] v = TestFixtures.vectors(rnd, 12);
                tokens.pipeInput(key("k"), encode(TestFixtures.tokens(v, 12, offset++)));
                expected = engine.absorb(expected, new io.ltm.model.TokenBatch(v, 12, null, null));
            }
        }
        MemoryState s = memory().get("k");
        assertThat(s.getContractions()).isEqualTo(contractions);
        long written = 0;
        for (KeyValue<String, byte[]> kv : changelog.readKeyValuesToList())
            written += kv.value == null ? 0 : kv.value.length;
        long base = coefficientRecords("k").get(0).length;
        // 8 contractions start or double an epoch and every 17th takes B whole; the other deltas touch few rows
        assertThat(written).isLessThan(contractions * base / 2);
        // the stored B (float16 base and deltas) stands for the engine's own float32 one
        float[] b = coefficientLog("k", s).coefficients(), e = expected.coefficientsRef();
        double num = 0, den = 0;
        for (int i = 0; i < b.length; i++) {
            num += (b[i] - e[i]) * (double) (b[i] - e[i]);
            den += e[i] * (double) e[i];
        }
        assertThat(Math.sqrt(num / den)).isLessThan(0.02);
    }

    @Test
    void bKeptDecodedBetweenContractionsStoresTheSameBytesAsBReadBackEachTime() {
        driver.close();
        List<List<KeyValue<String, byte[]>>> runs = new ArrayList<>();
        for (long cacheBytes : new long[] {64L << 20, 0L}) {
            if (!runs.isEmpty()) driver.close();
            startWith(Map.of(
                    LtmConfig.MEMORY_BASIS_SIZE,
                    64,
                    LtmConfig.MEMORY_BASIS_WIDTHS,
                    "0.005,0.01",
                    LtmConfig.INGEST_CACHE_BYTES,
                    cacheBytes));
            TestOutputTopic<String, byte[]> changelog = driver.createOutputTopic(
                    "ltm-test-" + Names.STORE_COEFFICIENTS + "-changelog",
                    new StringDeserializer(),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer());
            Random vectors = new Random(5);
            // 60 contractions of two keys: deltas on the kept B, and new bases taken from them (every 17th)
            for (int e = 0; e < 120; e++) {
                float[] v = TestFixtures.vectors(vectors, 12);
                tokens.pipeInput(
                        key(e % 2 == 0 ? "a" : "b"),
                        encode(TestFixtures.tokens(v, 12, e)),
                        Instant.ofEpochMilli(1_000_000L + e));
            }
            List<KeyValue<String, byte[]>> written = new ArrayList<>(changelog.readKeyValuesToList());
            for (String k : List.of("a", "b")) {
                written.add(KeyValue.pair(
                        k,
                        new InternalRecordSerde<>(MemoryState.class)
                                .serializer()
                                .serialize("", memory().get(k))));
            }
            runs.add(written);
        }
        assertThat(runs.get(0)).hasSameSizeAs(runs.get(1)).hasSizeGreaterThan(60);
        for (int i = 0; i < runs.get(0).size(); i++) {
            assertThat(runs.get(0).get(i).key).isEqualTo(runs.get(1).get(i).key);
            assertThat(runs.get(0).get(i).value)
                    .as("record %d", i)
                    .isEqualTo(runs.get(1).get(i).value);
        }
    }

    @Test
    void aShortTermBufferRestoredFromAnotherHistoryBehindTheIngestIsContractedAsStored() {
        Random vectors = new Random(11);
        EncodedTokens first = TestFixtures.tokens(TestFixtures.vectors(vectors, 5), 5, 0);
        EncodedTokens replaced = TestFixtures.tokens(TestFixtures.vectors(vectors, 5), 5, 0);
        EncodedTokens second = TestFixtures.tokens(TestFixtures.vectors(vectors, 5), 5, 1);
        EncodedTokens third = TestFixtures.tokens(TestFixtures.vectors(vectors, 5), 5, 2); // 15 tokens: a contraction
        // the reference: the replacing record buffered as it came
        Instant at = Instant.ofEpochMilli(1_000_000L);
        for (EncodedTokens e : List.of(replaced, second)) tokens.pipeInput(key("k"), encode(e), at);
        Map<String, List<KeyValue<Object, Object>>> buffered =
                snapshot(List.of(Names.STORE_SHORT_TERM, Names.STORE_SHORT_TERM_INDEX));
        tokens.pipeInput(key("k"), encode(third), at);
        List<byte[]> expected = storedMemory("k");
        driver.close();
        startWith(Map.of());
        tokens.pipeInput(key("k"), encode(first), at);
        tokens.pipeInput(key("k"), encode(second), at);
        // what a restore of the reference's history leaves in the short-term stores (records and index, written in one
        // transaction: the same sequence numbers, token count and origin, other bytes), the ingest's decoded copy aside
        restore(buffered);
        tokens.pipeInput(key("k"), encode(third), at);
        List<byte[]> contracted = storedMemory("k");
        assertThat(contracted).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++)
            assertThat(contracted.get(i)).as("record %d", i).isEqualTo(expected.get(i));
    }

    @Test
    void storesRestoredFromAnotherHistoryBehindTheIngestAreContractedAsStored() {
        Random vectors = new Random(13);
        List<float[]> v = new ArrayList<>();
        for (int e = 0; e < 4; e++) v.add(TestFixtures.vectors(vectors, 6));
        Instant at = Instant.ofEpochMilli(1_000_000L);
        // the reference: two contractions of 12 tokens
        tokens.pipeInput(key("k"), encode(TestFixtures.tokens(v.get(0), 6, 0)), at);
        tokens.pipeInput(key("k"), encode(TestFixtures.tokens(v.get(1), 6, 1)), at);
        Map<String, List<KeyValue<Object, Object>>> afterFirst = snapshot(ALL_STORES);
        tokens.pipeInput(key("k"), encode(TestFixtures.tokens(v.get(2), 6, 2)), at);
        tokens.pipeInput(key("k"), encode(TestFixtures.tokens(v.get(3), 6, 3)), at);
        Map<String, List<KeyValue<Object, Object>>> expected = snapshot(CONTRACTED_STORES);
        driver.close();
        startWith(Map.of());
        // another history: the same vectors with other texts (another term filter, the same B), then the stores as
        // a restore of the reference leaves them, while the ingest still holds what it decoded
        for (int e = 0; e < 2; e++) {
            EncodedTokens other = TestFixtures.tokens(v.get(e), 6, e);
            other.setTokens(List.of("x" + e, "y", "z", "w", "u", "v"));
            tokens.pipeInput(key("k"), encode(other), at);
        }
        assertThat(comparable(snapshot(List.of(Names.STORE_TERMS)).get(Names.STORE_TERMS)))
                .isNotEqualTo(comparable(afterFirst.get(Names.STORE_TERMS)));
        restore(afterFirst);
        tokens.pipeInput(key("k"), encode(TestFixtures.tokens(v.get(2), 6, 2)), at);
        tokens.pipeInput(key("k"), encode(TestFixtures.tokens(v.get(3), 6, 3)), at);
        Map<String, List<KeyValue<Object, Object>>> contracted = snapshot(CONTRACTED_STORES);
        for (String store : CONTRACTED_STORES) {
            assertThat(comparable(contracted.get(store))).as(store).isEqualTo(comparable(expected.get(store)));
        }
    }

    private static final List<String> CONTRACTED_STORES =
            List.of(Names.STORE_MEMORY, Names.STORE_TERMS, Names.STORE_COEFFICIENTS);
    private static final List<String> ALL_STORES = List.of(
            Names.STORE_MEMORY,
            Names.STORE_TERMS,
            Names.STORE_COEFFICIENTS,
            Names.STORE_SHORT_TERM,
            Names.STORE_SHORT_TERM_INDEX,
            Names.STORE_ATTENTION);

    /** Every record of the stores, in key order. */
    private Map<String, List<KeyValue<Object, Object>>> snapshot(List<String> stores) {
        Map<String, List<KeyValue<Object, Object>>> out = new java.util.HashMap<>();
        for (String name : stores) {
            KeyValueStore<Object, Object> store = driver.getKeyValueStore(name);
            List<KeyValue<Object, Object>> records = new ArrayList<>();
            try (KeyValueIterator<Object, Object> it = store.all()) {
                it.forEachRemaining(records::add);
            }
            out.put(name, records);
        }
        return out;
    }

    /** Replaces the stores' records by a snapshot's. */
    private void restore(Map<String, List<KeyValue<Object, Object>>> snapshot) {
        for (Map.Entry<String, List<KeyValue<Object, Object>>> e : snapshot.entrySet()) {
            KeyValueStore<Object, Object> store = driver.getKeyValueStore(e.getKey());
            for (KeyValue<Object, Object> kv : snapshot(List.of(e.getKey())).get(e.getKey())) store.delete(kv.key);
            for (KeyValue<Object, Object> kv : e.getValue()) store.put(kv.key, kv.value);
        }
    }

    /** Records with byte[] values compared by content. */
    private static List<String> comparable(List<KeyValue<Object, Object>> records) {
        List<String> out = new ArrayList<>();
        for (KeyValue<Object, Object> kv : records) {
            out.add(kv.key + "=" + (kv.value instanceof byte[] b ? java.util.Arrays.toString(b) : kv.value));
        }
        return out;
    }

    /** A key's stored memory record, then the records of its B. */
    private List<byte[]> storedMemory(String k) {
        List<byte[]> out = new ArrayList<>();
        out.add(new InternalRecordSerde<>(MemoryState.class).serializer().serialize("", memory().get(k)));
        out.addAll(coefficientRecords(k));
        return out;
    }

    /** The records that keep a key's B apart, in order (the base first). */
    private List<byte[]> coefficientRecords(String k) {
        KeyValueStore<String, byte[]> store = driver.getKeyValueStore(Names.STORE_COEFFICIENTS);
        List<byte[]> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.range(k + "\u0000", k + "\u0000\uffff")) {
            it.forEachRemaining(kv -> out.add(kv.value));
        }
        return out;
    }

    private io.ltm.model.CoefficientLog coefficientLog(String k, MemoryState stored) {
        List<byte[]> records = coefficientRecords(k);
        return CoefficientRecords.read(stored, records::get, config.memoryConfig());
    }

    @Test
    void aQueryIsAnsweredFromLongAndShortTermMemoryWithSpansSourcesAndStats() {
        for (int i = 0; i < 6; i++) {
            send("chat-1", 5);
        }
        MemoryQuery q = textQuery("chat-1", "what did the user say", 2);
        queries.pipeInput(key("chat-1"), query(q));
        MemoryResponse r = responses.readValue();
        assertThat(r.getQueryId()).isEqualTo(q.getQueryId());
        assertThat(r.getFound()).isTrue();
        assertThat(r.getError()).isNull();
        assertThat(r.getSpans()).isNotEmpty().hasSizeLessThanOrEqualTo(2);
        r.getSpans().forEach(span -> {
            assertThat(span.getTokenStart()).isBetween(0L, 24L);
            assertThat(span.getTokenEnd()).isBetween(span.getTokenStart(), 24L);
            assertThat(span.getFrom()).isNotNull();
        });
        assertThat(r.getContext()).hasSize(TestFixtures.DIM);
        assertThat(r.getShortTermHits()).isNotEmpty();
        assertThat(r.getStats().getTokensAbsorbed()).isEqualTo(30);
        assertThat(r.getStats().getContractions()).isEqualTo(2);
        assertThat(r.getStats().getShortTermTokens()).isEqualTo(6);
        assertThat(r.getStats().getStateBytes()).isGreaterThan(0);
    }

    @Test
    void aQueryThatAsksForATwoStageReadLeavesForTheRereadWorkerWithTheStretchOfEverySpan() {
        driver.close();
        startWith(Map.of(LtmConfig.QUERY_REREAD_MAX_TOKENS, 16));
        for (int i = 0; i < 12; i++) {
            send("chat-1", 5); // 60 tokens, events at offsets 0..11 (5 tokens each)
        }
        TestOutputTopic<String, RereadRequest> rereads = driver.createOutputTopic(
                "ltm.reread-requests",
                new StringDeserializer(),
                LtmSerdes.avro(RereadRequest.class, config.serdeConfig()).deserializer());
        MemoryQuery q = textQuery("chat-1", "what did the user say", 2);
        q.getOptions().setRereadTokens(1_000_000); // capped by ltm.query.reread.max.tokens
        queries.pipeInput(key("chat-1"), query(q));
        assertThat(responses.isEmpty())
                .as("the answer waits for the second stage")
                .isTrue();
        RereadRequest r = rereads.readValue();
        MemoryResponse answer = r.getResponse();
        assertThat(answer.getQueryId()).isEqualTo(q.getQueryId());
        assertThat(answer.getSpans()).isNotEmpty();
        assertThat(r.getEvents()).isEqualTo(answer.getSpans().size());
        assertThat(r.getQuery().getCount()).isEqualTo(1);
        assertThat(r.getQuery().getDim()).isEqualTo(TestFixtures.DIM);
        assertThat(r.getStretches()).hasSize(answer.getSpans().size());
        long longTerm =
                answer.getStats().getTokensAbsorbed() - answer.getStats().getShortTermTokens();
        for (RereadStretch s : r.getStretches()) {
            // the budget (capped at 16 here) around the span's mode, within the long-term tokens
            assertThat(s.getTokenEnd() - s.getTokenStart()).isEqualTo(16);
            assertThat(s.getTokenStart()).isGreaterThanOrEqualTo(0);
            assertThat(s.getTokenEnd()).isLessThanOrEqualTo(longTerm);
            // true sources: event e holds tokens 5e..5e+4
            assertThat(s.getFrom().getOffset()).isEqualTo(s.getTokenStart() / 5);
            assertThat(s.getTo().getOffset()).isEqualTo((s.getTokenEnd() - 1) / 5);
        }

        // without the option the answer goes out at once
        queries.pipeInput(key("chat-1"), query(textQuery("chat-1", "what did the user say", 2)));
        assertThat(responses.readValue().getEvents()).isEmpty();
        assertThat(rereads.isEmpty()).isTrue();
    }

    @Test
    void aQueryForAnUnknownKeyGetsAnAnswerThatSaysSo() {
        MemoryQuery q = textQuery("nobody", "hello?", 1);
        queries.pipeInput(key("nobody"), query(q));
        MemoryResponse r = responses.readValue();
        assertThat(r.getFound()).isFalse();
        assertThat(r.getError()).contains("no memory");
        assertThat(r.getQueryId()).isEqualTo(q.getQueryId());
    }

    @Test
    void readsLeaveStickyStatisticsThatTheNextContractionConsumes() {
        send("k", 12);
        queries.pipeInput(key("k"), query(textQuery("k", "x", 1)));
        KeyValueStore<String, double[]> attention = driver.getKeyValueStore(Names.STORE_ATTENTION);
        double[] h = attention.get("k");
        assertThat(h).hasSize(8);
        assertThat(java.util.Arrays.stream(h).sum()).isGreaterThan(0);
        send("k", 12);
        assertThat(attention.get("k")).isNull();
    }

    @Test
    void theTermFilterIsStoredBySegmentWrittenOnlyWhereAContractionChangedItAndReadsFindOldWords() {
        driver.close();
        startWith(Map.of(LtmConfig.MEMORY_TERM_SEGMENTS, 8, LtmConfig.MEMORY_TERM_SEGMENT_BITS, 128));
        TestOutputTopic<String, byte[]> changelog = driver.createOutputTopic(
                "ltm-test-" + Names.STORE_TERMS + "-changelog",
                new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        io.ltm.model.MemoryConfig mc = config.memoryConfig();
        io.ltm.model.MemoryState expected = io.ltm.model.MemoryState.empty(mc);
        int events = 100, count = 6;
        try (io.ltm.model.LongTermMemory engine = io.ltm.model.LongTermMemory.create(mc)) {
            for (int e = 0; e < events; e++) {
                List<String> words = e == 7
                        ? List.of("the", "lighthouse", "parrot", "is", "called", "biscuit")
                        : List.of("w" + e % 5, "v" + e % 7, "and", "u" + e % 3, "x" + e % 11, "end");
                float[] v = TestFixtures.vectors(rnd, count);
                EncodedTokens t = EncodedTokens.newBuilder(TestFixtures.tokens(v, count, offset++))
                        .setTokens(words)
                        .build();
                tokens.pipeInput(key("k"), encode(t));
                expected = engine.absorb(expected, new io.ltm.model.TokenBatch(v, count, words, null));
            }
        }
        // 600 tokens in 8 segments of 128: 50 contractions
        MemoryState stored = memory().get("k");
        assertThat(stored.getContractions()).isEqualTo(50);
        assertThat(stored.getTerms().getBits()).isNull(); // kept apart, by segment
        assertThat(stored.getTerms().getSegmentTokens()).isEqualTo(128);
        KeyValueStore<String, byte[]> segments = driver.getKeyValueStore(Names.STORE_TERMS);
        int held = 0;
        try (KeyValueIterator<String, byte[]> it = segments.all()) {
            while (it.hasNext()) {
                assertThat(it.next().value).hasSize(128 / 8);
                held++;
            }
        }
        assertThat(held).isEqualTo(stored.getTerms().getUsed());
        // the filter put back together is the one the engine builds from the same events
        byte[][] parts = new byte[8][];
        for (int s = 0; s < held; s++) parts[s] = segments.get("k\u0000" + String.format("%019d", s));
        io.ltm.schemas.MemoryState whole = MemoryStateCodec.withTermBits(stored, s -> parts[s]);
        assertThat(MemoryStateCodec.fromAvro(whole, config.memoryConfig(), coefficientLog("k", stored))
                        .terms())
                .isEqualTo(expected.terms());
        // rewriting the whole filter at every contraction would have written 50 x used segments
        assertThat(changelog.readKeyValuesToList()).hasSizeLessThan(50 * held / 2);
        queries.pipeInput(key("k"), query(textQuery("k", "what is the parrot called", 1)));
        MemoryResponse r = responses.readValue();
        assertThat(r.getSpans().get(0).getTermMatch()).isGreaterThan(0.3);
        assertThat(r.getSpans().get(0).getTokenStart()).isLessThanOrEqualTo(7 * count);
        assertThat(r.getSpans().get(0).getTokenEnd()).isGreaterThanOrEqualTo(8 * count - 1);
        control.pipeInput(
                key("k"),
                control(ControlCommand.newBuilder()
                        .setAction(ControlAction.FORGET)
                        .build()));
        try (KeyValueIterator<String, byte[]> it = segments.all()) {
            assertThat(it.hasNext()).isFalse();
        }
    }

    @Test
    void forgetErasesEveryStoreEntryOfTheKeyAndLeavesOtherKeys() {
        send("a", 12);
        send("a", 3);
        send("b", 12);
        control.pipeInput(key("a"), TestFixtures.control(config, ControlAction.FORGET));
        assertThat(memory().get("a")).isNull();
        assertThat(index().get("a")).isNull();
        assertThat(memory().get("b")).isNotNull();
        assertThat(shortTermRecords()).isZero(); // b had exactly L tokens: nothing buffered
        queries.pipeInput(key("a"), query(textQuery("a", "anything", 1)));
        assertThat(responses.readValue().getFound()).isFalse();
    }

    /** Answers (spans, context, stats) to queries around contractions and a forget, with the given extra config. */
    private List<String> answersAroundNewVersions(Map<String, Object> extra) {
        driver.close();
        startWith(extra);
        offset = 0;
        Random r = new Random(21);
        List<String> answers = new ArrayList<>();
        Runnable ask = () -> {
            queries.pipeInput(key("k"), query(textQuery("k", "what was said", 2)));
            MemoryResponse a = responses.readValue();
            answers.add(a.getSpans() + " " + a.getContext() + " " + a.getStats());
        };
        java.util.function.IntConsumer send =
                n -> tokens.pipeInput(key("k"), encode(TestFixtures.tokens(TestFixtures.vectors(r, n), n, offset++)));
        send.accept(12);
        ask.run();
        send.accept(5); // short-term only: the same long-term version
        ask.run();
        send.accept(12); // a contraction: a new version
        ask.run();
        control.pipeInput(
                key("k"),
                control(ControlCommand.newBuilder()
                        .setAction(ControlAction.FORGET)
                        .build()));
        send.accept(12); // after a forget: a first contraction again, of other tokens
        send.accept(5);
        send.accept(12);
        ask.run();
        return answers;
    }

    @Test
    void theReadyCacheAnswersAsAFreshReadAfterContractionsAndAForget() {
        List<String> cached = answersAroundNewVersions(Map.of());
        List<String> uncached = answersAroundNewVersions(Map.of(LtmConfig.QUERY_READY_CACHE_BYTES, 0L));
        assertThat(cached).hasSize(4).isEqualTo(uncached);
        assertThat(cached.get(2)).isNotEqualTo(cached.get(1));
        assertThat(cached.get(3)).isNotEqualTo(cached.get(2));
    }

    private byte[] control(ControlCommand c) {
        return LtmSerdes.avro(ControlCommand.class, config.serdeConfig())
                .serializer()
                .serialize("ltm.control", c);
    }

    @Test
    void readsAnsweredByTheWorkerAddToTheStickyStatistics() {
        send("k", 12);
        java.util.List<Double> h = java.util.Collections.nCopies(8, 0.125);
        ControlCommand record = ControlCommand.newBuilder()
                .setAction(ControlAction.RECORD_READS)
                .setAttentionHistogram(h)
                .build();
        control.pipeInput(key("k"), control(record));
        control.pipeInput(key("k"), control(record));
        KeyValueStore<String, double[]> attention = driver.getKeyValueStore(Names.STORE_ATTENTION);
        assertThat(attention.get("k")).containsOnly(0.25);
        control.pipeInput(
                key("k"),
                control(ControlCommand.newBuilder()
                        .setAction(ControlAction.RECORD_READS)
                        .setAttentionHistogram(java.util.List.of(1.0, 2.0))
                        .build()));
        expectDeadLetter("8 bins");
        control.pipeInput(
                key("k"),
                control(ControlCommand.newBuilder()
                        .setAction(ControlAction.RESET_STATS)
                        .build()));
        assertThat(attention.get("k")).isNull();

        // reads that arrive after a forget (a worker sends them late), or for a key never written, are dropped
        control.pipeInput(
                key("k"),
                control(ControlCommand.newBuilder()
                        .setAction(ControlAction.FORGET)
                        .build()));
        control.pipeInput(key("k"), control(record));
        control.pipeInput(key("never"), control(record));
        assertThat(attention.get("k")).isNull();
        assertThat(attention.get("never")).isNull();
        assertThat(dlq.readKeyValuesToList()).isEmpty();
    }

    private static org.apache.kafka.streams.test.TestRecord<byte[], byte[]> markedAsWorkerReads(
            String k, byte[] value) {
        org.apache.kafka.common.header.internals.RecordHeaders headers =
                new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.add(Names.HEADER_WORKER_READS, new byte[0]);
        return new org.apache.kafka.streams.test.TestRecord<>(key(k), value, headers, 0L);
    }

    @Test
    void workerReadsComeWithTheQueriesAddToTheStickyStatisticsAndCannotForget() {
        send("k", 12);
        ControlCommand reads = ControlCommand.newBuilder()
                .setAction(ControlAction.RECORD_READS)
                .setAttentionHistogram(java.util.Collections.nCopies(8, 0.125))
                .build();
        queries.pipeInput(markedAsWorkerReads("k", control(reads)));
        queries.pipeInput(markedAsWorkerReads("k", control(reads)));
        KeyValueStore<String, double[]> attention = driver.getKeyValueStore(Names.STORE_ATTENTION);
        assertThat(attention.get("k")).containsOnly(0.25);
        assertThat(responses.isEmpty()).as("reads are not queries: no answer").isTrue();

        // the header admits RECORD_READS only: anything else goes to the dead-letter topic and changes nothing
        queries.pipeInput(markedAsWorkerReads(
                "k",
                control(ControlCommand.newBuilder()
                        .setAction(ControlAction.FORGET)
                        .build())));
        assertThat(expectDeadLetter("RECORD_READS").getTopic()).isEqualTo("ltm.queries");
        queries.pipeInput(markedAsWorkerReads("k", query(textQuery("k", "a query marked as reads", 1))));
        assertThat(expectDeadLetter("").getProcessor()).isEqualTo(Names.WORKER_READS);
        assertThat(attention.get("k")).containsOnly(0.25);
        assertThat(responses.isEmpty()).isTrue();

        queries.pipeInput(key("k"), query(textQuery("k", "x", 1)));
        assertThat(responses.readValue().getFound()).as("not forgotten").isTrue();
    }

    private DeadLetter expectDeadLetter(String reasonFragment) {
        List<KeyValue<String, DeadLetter>> all = new ArrayList<>(dlq.readKeyValuesToList());
        assertThat(all).hasSize(1);
        DeadLetter d = all.get(0).value;
        assertThat(d.getErrorMessage()).containsIgnoringCase(reasonFragment);
        assertThat(d.getTopic()).isNotEmpty();
        return d;
    }

    private EncodedTokens withBlock(VectorBlock block) {
        return EncodedTokens.newBuilder(TestFixtures.tokens(TestFixtures.vectors(rnd, 1), 1, 99))
                .setVectors(block)
                .setTokens(null)
                .build();
    }

    @Test
    void undecodableBytesGoToTheDeadLetterTopicWithTheOriginalBytes() {
        byte[] junk = {1, 2, 3, 4, 5, 6, 7};
        tokens.pipeInput(key("k"), junk);
        DeadLetter d = expectDeadLetter("magic");
        assertThat(d.getValue()).isEqualTo(ByteBuffer.wrap(junk));
        assertThat(d.getTruncated()).isFalse();
        assertThat(d.getValueSize()).isEqualTo(junk.length);
        assertThat(memory().get("k")).isNull();
        assertThat(index().get("k")).isNull();
    }

    @Test
    void anOversizedGarbageValueIsDeadLetteredCutToFitAndTheGoodRecordBehindItIsProcessed() throws Exception {
        byte[] garbage = new byte[8_388_500]; // with the metadata, more than max.request.size if kept whole
        new Random(3).nextBytes(garbage);
        garbage[0] = 7; // not the Confluent magic byte
        tokens.pipeInput(key("k"), garbage);
        send("k", 3);
        DeadLetter d = expectDeadLetter("magic");
        int max = config.getInt(LtmConfig.DLQ_MAX_BYTES);
        assertThat(d.getTruncated()).isTrue();
        assertThat(d.getValue().remaining()).isEqualTo(max);
        assertThat(d.getValueSize()).isEqualTo(garbage.length);
        assertThat(d.getKeySize()).isEqualTo(1);
        assertThat(d.getValueSha256())
                .isEqualTo(ByteBuffer.wrap(
                        java.security.MessageDigest.getInstance("SHA-256").digest(garbage)));
        byte[] written = LtmSerdes.avro(DeadLetter.class, config.serdeConfig())
                .serializer()
                .serialize("ltm.dlq", d);
        assertThat(written.length).isLessThan(LtmConfig.MAX_STATE_BYTES);
        assertThat(index().get("k").tokens()).isEqualTo(3); // the good event behind it was processed
    }

    @Test
    void anUnknownSchemaIdGoesToTheDeadLetterTopic() {
        byte[] bytes = {0, 0, 0, 0x7f, 0x7f, 1, 2, 3};
        tokens.pipeInput(key("k"), bytes);
        expectDeadLetter("schema");
        assertThat(index().get("k")).isNull();
    }

    @Test
    void aWrongDimensionGoesToTheDeadLetterTopicAndTheStateIsUntouched() {
        send("k", 3);
        tokens.pipeInput(
                key("k"), encode(withBlock(MemoryStateCodec.block(new float[10], 2, 5, CoefficientPrecision.FLOAT32))));
        expectDeadLetter("dimension");
        assertThat(index().get("k").tokens()).isEqualTo(3);
    }

    @Test
    void nanAndInfiniteValuesGoToTheDeadLetterTopic() {
        float[] v = TestFixtures.vectors(rnd, 2);
        v[3] = Float.NaN;
        tokens.pipeInput(
                key("k"),
                encode(withBlock(MemoryStateCodec.block(v, 2, TestFixtures.DIM, CoefficientPrecision.FLOAT32))));
        expectDeadLetter("non-finite");
        v[3] = Float.POSITIVE_INFINITY;
        tokens.pipeInput(
                key("k"),
                encode(withBlock(MemoryStateCodec.block(v, 2, TestFixtures.DIM, CoefficientPrecision.FLOAT16))));
        expectDeadLetter("non-finite");
        assertThat(index().get("k")).isNull();
    }

    @Test
    void emptyAndOversizedEventsGoToTheDeadLetterTopic() {
        tokens.pipeInput(
                key("k"),
                encode(withBlock(VectorBlock.newBuilder()
                        .setDim(TestFixtures.DIM)
                        .setCount(0)
                        .setEncoding(VectorEncoding.FLOAT32)
                        .setData(ByteBuffer.allocate(0))
                        .build())));
        expectDeadLetter("empty");
        tokens.pipeInput(key("k"), new byte[0]);
        expectDeadLetter("empty");
        int tooMany = 65;
        tokens.pipeInput(
                key("k"),
                encode(withBlock(MemoryStateCodec.block(
                        TestFixtures.vectors(rnd, tooMany), tooMany, TestFixtures.DIM, CoefficientPrecision.FLOAT32))));
        expectDeadLetter("limit");
        assertThat(index().get("k")).isNull();
    }

    @Test
    void aTruncatedVectorBlockAndAMissingKeyGoToTheDeadLetterTopic() {
        tokens.pipeInput(
                key("k"),
                encode(withBlock(VectorBlock.newBuilder()
                        .setDim(TestFixtures.DIM)
                        .setCount(2)
                        .setEncoding(VectorEncoding.FLOAT32)
                        .setData(ByteBuffer.allocate(17))
                        .build())));
        expectDeadLetter("bytes");
        tokens.pipeInput((byte[]) null, encode(TestFixtures.tokens(TestFixtures.vectors(rnd, 2), 2, 5)));
        expectDeadLetter("key");
    }

    @Test
    void aBadQueryGoesToTheDeadLetterTopicAndGetsAnErrorAnswer() {
        send("k", 12);
        MemoryQuery q = MemoryQuery.newBuilder()
                .setQueryId("q-bad")
                .setKey("k")
                .setVectors(MemoryStateCodec.block(new float[6], 2, 3, CoefficientPrecision.FLOAT32))
                .build();
        queries.pipeInput(key("k"), query(q));
        expectDeadLetter("dimension");
        MemoryResponse r = responses.readValue();
        assertThat(r.getQueryId()).isEqualTo("q-bad");
        assertThat(r.getError()).contains("dimension");
        queries.pipeInput(key("k"), new byte[] {9, 9, 9});
        expectDeadLetter("magic");
        assertThat(responses.isEmpty()).isTrue(); // no query id to answer to
    }

    private void expectRejected(MemoryQuery q, String reasonFragment) {
        queries.pipeInput(key(q.getKey()), query(q));
        expectDeadLetter(reasonFragment);
        MemoryResponse r = responses.readValue();
        assertThat(r.getQueryId()).isEqualTo(q.getQueryId());
        assertThat(r.getFound()).isFalse();
        assertThat(r.getError()).contains("rejected").containsIgnoringCase(reasonFragment);
        assertThat(responses.isEmpty()).isTrue();
    }

    private MemoryQuery vectorQuery(String k, VectorBlock block) {
        return MemoryQuery.newBuilder()
                .setQueryId(UUID.randomUUID().toString())
                .setKey(k)
                .setVectors(block)
                .build();
    }

    @Test
    void malformedQueriesForAKeyWithNoMemoryAreRejectedNotAnsweredNotFound() {
        expectRejected(
                MemoryQuery.newBuilder().setQueryId("q-none").setKey("nobody").build(), "neither vectors nor text");
        expectRejected(
                vectorQuery("nobody", MemoryStateCodec.block(new float[6], 2, 3, CoefficientPrecision.FLOAT32)),
                "dimension");
        float[] nan = TestFixtures.vectors(rnd, 1);
        nan[2] = Float.NaN;
        expectRejected(
                vectorQuery("nobody", MemoryStateCodec.block(nan, 1, TestFixtures.DIM, CoefficientPrecision.FLOAT32)),
                "non-finite");
        expectRejected(
                vectorQuery(
                        "nobody",
                        VectorBlock.newBuilder()
                                .setDim(TestFixtures.DIM)
                                .setCount(0)
                                .setEncoding(VectorEncoding.FLOAT32)
                                .setData(ByteBuffer.allocate(0))
                                .build()),
                "empty");
        assertThat(memory().get("nobody")).isNull();
    }

    @Test
    void aHugeTextQueryIsRejectedBeforeEncodingAndTheNextQueryIsAnswered() {
        send("k", 12);
        // 5 MB of one-letter words: 2.5 million word pieces, gigabytes of vectors had it been encoded
        expectRejected(textQuery("k", "a ".repeat(2_500_000), 1), "characters");
        int maxPieces = config.getInt(LtmConfig.QUERY_MAX_TOKENS);
        expectRejected(textQuery("k", "a ".repeat(maxPieces + 1), 1), "word pieces");
        MemoryQuery good = textQuery("k", "what happened", 1);
        queries.pipeInput(key("k"), query(good));
        MemoryResponse r = responses.readValue();
        assertThat(r.getQueryId()).isEqualTo(good.getQueryId());
        assertThat(r.getFound()).isTrue();
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void inWorkerModeMalformedQueriesAreRejectedByTheNodeWhetherOrNotTheKeyHasAMemory() {
        driver.close();
        startWith(Map.of(LtmConfig.ATTENTION_MODE, AttentionMode.WORKER.configValue()));
        expectRejected(
                MemoryQuery.newBuilder().setQueryId("q-none").setKey("nobody").build(), "neither vectors nor text");
        send("k", 12);
        expectRejected(textQuery("k", "a ".repeat(2_500_000), 1), "characters");
        assertThat(attentionRequests.isEmpty()).isTrue();
    }

    @Test
    void aTokenEventIsRetriedNotDeadLetteredWhileTheRegistryDoesNotAnswer() throws Exception {
        byte[] wellFormed = encode(TestFixtures.tokens(TestFixtures.vectors(rnd, 3), 3, offset++));
        driver.close();
        try (StubRegistry registry = new StubRegistry(EncodedTokens.getClassSchema())) {
            System.arraycopy(
                    java.nio.ByteBuffer.allocate(4).putInt(StubRegistry.ID).array(), 0, wellFormed, 1, 4);
            startWith(Map.of(
                    LtmConfig.SCHEMA_REGISTRY_URL,
                    registry.url(),
                    "max.retries",
                    1,
                    "retries.wait.ms",
                    1,
                    "retries.max.wait.ms",
                    5));
            assertThatThrownBy(() -> tokens.pipeInput(key("k"), wellFormed))
                    .satisfies(e -> assertThat(Failures.isInfrastructure(e)).isTrue());
            assertThat(registry.requests()).isGreaterThan(0);
            assertThat(index().get("k")).isNull();
            assertThat(dlq.isEmpty()).isTrue();

            registry.up(); // the same record, read again after the failed thread was replaced
            tokens.pipeInput(key("k"), wellFormed);
            assertThat(index().get("k").tokens()).isEqualTo(3);
            assertThat(dlq.isEmpty()).isTrue();
        }
    }

    @Test
    void inResidentWorkerModeTheNodeEmitsTheQueryWithTheVersionOfTheMemoryOnly() {
        driver.close();
        startWith(Map.of(LtmConfig.ATTENTION_MODE, AttentionMode.WORKER.configValue()));
        send("k", 12);
        send("k", 4);
        MemoryQuery q = textQuery("k", "question", 1);
        queries.pipeInput(key("k"), query(q));
        queries.pipeInput(key("nobody"), query(textQuery("nobody", "question", 1)));
        AttentionRequest req = attentionRequests.readValue();
        assertThat(req.getQuery().getQueryId()).isEqualTo(q.getQueryId());
        assertThat(req.getState()).isNull();
        assertThat(req.getVersion().getContractions()).isEqualTo(1);
        assertThat(req.getVersion().getShortTermTokens()).isEqualTo(4);
        assertThat(req.getVersion().getNextSeq()).isEqualTo(index().get("k").nextSeq());
        assertThat(req.getVersion().getOrigin())
                .as("the input offset of the event that began the memory")
                .isZero();
        assertThat(index().get("k").contractions()).isEqualTo(1);
        assertThat(attentionRequests.isEmpty())
                .as("a key without a memory is answered by the node")
                .isTrue();
        assertThat(responses.readValue().getFound()).isFalse();

        // forgotten and begun again: smaller counters than the forgotten memory's, a later origin
        control.pipeInput(
                key("k"),
                control(ControlCommand.newBuilder()
                        .setAction(ControlAction.FORGET)
                        .build()));
        send("k", 3);
        queries.pipeInput(key("k"), query(textQuery("k", "question", 1)));
        MemoryVersion again = attentionRequests.readValue().getVersion();
        assertThat(again.getContractions()).isZero();
        assertThat(again.getNextSeq()).isLessThanOrEqualTo(req.getVersion().getNextSeq());
        assertThat(again.getOrigin()).as("the token event after the first two").isEqualTo(2);
    }

    @Test
    void inSnapshotWorkerModeTheNodeEmitsAnAttentionRequestWithTheMemorySnapshotInsteadOfAnswering() {
        driver.close();
        startWith(Map.of(
                LtmConfig.ATTENTION_MODE, AttentionMode.WORKER.configValue(), LtmConfig.ATTENTION_RESIDENT, false));
        send("k", 12);
        send("k", 4);
        MemoryQuery q = textQuery("k", "question", 1);
        queries.pipeInput(key("k"), query(q));
        assertThat(responses.isEmpty()).isTrue();
        AttentionRequest req = attentionRequests.readValue();
        assertThat(req.getQuery().getQueryId()).isEqualTo(q.getQueryId());
        assertThat(req.getState().getContractions()).isEqualTo(1);
        assertThat(req.getState().getShortTerm().getCount()).isEqualTo(4);
    }

    @Test
    void theMemoryIsALibraryThatJoinsAUsersOwnTopology() {
        driver.close();
        scope = "library-" + UUID.randomUUID();
        config = TestFixtures.config(scope, Map.of());
        org.apache.kafka.streams.StreamsBuilder builder = new org.apache.kafka.streams.StreamsBuilder();
        builder.stream(
                        "user.input",
                        org.apache.kafka.streams.kstream.Consumed.with(
                                org.apache.kafka.common.serialization.Serdes.String(),
                                org.apache.kafka.common.serialization.Serdes.String()))
                .mapValues(v -> v.toUpperCase(java.util.Locale.ROOT))
                .to(
                        "user.output",
                        org.apache.kafka.streams.kstream.Produced.with(
                                org.apache.kafka.common.serialization.Serdes.String(),
                                org.apache.kafka.common.serialization.Serdes.String()));
        Topology t = MemoryTopology.addTo(builder.build(), config, null);
        driver = driver(t);
        var in = driver.createInputTopic(
                "user.input",
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer());
        var out = driver.createOutputTopic("user.output", new StringDeserializer(), new StringDeserializer());
        in.pipeInput("x", "hello");
        assertThat(out.readValue()).isEqualTo("HELLO");
        send("k", 12);
        assertThat(memory().get("k").getContractions()).isEqualTo(1);
    }
}
