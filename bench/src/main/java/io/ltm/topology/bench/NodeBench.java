package io.ltm.topology.bench;

import io.ltm.bench.Machine;
import io.ltm.embedded.EmbeddedKafkaBroker;
import io.ltm.embedded.LocalRegistry;
import io.ltm.model.MemoryConfig;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.QueryOptions;
import io.ltm.schemas.SourcePosition;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.AttentionMode;
import io.ltm.topology.api.Crc32Placement;
import io.ltm.topology.api.KeyPlacement;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import io.ltm.topology.codec.WireVectors;
import io.ltm.topology.internal.CommitPacer;
import io.ltm.topology.worker.AttentionWorker;
import io.ltm.topology.worker.TransactionalLoop;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * {@code ./ltm bench node [--events E] [--keys K] [--tokens T] [--partitions P] [--threads S] [--qps Q]
 * [--novelty true|false] [--seconds S] [--warmup W] [--commit-ms C] [--linger-ms L] [--query-vectors V]
 * [--worker-restart same|new] [--query-partitioner java|crc32] [--ingest-warmup W] [--set KEY=VALUE]...}: the memory
 * node, end to end, on an embedded KRaft broker and the real schema registry, with the default memory configuration and
 * pre-encoded token vectors (no encoder cost), next to a plain stateful Kafka Streams topology with the same
 * Streams settings in the same run. With {@code --set ltm.attention.mode=worker} an attention worker answers the
 * queries (started with the node). Prints one JSON object on stdout (progress goes to stderr).
 *
 * <ol>
 *   <li>Ingest: E events of T tokens (random but smooth vectors: an AR(1) walk per key; token texts drawn from a
 *   Zipf-like vocabulary of 50,000 words, for the term filter) are produced to the tokens topic first; then a plain topology (same records, a 16-byte counter per key) and then the memory
 *   node consume that backlog. Throughput is measured from the first record processed (Streams'
 *   {@code process-total}) to the moment the group's committed offsets reach the end of the topic. Before the
 *   measured node, a node of its own (another application id) ingests W events (default E) of another topic, so that
 *   the measured one runs code the JIT has compiled, as the update alone does, and (unless {@code --qps 0}) answers
 *   10 s of queries on topics of its own, in line, so that the read's code is compiled too; {@code --ingest-warmup 0}
 *   measures a cold node.</li>
 *   <li>The update alone ({@link UpdateRate}): the same tokens per key through {@code LongTermMemory.absorb} in this
 *   process, and the node's ingest per stream thread against it (wall clock and CPU time); the changelog bytes
 *   against the token vectors' own bytes.</li>
 *   <li>Queries ({@code --qps 0} skips them): at a fixed rate, MemoryQuery records with vectors for keys that have memory are produced
 *   and the responses consumed (read_committed); latency is produce call to response poll. In the same run
 *   the same bytes go through a plain produce, Streams (pass-through plus a 16-byte counter), consume
 *   pipeline with the same settings; in worker mode also through that pipeline followed by the worker's
 *   transactional loop relaying each record unchanged (the worker path's second exactly-once hop). The queries'
 *   producer places them with murmur2 (the Java client's), or with {@code --query-partitioner crc32} as a
 *   librdkafka client at its default settings does ({@link Crc32Placement}). The pipelines run side by side
 *   and the queries go to one at a time, in N turns (default 4) of S/N seconds each, node then plain (then relayed),
 *   each pipeline given the same queries in a turn: a node queried right after its ingest answered more slowly (its
 *   commits and first reads) than the same node tens of seconds later, and the plain pipeline, queried after it,
 *   never met that. Turns of S/N seconds (rounded down, at least one); W seconds of warm-up before the first turn of
 *   each, one before every later turn (new clients). In worker mode the relay runs through every turn, so the plain
 *   pipeline's echoes are relayed in its turns too. Percentiles are over all turns; {@code p50MsPerSlice} and
 *   {@code p99MsPerSlice} give each turn's median and 99th percentile.</li>
 * </ol>
 */
public final class NodeBench {

    /** Distinct words the events' token texts are drawn from. */
    private static final int BENCH_VOCABULARY = 50_000;

    private static final String PLAIN_INGEST_APP = "ltm-bench-plain-ingest";
    private static final String PLAIN_ECHO_APP = "ltm-bench-plain-echo";
    private static final String NODE_APP = "ltm-bench-node";
    /** A node of its own, on a backlog of its own, run before the measured node so that it meets a warm JIT. */
    private static final String WARM_APP = "ltm-bench-warm";

    private static final String WARM_TOKENS = "bench.warm.tokens";
    private static final String WARM_QUERIES = "bench.warm.queries";
    private static final String WARM_RESPONSES = "bench.warm.responses";
    /** Seconds of queries the warm-up node answers after its ingest (at the measured rate). */
    private static final int QUERY_WARMUP_SECONDS = 10;

    private static final String ECHO_IN = "bench.echo.in";
    private static final String ECHO_OUT = "bench.echo.out";
    private static final String ECHO_RELAYED = "bench.echo.relayed";
    /** Header of the plain pipeline's echo: when its stream thread took the query up (epoch ms, 8 bytes). */
    static final String TAKEN_UP_AT = "bench.taken.up.at";
    /** Warm-up of each turn of queries after the first: its clients are new. */
    private static final int SLICE_WARMUP_SECONDS = 1;
    /** The queries' keys and vectors: turn k draws them from this seed + k, for each pipeline alike. */
    private static final long QUERY_SEED = 11;
    /** The attention worker's instance id (group.instance.id and transactional id suffix). */
    private static final String WORKER_INSTANCE = "bench";

    private NodeBench() {}

    /** A word of the events' vocabulary: its rank drawn as exp(uniform · ln(vocabulary)), a Zipf-like law. */
    static String word(SplittableRandom rnd) {
        return "w" + (long) Math.exp(rnd.nextDouble() * Math.log(BENCH_VOCABULARY));
    }

    public static void main(String... args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.log.state.change.logger", "warn");
        int events = intArg(args, "--events", 8000);
        int keys = intArg(args, "--keys", 100);
        int tokensPerEvent = intArg(args, "--tokens", 32);
        int partitions = intArg(args, "--partitions", 4);
        int threads = intArg(args, "--threads", 1);
        int qps = intArg(args, "--qps", 100);
        int seconds = intArg(args, "--seconds", 10);
        int warmup = intArg(args, "--warmup", 2);
        int slices = intArg(args, "--slices", 4);
        int ingestWarmup = intArg(args, "--ingest-warmup", events);
        int queryVectors = intArg(args, "--query-vectors", 4);
        String commitMs = strArg(args, "--commit-ms", null);
        String lingerMs = strArg(args, "--linger-ms", null);
        String novelty = strArg(args, "--novelty", null);
        String workerRestart = strArg(args, "--worker-restart", null);
        String queryPartitioner = strArg(args, "--query-partitioner", "java");
        if (!List.of("java", "crc32").contains(queryPartitioner)) {
            throw new IllegalArgumentException("--query-partitioner must be java or crc32, not " + queryPartitioner);
        }
        // java: murmur2; crc32: librdkafka's default. Queries placed otherwise than the node's ltm.key.placement
        // take the detour (the node writes them again to their key's partition)
        Class<? extends Partitioner> queryClients = queryPartitioner.equals("crc32") ? Crc32Placement.class : null;
        if (workerRestart != null && !List.of("same", "new").contains(workerRestart)) {
            throw new IllegalArgumentException("--worker-restart must be same or new, not " + workerRestart);
        }

        long t0 = System.nanoTime();
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        Path stateDir = Files.createTempDirectory("ltm-bench-node-");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "node");
        out.put("cpu", Machine.cpuModel()); // where attention, recall and sorting put it
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
                LocalRegistry registry = LocalRegistry.start()) {
            Map<String, Object> overrides = new HashMap<>();
            overrides.put(LtmConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
            overrides.put(LtmConfig.SCHEMA_REGISTRY_URL, registry.url());
            overrides.put(LtmConfig.APPLICATION_ID, NODE_APP);
            overrides.put(LtmConfig.STATE_DIR, stateDir.toString());
            overrides.put(LtmConfig.TOPIC_PARTITIONS, partitions);
            overrides.put(LtmConfig.ENCODER, "none");
            overrides.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
            if (commitMs != null) {
                overrides.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitMs);
            }
            if (lingerMs != null) {
                overrides.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), lingerMs);
            }
            Map<String, String> set = new LinkedHashMap<>(); // printed with the settings
            for (int i = 0; i + 1 < args.length; i++) { // --set KEY=VALUE, repeatable: any configuration key
                if (args[i].equals("--set")) {
                    String[] kv = args[i + 1].split("=", 2);
                    overrides.put(kv[0], kv[1]);
                    set.put(kv[0], kv[1]);
                }
            }
            if (novelty != null) {
                overrides.put(LtmConfig.NOVELTY_ENABLED, novelty);
            }
            LtmConfig config = LtmConfig.load(null, Map.of(), overrides);
            if (workerRestart != null && config.attentionMode() != AttentionMode.WORKER) {
                throw new IllegalArgumentException("--worker-restart needs --set ltm.attention.mode=worker");
            }
            MemoryConfig memory = config.memoryConfig();
            Properties nodeProps = config.streamsProperties();
            String tokensTopic = config.getString(LtmConfig.TOPIC_TOKENS);
            Map<String, Integer> topics = new HashMap<>(config.topicPartitions());
            topics.put(ECHO_IN, partitions);
            topics.put(ECHO_OUT, partitions);
            topics.put(ECHO_RELAYED, partitions);
            broker.createTopics(topics, Map.of());
            awaitLeaders(broker, topics.keySet());
            say("broker " + broker.bootstrapServers() + ", registry " + registry.url() + ", startup " + secs(t0)
                    + " s");

            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("kafkaVersion", AppInfoParser.getVersion());
            settings.put("processingGuarantee", nodeProps.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
            settings.put("commitIntervalMs", nodeProps.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
            settings.put(
                    "producerLingerMs", nodeProps.get(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG)));
            settings.put("maxTaskIdleMs", nodeProps.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG));
            settings.put("inputRepartition", config.getBoolean(LtmConfig.INPUT_REPARTITION));
            settings.put("queryPartitioner", queryPartitioner);
            settings.put("keyPlacement", config.keyPlacement().configValue());
            settings.put("queryCommitGapMs", config.getLong(LtmConfig.QUERY_COMMIT_GAP_MS));
            settings.put("querySlices", slices);
            settings.put("querySliceSeconds", Math.max(1, seconds / slices));
            settings.put("streamThreads", threads);
            settings.put("partitions", partitions);
            settings.put("keys", keys);
            settings.put("events", events);
            settings.put("tokensPerEvent", tokensPerEvent);
            settings.put("d", memory.dim());
            settings.put("N", memory.basisSize());
            settings.put("L", memory.contractionLength());
            settings.put("precision", memory.precision().name());
            settings.put("sticky", memory.sticky());
            settings.put("retention", memory.retention().name());
            settings.put("firstEpoch", memory.firstEpoch());
            settings.put("novelty", config.getBoolean(LtmConfig.NOVELTY_ENABLED));
            settings.put("tokenVectorEncoding", "FLOAT16");
            settings.put("storeCaching", true);
            settings.put("cores", Runtime.getRuntime().availableProcessors());
            settings.put("cpuModel", out.get("cpu")); // the key of the node results already in docs/bench-*
            settings.put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
            settings.put("loadAverageAtStart", round2(loadBefore));
            settings.put("set", set);
            out.put("settings", settings);

            // 1. the backlog of token events
            Map<String, Object> serdeConfig = config.serdeConfig();
            long t = System.nanoTime();
            long bytes = produceTokens(
                    broker.bootstrapServers(),
                    serdeConfig,
                    config.keyPlacement(),
                    tokensTopic,
                    events,
                    keys,
                    tokensPerEvent,
                    memory.dim());
            settings.put("eventBytesAvg", bytes / events);
            say(String.format(
                    Locale.ROOT,
                    "produced %d events (%d tokens, %.1f MB) in %.1f s",
                    events,
                    (long) events * tokensPerEvent,
                    bytes / 1e6,
                    secs(t)));

            // 2. ingest: the plain stateful baseline, then the memory node, on the same backlog
            Properties plainProps = copyWith(nodeProps, PLAIN_INGEST_APP, stateDir.resolve("plain-ingest"));
            Map<String, Object> plainIngest;
            try (KafkaStreams plain = new KafkaStreams(counterTopology(tokensTopic, null, -1), plainProps)) {
                plainIngest = measureIngest(
                        broker,
                        plain,
                        plain::start,
                        System.nanoTime(),
                        PLAIN_INGEST_APP,
                        tokensTopic,
                        events,
                        tokensPerEvent);
                plain.close(Duration.ofSeconds(30));
            }
            say("plain ingest: " + plainIngest);

            // a node of its own on a backlog of its own first: the measured node then runs compiled code, as the
            // update alone (measured after it) does; on two cores the JIT's threads took more CPU than the stream
            // thread during a cold node's ingest
            Map<String, Object> warmIngest = null;
            if (ingestWarmup > 0) {
                Map<String, Object> warmOverrides = new HashMap<>(overrides);
                warmOverrides.put(LtmConfig.APPLICATION_ID, WARM_APP);
                warmOverrides.put(LtmConfig.TOPIC_TOKENS, WARM_TOKENS);
                // queries of its own too, answered in line: the read's code is then compiled as well (the measured
                // node's and, in this process, the attention worker's)
                warmOverrides.put(LtmConfig.TOPIC_QUERIES, WARM_QUERIES);
                warmOverrides.put(LtmConfig.TOPIC_RESPONSES, WARM_RESPONSES);
                warmOverrides.put(LtmConfig.ATTENTION_MODE, AttentionMode.INLINE.configValue());
                LtmConfig warmConfig = LtmConfig.load(null, Map.of(), warmOverrides);
                Map<String, Integer> warmTopics =
                        Map.of(WARM_TOKENS, partitions, WARM_QUERIES, partitions, WARM_RESPONSES, partitions);
                broker.createTopics(warmTopics, Map.of());
                awaitLeaders(broker, warmTopics.keySet());
                produceTokens(
                        broker.bootstrapServers(),
                        serdeConfig,
                        warmConfig.keyPlacement(),
                        WARM_TOKENS,
                        ingestWarmup,
                        keys,
                        tokensPerEvent,
                        memory.dim());
                try (MemoryNode warm = MemoryNode.start(warmConfig, null)) {
                    warmIngest = measureIngest(
                            broker,
                            warm.streams(),
                            null,
                            System.nanoTime(),
                            WARM_APP,
                            WARM_TOKENS,
                            ingestWarmup,
                            tokensPerEvent);
                    if (qps > 0) {
                        Slice q = measureLatency(
                                broker.bootstrapServers(),
                                queryClients,
                                WARM_QUERIES,
                                WARM_RESPONSES,
                                serdeConfig,
                                keys,
                                memory.dim(),
                                queryVectors,
                                qps,
                                QUERY_WARMUP_SECONDS,
                                0,
                                QUERY_SEED - 1,
                                true,
                                WARM_APP);
                        Map<String, Object> warmQueries = new LinkedHashMap<>();
                        warmQueries.put("seconds", QUERY_WARMUP_SECONDS);
                        warmQueries.put("answered", q.latencyNs().length);
                        warmQueries.put("p50Ms", pct(sorted(q.latencyNs()), 50));
                        warmQueries.put("streamThreadCpuMsPerQuery", round3(q.streamThreadCpuNanos() / 1e6 / q.sent()));
                        warmIngest.put("queries", warmQueries);
                    }
                }
                say("warm-up (another node, other topics): " + warmIngest);
            }

            Map<String, Object> nodeIngest;
            Map<String, Object> nodeQuery = null;
            Map<String, Object> plainQuery = null;
            Map<String, Object> plainRelayedQuery = null;
            long nodeStart = System.nanoTime();
            boolean workerMode = config.attentionMode() == AttentionMode.WORKER;
            Map<String, Object> restart = null;
            AttentionWorker worker = workerMode ? new AttentionWorker(config, null, WORKER_INSTANCE) : null;
            try (MemoryNode node = MemoryNode.start(config, null)) { // starts its KafkaStreams
                if (worker != null) {
                    // started with the node: its replicas follow the changelogs during the ingest (which shares the
                    // machine with it), so the queries meet a warm worker
                    worker.start();
                }
                nodeIngest = measureIngest(
                        broker, node.streams(), null, nodeStart, NODE_APP, tokensTopic, events, tokensPerEvent);
                say("node ingest: " + nodeIngest);
                // 3. queries: the node and the plain pipeline (in worker mode also the plain pipeline followed by a
                // relay, the worker's second exactly-once hop) all run; the queries go to one of them at a time, in
                // turns of seconds/slices each, so that what the machine does meanwhile (the work an ingest leaves
                // behind it, load from elsewhere) falls on both alike
                if (qps > 0) {
                    Properties echoProps = copyWith(nodeProps, PLAIN_ECHO_APP, stateDir.resolve("plain-echo"));
                    try (KafkaStreams echo = new KafkaStreams(
                                    counterTopology(ECHO_IN, ECHO_OUT, config.getLong(LtmConfig.QUERY_COMMIT_GAP_MS)),
                                    echoProps);
                            Relay relay = workerMode ? new Relay(config) : null) {
                        echo.start();
                        awaitRunning(echo);
                        if (relay != null) {
                            relay.start();
                        }
                        List<Slice> nodeSlices = new ArrayList<>(), plainSlices = new ArrayList<>();
                        List<Slice> relayedSlices = new ArrayList<>();
                        int sliceSeconds = Math.max(1, seconds / slices);
                        for (int k = 0; k < slices; k++) {
                            // each turn opens its own clients: a second of warm-up for them, the first turn more
                            int w = k == 0 ? warmup : SLICE_WARMUP_SECONDS;
                            long seed = QUERY_SEED + k; // both pipelines get the same queries in a turn
                            QueryTurn turn = (in, answers, isNode) -> measureLatency(
                                    broker.bootstrapServers(),
                                    queryClients,
                                    in,
                                    answers,
                                    serdeConfig,
                                    keys,
                                    memory.dim(),
                                    queryVectors,
                                    qps,
                                    sliceSeconds,
                                    w,
                                    seed,
                                    isNode,
                                    isNode ? NODE_APP : PLAIN_ECHO_APP);
                            nodeSlices.add(turn.run(
                                    config.getString(LtmConfig.TOPIC_QUERIES),
                                    config.getString(LtmConfig.TOPIC_RESPONSES),
                                    true));
                            plainSlices.add(turn.run(ECHO_IN, ECHO_OUT, false));
                            if (relay != null) {
                                relayedSlices.add(turn.run(ECHO_IN, ECHO_RELAYED, false));
                            }
                        }
                        nodeQuery = summary(nodeSlices, qps, true);
                        Map<String, Double> m = metrics(
                                node.streams(),
                                Map.of(
                                        "query-latency-avg",
                                        "query-latency-avg",
                                        "query-latency-max",
                                        "query-latency-max"));
                        nodeQuery.put("nodeProcessMsAvg", round3(m.getOrDefault("query-latency-avg", Double.NaN)));
                        nodeQuery.put("nodeProcessMsMax", round3(m.getOrDefault("query-latency-max", Double.NaN)));
                        nodeQuery.put("streamThreadLoop", threadLoop(node.streams()));
                        say("node queries: " + nodeQuery);
                        plainQuery = summary(plainSlices, qps, false);
                        plainQuery.put("streamThreadLoop", threadLoop(echo));
                        say("plain pipeline: " + plainQuery);
                        if (relay != null) {
                            plainRelayedQuery = summary(relayedSlices, qps, false);
                            say("plain pipeline and a relay: " + plainRelayedQuery);
                        }
                        echo.close(Duration.ofSeconds(30));
                    }
                }
                if (worker != null && workerRestart != null) {
                    worker.close();
                    worker = null;
                    restart = measureWorkerRestart(
                            config,
                            broker.bootstrapServers(),
                            queryClients,
                            workerRestart.equals("same") ? WORKER_INSTANCE : WORKER_INSTANCE + "-new",
                            keys,
                            memory.dim(),
                            queryVectors);
                    restart.put("nodeChangelogBytesOnDisk", nodeIngest.get("changelogBytesOnDisk"));
                    say("worker restart: " + restart);
                }
            } finally {
                if (worker != null) worker.close();
            }

            // the update alone on the same work (keys, tokens per key, configuration), in this process, after the node
            // has stopped so that nothing else of this run competes for the CPU
            Map<String, Object> math = UpdateRate.measure(memory, keys, (long) events * tokensPerEvent / keys);
            say("update alone: " + math);

            Map<String, Object> ingest = new LinkedHashMap<>();
            ingest.put("warmUpEvents", ingestWarmup);
            if (warmIngest != null) ingest.put("warmUp", warmIngest);
            ingest.put("node", nodeIngest);
            ingest.put("plain", plainIngest);
            ingest.put(
                    "nodeToPlainEventsPerSec",
                    round3((double) nodeIngest.get("eventsPerSec") / (double) plainIngest.get("eventsPerSec")));
            ingest.put("updateAlone", math);
            ingest.put("versusUpdate", versusUpdate(nodeIngest, math, threads, (long) events * tokensPerEvent));
            ingest.put(
                    "changelogVersusTokens",
                    changelogVersusTokens(
                            nodeIngest,
                            (long) events * tokensPerEvent,
                            (long) events * tokensPerEvent * memory.dim() * WireVectors.TOKENS.bytes()));
            out.put("ingest", ingest);
            if (qps > 0) {
                Map<String, Object> query = new LinkedHashMap<>();
                query.put("node", nodeQuery);
                query.put("plain", plainQuery);
                for (String p : List.of("p50", "p95", "p99")) {
                    query.put(
                            "nodeToPlain" + p.toUpperCase(Locale.ROOT),
                            round3((double) nodeQuery.get(p + "Ms") / (double) plainQuery.get(p + "Ms")));
                }
                if (plainRelayedQuery != null) {
                    query.put("plainRelayed", plainRelayedQuery);
                    for (String p : List.of("p50", "p95", "p99")) {
                        query.put(
                                "nodeToPlainRelayed" + p.toUpperCase(Locale.ROOT),
                                round3((double) nodeQuery.get(p + "Ms") / (double) plainRelayedQuery.get(p + "Ms")));
                    }
                }
                out.put("query", query);
            }
            if (restart != null) out.put("workerRestart", restart);
        } finally {
            deleteQuietly(stateDir);
        }
        out.put(
                "loadAverageAtEnd",
                round2(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        out.put("wallSeconds", round2(secs(t0)));
        System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(out));
    }

    /** The targets, printed beside the measured ratios. */
    private static final double TARGET_NODE_TO_UPDATE = 0.6;

    private static final double TARGET_CHANGELOG_TO_TOKENS = 1.3;

    /**
     * The node's ingest per stream thread against the update alone: by wall clock (tokens/s per thread over the
     * update's tokens/s) and by CPU time (tokens per second of stream-thread CPU over tokens per second of the update's
     * CPU), the latter less sensitive to the machine's other load and to the broker sharing this process.
     */
    private static Map<String, Object> versusUpdate(
            Map<String, Object> node, Map<String, Object> update, int threads, long tokens) {
        Map<String, Object> r = new LinkedHashMap<>();
        double perThread = (double) node.get("tokensPerSec") / threads;
        double perCpuSec = tokens / (double) node.get("streamThreadCpuSec");
        r.put("nodeTokensPerSecPerStreamThread", round1(perThread));
        r.put("nodeTokensPerStreamThreadCpuSec", round1(perCpuSec));
        r.put("updateTokensPerSec", update.get("tokensPerSec"));
        r.put("updateTokensPerCpuSec", update.get("tokensPerCpuSec"));
        r.put("ratioWall", round3(perThread / ((Number) update.get("tokensPerSec")).doubleValue()));
        r.put("ratioCpu", round3(perCpuSec / ((Number) update.get("tokensPerCpuSec")).doubleValue()));
        r.put("target", TARGET_NODE_TO_UPDATE);
        return r;
    }

    /** Changelog bytes the node sent, per token and against the token vectors' own bytes, in all and per store. */
    static Map<String, Object> changelogVersusTokens(Map<String, Object> node, long tokens, long vectorBytes) {
        Map<String, Object> r = new LinkedHashMap<>();
        long sent = (long) node.get("changelogBytesSent");
        r.put("changelogBytesPerToken", round1((double) sent / tokens));
        r.put("tokenVectorBytesPerToken", round1((double) vectorBytes / tokens));
        r.put("ratio", round3((double) sent / vectorBytes));
        r.put("target", TARGET_CHANGELOG_TO_TOKENS);
        Map<String, Object> byStore = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        Map<String, Object> stores = (Map<String, Object>) node.get("changelogBytesSentByStore");
        stores.forEach((store, bytes) -> byStore.put(store, round4((long) bytes / (double) vectorBytes)));
        r.put("ratioByStore", byStore);
        return r;
    }

    // ---------------------------------------------------------------- the backlog

    /** Produces the token events (key i % keys), each key's vectors an AR(1) walk; returns the value bytes. */
    private static long produceTokens(
            String bootstrap,
            Map<String, Object> serdeConfig,
            KeyPlacement placement,
            String topic,
            int events,
            int keys,
            int tokens,
            int dim) {
        var serializer = LtmSerdes.avro(EncodedTokens.class, serdeConfig).serializer();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, LtmConfig.MAX_STATE_BYTES);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, placement.getClass()); // on the partitions of the keys' memories
        SplittableRandom rnd = new SplittableRandom(7);
        float[][] walk = new float[keys][dim];
        for (float[] w : walk) {
            for (int j = 0; j < dim; j++) {
                w[j] = (float) rnd.nextGaussian();
            }
        }
        double rho = 0.98;
        double noise = Math.sqrt(1 - rho * rho);
        long bytes = 0;
        long now = System.currentTimeMillis();
        java.util.concurrent.atomic.AtomicReference<Exception> failed =
                new java.util.concurrent.atomic.AtomicReference<>();
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < events; i++) {
                int k = i % keys;
                float[] w = walk[k];
                float[] v = new float[tokens * dim];
                for (int n = 0; n < tokens; n++) {
                    for (int j = 0; j < dim; j++) {
                        w[j] = (float) (rho * w[j] + noise * rnd.nextGaussian());
                    }
                    System.arraycopy(w, 0, v, n * dim, dim);
                }
                // token texts as the encode worker attaches them (the term filter indexes them)
                List<String> texts = new ArrayList<>(tokens);
                for (int n = 0; n < tokens; n++) {
                    texts.add(word(rnd));
                }
                EncodedTokens e = EncodedTokens.newBuilder()
                        .setVectors(WireVectors.tokens(v, tokens, dim))
                        .setTokens(texts)
                        .setSource(SourcePosition.newBuilder()
                                .setTopic("bench")
                                .setPartition(0)
                                .setOffset(i)
                                .setTimestamp(Instant.ofEpochMilli(now + i))
                                .setSourceId(null)
                                .build())
                        .build();
                byte[] value = serializer.serialize(topic, e);
                bytes += value.length;
                producer.send(new ProducerRecord<>(topic, key(k), value), (md, ex) -> {
                    if (ex != null) {
                        failed.compareAndSet(null, ex);
                    }
                });
            }
            producer.flush();
        }
        if (failed.get() != null) {
            throw new IllegalStateException("the backlog is incomplete: a send failed", failed.get());
        }
        return bytes;
    }

    private static String key(int k) {
        return "key-" + k;
    }

    // ---------------------------------------------------------------- the plain topology

    /**
     * The plain stateful baseline: per record, read a 16-byte value of the key (count, bytes seen), update it and
     * write it back, in a logged, cached RocksDB store like the node's; with {@code sinkTopic}, also forward the
     * record unchanged (the plain request/response pipeline), asking for commits after its records with the node's
     * own {@link CommitPacer} and gap ({@code ltm.query.commit.gap.ms}), so both pipelines commit alike.
     */
    static Topology counterTopology(String sourceTopic, String sinkTopic, long commitGapMs) {
        Topology t = new Topology();
        ByteArrayDeserializer bytes = new ByteArrayDeserializer();
        t.addSource("src", bytes, bytes, sourceTopic);
        CommitPacer pacer = new CommitPacer(sinkTopic == null ? -1 : commitGapMs); // shared by the topology's tasks
        t.addProcessor("count", () -> new Counter(sinkTopic != null, pacer), "src");
        t.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore("bench-counter"), Serdes.String(), Serdes.ByteArray())
                        .withCachingEnabled()
                        .withLoggingEnabled(Map.of("cleanup.policy", "compact")),
                "count");
        if (sinkTopic != null) {
            t.addSink("sink", sinkTopic, new ByteArraySerializer(), new ByteArraySerializer(), "count");
        }
        return t;
    }

    private static final class Counter implements Processor<byte[], byte[], byte[], byte[]> {
        private final boolean forward;
        private final CommitPacer pacer;
        private CommitPacer.Task commits;
        private ProcessorContext<byte[], byte[]> context;
        private KeyValueStore<String, byte[]> store;

        Counter(boolean forward, CommitPacer pacer) {
            this.forward = forward;
            this.pacer = pacer;
        }

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
            this.store = context.getStateStore("bench-counter");
            this.commits = pacer.forTask(context);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            String key = new String(record.key(), StandardCharsets.UTF_8);
            byte[] old = store.get(key);
            ByteBuffer b = ByteBuffer.allocate(16);
            long count = old == null ? 0 : ByteBuffer.wrap(old).getLong(0);
            long seen = old == null ? 0 : ByteBuffer.wrap(old).getLong(8);
            b.putLong(count + 1).putLong(seen + (record.value() == null ? 0 : record.value().length));
            store.put(key, b.array());
            if (forward) {
                // when the stream thread took it up (its cached wall clock), as the node's answeredAt says
                byte[] at = ByteBuffer.allocate(Long.BYTES)
                        .putLong(context.currentSystemTimeMs())
                        .array();
                context.forward(
                        record.withHeaders(new RecordHeaders(record.headers().toArray()).add(TAKEN_UP_AT, at)));
                commits.written();
            }
        }
    }

    private static Properties copyWith(Properties base, String appId, Path stateDir) {
        Properties p = new Properties();
        p.putAll(base);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return p;
    }

    // ---------------------------------------------------------------- ingest

    /**
     * Starts {@code streams} on the backlog and waits until its group has committed every record of the topic.
     * Start: the first poll (every 5 ms) that sees Streams' process-total above zero; end: the first check
     * (every 25 ms) that sees zero lag in the committed offsets.
     */
    private static Map<String, Object> measureIngest(
            EmbeddedKafkaBroker broker,
            KafkaStreams streams,
            Runnable start,
            long startCall,
            String group,
            String topic,
            int events,
            int tokensPerEvent)
            throws Exception {
        if (start != null) {
            start.run();
        }
        long first = -1;
        long cpuAtFirst = 0;
        long processCpuAtFirst = 0;
        long gcAtFirst = 0;
        long allProcessed = -1;
        long half = -1;
        long cpuAtAll = 0;
        long cpuAtHalf = 0;
        List<Metric> processMetrics = List.of();
        long done;
        long cpuAtDone;
        long processCpuAtDone;
        long gcAtDone;
        try (Admin admin = broker.admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (var pi : admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get()
                    .get(topic)
                    .partitions()) {
                latest.put(new TopicPartition(topic, pi.partition()), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, r) -> ends.put(tp, r.offset()));
            long inTopic = ends.values().stream().mapToLong(Long::longValue).sum();
            if (inTopic != events) {
                throw new IllegalStateException(topic + " holds " + inTopic + " records, expected " + events);
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            long nextLagCheck = 0;
            while (true) {
                long now = System.nanoTime();
                if (now > deadline) {
                    throw new IllegalStateException(group + " did not catch up within 10 minutes");
                }
                if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                    throw new IllegalStateException(group + " stopped: " + streams.state());
                }
                // the thread-level process-total sensors exist from the thread's start: look them up once, then
                // read them directly (building streams.metrics() every few ms costs CPU the node needs)
                if (processMetrics.isEmpty()) {
                    processMetrics = processTotalMetrics(streams);
                }
                double processed = 0;
                for (Metric m : processMetrics) {
                    processed += value(m);
                }
                if (first < 0 && processed > 0) {
                    first = now;
                    cpuAtFirst = streamThreadCpuNanos(group);
                    processCpuAtFirst = processCpuNanos();
                    gcAtFirst = gcMillis();
                }
                if (half < 0 && processed >= events / 2.0) {
                    half = now;
                    cpuAtHalf = streamThreadCpuNanos(group);
                }
                if (allProcessed < 0 && processed >= events) {
                    allProcessed = now;
                    cpuAtAll = streamThreadCpuNanos(group);
                }
                if (first >= 0 && now >= nextLagCheck) {
                    nextLagCheck = now + 25_000_000L;
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get();
                    long lag = 0;
                    for (var e : ends.entrySet()) {
                        OffsetAndMetadata c = committed.get(e.getKey());
                        lag += e.getValue() - (c == null ? 0 : c.offset());
                    }
                    if (lag == 0) {
                        done = System.nanoTime();
                        cpuAtDone = streamThreadCpuNanos(group);
                        processCpuAtDone = processCpuNanos();
                        gcAtDone = gcMillis();
                        break;
                    }
                }
                Thread.sleep(5);
            }
            double seconds = (done - first) / 1e9;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("startupToFirstRecordSec", round3((first - startCall) / 1e9));
            r.put("firstToLastCommittedSec", round3(seconds));
            r.put("firstToAllProcessedSec", allProcessed < 0 ? null : round3((allProcessed - first) / 1e9));
            // the second half of the backlog (by records processed): less JIT warm-up and start-up in it
            if (half > 0 && allProcessed > half) {
                double hs = (allProcessed - half) / 1e9;
                r.put("secondHalfEventsPerSec", round1((events - events / 2) / hs));
                r.put("secondHalfTokensPerSec", round1((double) (events - events / 2) * tokensPerEvent / hs));
                r.put(
                        "secondHalfStreamThreadCpuMsPerEvent",
                        round3((cpuAtAll - cpuAtHalf) / 1e6 / (events - events / 2)));
            }
            r.put("eventsPerSec", round1(events / seconds));
            // CPU time of the stream threads over the same interval: less sensitive to the machine's other load
            r.put("streamThreadCpuSec", round3((cpuAtDone - cpuAtFirst) / 1e9));
            r.put("streamThreadCpuMsPerEvent", round3((cpuAtDone - cpuAtFirst) / 1e6 / events));
            // the whole JVM (broker, registry client, RocksDB background threads, producers, GC) over the interval
            r.put("processCpuSec", round3((processCpuAtDone - processCpuAtFirst) / 1e9));
            r.put("processCpuCoresBusy", round2((processCpuAtDone - processCpuAtFirst) / 1e9 / seconds));
            r.put("gcMs", gcAtDone - gcAtFirst);
            r.put("tokensPerSec", round1((double) events * tokensPerEvent / seconds));
            Map<String, Double> m = metrics(
                    streams,
                    Map.of(
                            "contractions-total",
                            "contractions",
                            "tokens-absorbed-total",
                            "tokensAbsorbed",
                            "dead-letters-total",
                            "deadLetters",
                            "state-bytes-written-total",
                            "stateBytesRecorded"));
            if (m.containsKey("contractions")) {
                r.put("tokensAbsorbed", m.get("tokensAbsorbed").longValue());
                r.put("contractions", m.get("contractions").longValue());
                r.put("contractionsPerSec", round1(m.get("contractions") / seconds));
                r.put("deadLetters", m.getOrDefault("deadLetters", 0.0).longValue());
            }
            r.put("processTotal", (long) processTotal(streams));
            // how often a contraction or query found a memory part decoded (ltm.ingest.cache.bytes)
            Map<String, Object> lookups = new LinkedHashMap<>();
            for (String part : List.of("b", "short-term", "long-term", "terms")) {
                Map<String, Double> c = metrics(
                        streams, Map.of(part + "-cache-lookups-total", "lookups", part + "-cache-hits-total", "hits"));
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("lookups", c.getOrDefault("lookups", 0.0).longValue());
                one.put("hits", c.getOrDefault("hits", 0.0).longValue());
                lookups.put(part, one);
            }
            r.put("decodedStateLookups", lookups);
            // what the Streams producer sent to each changelog (producer-topic-metrics, batch bytes as sent)
            Map<String, Object> changelogs = new LinkedHashMap<>();
            long sentBytes = 0;
            for (var e : streams.metrics().entrySet()) {
                MetricName n = e.getKey();
                String tp = n.tags().get("topic");
                if (n.group().equals("producer-topic-metrics")
                        && n.name().equals("byte-total")
                        && tp != null
                        && tp.endsWith("-changelog")) {
                    long v = (long) value(e.getValue());
                    sentBytes += v;
                    changelogs.merge(tp.substring(group.length() + 1), v, (a, b) -> (long) a + (long) b);
                }
            }
            r.put("changelogBytesSent", sentBytes);
            r.put("changelogBytesSentPerEvent", sentBytes / events);
            r.put("changelogBytesSentPerSec", round1(sentBytes / seconds));
            r.put("changelogBytesSentByStore", changelogs);
            r.put("changelogBytesOnDisk", logDirBytes(admin, group + "-", "-changelog"));
            return r;
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long gcMillis() {
        long sum = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    /** CPU time so far of the live stream threads of an application (not their producers' network threads). */
    private static long streamThreadCpuNanos(String appId) {
        var mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (n.startsWith(appId + "-") && n.contains("-StreamThread-") && !n.contains("producer")) {
                long c = mx.getThreadCpuTime(t.getId());
                sum += Math.max(0, c);
            }
        }
        return sum;
    }

    private static List<Metric> processTotalMetrics(KafkaStreams streams) {
        List<Metric> out = new ArrayList<>();
        for (var e : streams.metrics().entrySet()) {
            MetricName n = e.getKey();
            if (n.group().equals("stream-thread-metrics") && n.name().equals("process-total")) {
                out.add(e.getValue());
            }
        }
        return out;
    }

    private static double processTotal(KafkaStreams streams) {
        double sum = 0;
        for (var e : streams.metrics().entrySet()) {
            MetricName n = e.getKey();
            if (n.group().equals("stream-thread-metrics") && n.name().equals("process-total")) {
                sum += value(e.getValue());
            }
        }
        return sum;
    }

    /**
     * The metrics with the given names over all tasks and threads, renamed: totals are summed, maxima take the
     * maximum, averages (Streams' windowed avg, about the last minute) the mean over the tasks that have one.
     */
    private static Map<String, Double> metrics(KafkaStreams streams, Map<String, String> names) {
        return metrics(streams, "ltm", names);
    }

    /** As {@link #metrics(KafkaStreams, Map)}, of the metric groups whose name contains {@code group}. */
    private static Map<String, Double> metrics(KafkaStreams streams, String group, Map<String, String> names) {
        Map<String, Double> out = new HashMap<>();
        Map<String, Integer> n = new HashMap<>();
        for (var e : streams.metrics().entrySet()) {
            String name = e.getKey().name();
            String as = names.get(name);
            if (as != null && e.getKey().group().contains(group)) {
                double v = value(e.getValue());
                if (!Double.isNaN(v)) {
                    out.merge(as, v, name.endsWith("-max") ? Math::max : Double::sum);
                    n.merge(as, 1, Integer::sum);
                }
            }
        }
        names.forEach((name, as) -> {
            if (name.endsWith("-avg") && out.containsKey(as)) {
                out.put(as, out.get(as) / n.get(as));
            }
        });
        return out;
    }

    /**
     * What the stream threads' loop spent its time on (Streams' stream-thread-metrics, windowed averages of about the
     * last minute, ms; maxima over it): where an answer waits between its processing and its commit.
     */
    private static Map<String, Object> threadLoop(KafkaStreams streams) {
        List<String> names = List.of(
                "poll-latency-avg",
                "process-latency-avg",
                "process-latency-max",
                "punctuate-latency-avg",
                "punctuate-latency-max",
                "commit-latency-avg",
                "commit-latency-max",
                "commit-rate");
        Map<String, String> as = new LinkedHashMap<>();
        names.forEach(n -> as.put(n, n));
        Map<String, Double> m = metrics(streams, "stream-thread-metrics", as);
        Map<String, Object> out = new LinkedHashMap<>();
        names.forEach(n -> out.put(n, round3(m.getOrDefault(n, Double.NaN))));
        return out;
    }

    private static double value(Metric m) {
        Object v = m.metricValue();
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static long logDirBytes(Admin admin, String prefix, String suffix) throws Exception {
        long sum = 0;
        for (Map<String, LogDirDescription> dirs :
                admin.describeLogDirs(List.of(1)).allDescriptions().get().values()) {
            for (LogDirDescription d : dirs.values()) {
                for (var e : d.replicaInfos().entrySet()) {
                    String t = e.getKey().topic();
                    if (t.startsWith(prefix) && t.endsWith(suffix)) {
                        sum += e.getValue().size();
                    }
                }
            }
        }
        return sum;
    }

    /** Waits until every partition of the topics has a leader (sends right after creation can fail otherwise). */
    private static void awaitLeaders(EmbeddedKafkaBroker broker, java.util.Set<String> topics) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Admin admin = broker.admin()) {
            while (true) {
                boolean ready = admin.describeTopics(topics).allTopicNames().get().values().stream()
                        .allMatch(d -> d.partitions().stream()
                                .allMatch(pi ->
                                        pi.leader() != null && !pi.leader().isEmpty()));
                if (ready) {
                    Thread.sleep(500); // let the broker's own metadata catch up with the controller's
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topics without leaders after 30 s");
                }
                Thread.sleep(100);
            }
        }
    }

    private static void awaitRunning(KafkaStreams streams) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not RUNNING: " + streams.state());
            }
            Thread.sleep(20);
        }
    }

    // ---------------------------------------------------------------- query latency

    /** A producer of queries, as LtmClient sends them; {@code partitioner} null: the Java client's own (murmur2). */
    private static KafkaProducer<String, byte[]> queryProducer(
            String bootstrap, Class<? extends Partitioner> partitioner) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5); // as LtmClient
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        if (partitioner != null) {
            p.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, partitioner.getName());
        }
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** A read_committed consumer of every partition of {@code topic}, from its end (as a client waits for answers). */
    private static KafkaConsumer<String, byte[]> fromEnd(String bootstrap, String topic) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position);
            return consumer;
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    private static float[] randomVectors(SplittableRandom rnd, int floats) {
        float[] v = new float[floats];
        for (int j = 0; j < v.length; j++) {
            v[j] = (float) rnd.nextGaussian();
        }
        return v;
    }

    /** A query of the {@code vectors} vectors {@code v} for {@code key}, one span, with a fresh id. */
    private static MemoryQuery vectorQuery(String key, float[] v, int vectors, int dim) {
        return MemoryQuery.newBuilder()
                .setQueryId(UUID.randomUUID().toString())
                .setKey(key)
                .setVectors(WireVectors.query(v, vectors, dim))
                .setOptions(QueryOptions.newBuilder().setSpans(1).build())
                .setRequestedAt(Instant.now())
                .build();
    }

    /** Longest a restarted worker is given to answer every key. */
    private static final Duration RESTART_LIMIT = Duration.ofMinutes(5);

    /**
     * A new attention worker (after the bench's first one was closed, as after a crash or a deploy) rebuilds its
     * replicas of the node's changelogs before it answers: from its start, a query for every key not yet answered is
     * sent each second (a request the replica cannot serve within {@code ltm.attention.replica.wait.ms} is answered with
     * an error) until every key has had an answer without one. Reports the seconds from the start to the first answer
     * without an error and to the last key's, and how many answers carried an error.
     */
    private static Map<String, Object> measureWorkerRestart(
            LtmConfig config,
            String bootstrap,
            Class<? extends Partitioner> partitioner,
            String instance,
            int keys,
            int dim,
            int vectors)
            throws Exception {
        Map<String, Object> serdeConfig = config.serdeConfig();
        String inTopic = config.getString(LtmConfig.TOPIC_QUERIES);
        String outTopic = config.getString(LtmConfig.TOPIC_RESPONSES);
        var querySerde = LtmSerdes.avro(MemoryQuery.class, serdeConfig);
        var responseSerde = LtmSerdes.avro(MemoryResponse.class, serdeConfig);
        Map<String, String> keyOfQuery = new HashMap<>();
        Set<String> served = new HashSet<>();
        int errors = 0;
        double first = Double.NaN;
        double last = Double.NaN;
        SplittableRandom rnd = new SplittableRandom(13);
        try (KafkaProducer<String, byte[]> producer = queryProducer(bootstrap, partitioner);
                KafkaConsumer<String, byte[]> consumer = fromEnd(bootstrap, outTopic)) {
            long start = System.nanoTime();
            try (AttentionWorker restarted = new AttentionWorker(config, null, instance)) {
                restarted.start();
                long nextRound = start;
                while (served.size() < keys && System.nanoTime() - start < RESTART_LIMIT.toNanos()) {
                    if (System.nanoTime() >= nextRound) {
                        for (int k = 0; k < keys; k++) {
                            if (served.contains(key(k))) continue;
                            MemoryQuery q = vectorQuery(key(k), randomVectors(rnd, vectors * dim), vectors, dim);
                            keyOfQuery.put(q.getQueryId(), key(k));
                            producer.send(new ProducerRecord<>(
                                    inTopic, key(k), querySerde.serializer().serialize(inTopic, q)));
                        }
                        producer.flush();
                        nextRound += TimeUnit.SECONDS.toNanos(1);
                    }
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        MemoryResponse resp = responseSerde.deserializer().deserialize(outTopic, r.value());
                        String key = keyOfQuery.get(resp.getQueryId());
                        if (key == null) continue;
                        if (resp.getError() != null) {
                            errors++;
                        } else if (served.add(key)) {
                            last = secs(start);
                            if (Double.isNaN(first)) first = last;
                        }
                    }
                }
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("instance", instance.equals(WORKER_INSTANCE) ? "same" : "new");
        r.put("sessionTimeoutMs", config.getInt(LtmConfig.SESSION_TIMEOUT_MS));
        r.put("keys", keys);
        r.put("keysAnswered", served.size());
        r.put("queriesSent", keyOfQuery.size());
        r.put("answersWithAnError", errors);
        r.put("firstAnswerSec", round3(first));
        r.put("allKeysAnsweredSec", served.size() == keys ? round3(last) : null);
        r.put("replicaWaitMs", config.getLong(LtmConfig.ATTENTION_REPLICA_WAIT_MS));
        return r;
    }

    /**
     * What one slice of queries measured: per query answered after the warm-up, the time from the send call to the
     * poll that returned the answer, from the send to when the stream thread took the query up (wall clock, ms), and
     * from there to the poll; with the queries sent, their seconds, the stream threads' CPU and the answers found.
     */
    record Slice(
            long[] latencyNs,
            long[] untilTakenUpNs,
            long[] afterTakenUpNs,
            int measured,
            long answeredFound,
            int sent,
            double sendSeconds,
            long streamThreadCpuNanos,
            int payloadBytes) {}

    /** One turn of queries to one pipeline: its input topic, where its answers come, whether it is the node. */
    private interface QueryTurn {
        Slice run(String in, String answers, boolean node) throws Exception;
    }

    /**
     * Sends MemoryQuery records at a fixed rate for {@code warmup + seconds} s (keys and vectors drawn from
     * {@code seed}) and measures, for those sent after the warm-up, the time from the producer's send call to the
     * poll that returned the answer (read_committed). {@code node}: answers are MemoryResponse records; otherwise the
     * plain pipeline echoes the query bytes. {@code app}: the application whose stream threads' CPU the slice counts.
     */
    private static Slice measureLatency(
            String bootstrap,
            Class<? extends Partitioner> partitioner,
            String inTopic,
            String outTopic,
            Map<String, Object> serdeConfig,
            int keys,
            int dim,
            int vectors,
            int qps,
            int seconds,
            int warmup,
            long seed,
            boolean node,
            String app)
            throws Exception {
        var querySerde = LtmSerdes.avro(MemoryQuery.class, serdeConfig);
        var responseSerde = LtmSerdes.avro(MemoryResponse.class, serdeConfig);
        Map<String, Boolean> ok = new ConcurrentHashMap<>();
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, Long> latencyNs = new ConcurrentHashMap<>();
        Map<String, Long> sentWallMs = new ConcurrentHashMap<>();
        Map<String, Long> untilAnsweredMs = new ConcurrentHashMap<>(); // node: answeredAt - send (wall clock)
        AtomicBoolean running = new AtomicBoolean(true);
        SplittableRandom rnd = new SplittableRandom(seed);
        int total = qps * (seconds + warmup);
        long period = 1_000_000_000L / qps;
        int payloadBytes;
        try (KafkaProducer<String, byte[]> producer = queryProducer(bootstrap, partitioner);
                KafkaConsumer<String, byte[]> consumer = fromEnd(bootstrap, outTopic)) {
            Thread poller = new Thread(
                    () -> {
                        while (running.get()) {
                            var records = consumer.poll(Duration.ofMillis(50));
                            long now = System.nanoTime();
                            for (ConsumerRecord<String, byte[]> r : records) {
                                String id;
                                if (node) {
                                    MemoryResponse resp =
                                            responseSerde.deserializer().deserialize(outTopic, r.value());
                                    id = resp.getQueryId();
                                    ok.put(id, resp.getFound() && resp.getError() == null);
                                    Long wall = sentWallMs.get(id);
                                    if (wall != null && resp.getAnsweredAt() != null) {
                                        untilAnsweredMs.putIfAbsent(
                                                id, resp.getAnsweredAt().toEpochMilli() - wall);
                                    }
                                } else {
                                    id = querySerde
                                            .deserializer()
                                            .deserialize(outTopic, r.value())
                                            .getQueryId();
                                    Long wall = sentWallMs.get(id);
                                    Header at = r.headers().lastHeader(TAKEN_UP_AT);
                                    if (wall != null && at != null) {
                                        untilAnsweredMs.putIfAbsent(
                                                id, ByteBuffer.wrap(at.value()).getLong() - wall);
                                    }
                                }
                                Long s = sentAt.get(id);
                                if (s != null) {
                                    latencyNs.putIfAbsent(id, now - s);
                                }
                            }
                        }
                    },
                    "bench-latency-poller");
            poller.start();
            // pre-serialize all queries, so the send loop only sends
            List<String> ids = new ArrayList<>(total);
            List<String> keyOf = new ArrayList<>(total);
            List<byte[]> values = new ArrayList<>(total);
            for (int i = 0; i < total; i++) {
                float[] v = randomVectors(rnd, vectors * dim);
                String key = key(rnd.nextInt(keys));
                MemoryQuery q = vectorQuery(key, v, vectors, dim);
                ids.add(q.getQueryId());
                keyOf.add(key);
                values.add(querySerde.serializer().serialize(inTopic, q));
            }
            payloadBytes = values.get(0).length;
            long cpuBefore = streamThreadCpuNanos(app);
            long start = System.nanoTime();
            long measuredFrom = start + TimeUnit.SECONDS.toNanos(warmup);
            List<String> measured = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                long due = start + i * period;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                long now = System.nanoTime();
                sentWallMs.put(ids.get(i), System.currentTimeMillis());
                sentAt.put(ids.get(i), now);
                if (now >= measuredFrom) {
                    measured.add(ids.get(i));
                }
                producer.send(new ProducerRecord<>(inTopic, keyOf.get(i), values.get(i)));
            }
            long sendEnd = System.nanoTime();
            long grace = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < grace && !latencyNs.keySet().containsAll(measured)) {
                Thread.sleep(20);
            }
            long cpuAfter = streamThreadCpuNanos(app);
            running.set(false);
            poller.join(5_000);
            long[] lat = measured.stream()
                    .map(latencyNs::get)
                    .filter(x -> x != null)
                    .mapToLong(Long::longValue)
                    .toArray();
            long[] until = measured.stream()
                    .map(untilAnsweredMs::get)
                    .filter(x -> x != null)
                    .mapToLong(ms -> ms * 1_000_000L)
                    .toArray();
            long[] rest = measured.stream()
                    .filter(id -> untilAnsweredMs.containsKey(id) && latencyNs.containsKey(id))
                    .mapToLong(id -> latencyNs.get(id) - untilAnsweredMs.get(id) * 1_000_000L)
                    .toArray();
            long found = measured.stream()
                    .filter(id -> Boolean.TRUE.equals(ok.get(id)))
                    .count();
            return new Slice(
                    lat,
                    until,
                    rest,
                    measured.size(),
                    found,
                    total,
                    (sendEnd - start) / 1e9,
                    cpuAfter - cpuBefore,
                    payloadBytes);
        }
    }

    /** The slices of one pipeline as one measurement: percentiles over every query they measured. */
    static Map<String, Object> summary(List<Slice> slices, int qps, boolean node) {
        long[] lat = concat(slices, Slice::latencyNs);
        int sent = slices.stream().mapToInt(Slice::sent).sum();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("queriesPerSecTarget", qps);
        r.put(
                "queriesPerSecActual",
                round1(sent / slices.stream().mapToDouble(Slice::sendSeconds).sum()));
        r.put("measured", slices.stream().mapToInt(Slice::measured).sum());
        r.put("answered", lat.length);
        r.put("payloadBytes", slices.get(0).payloadBytes());
        r.put(
                "streamThreadCpuMsPerQuery",
                round3(slices.stream().mapToLong(Slice::streamThreadCpuNanos).sum() / 1e6 / sent));
        if (node) {
            r.put(
                    "answeredFound",
                    slices.stream().mapToLong(Slice::answeredFound).sum());
        }
        r.put("p50Ms", pct(lat, 50));
        r.put("p95Ms", pct(lat, 95));
        r.put("p99Ms", pct(lat, 99));
        r.put("meanMs", round3(Arrays.stream(lat).average().orElse(Double.NaN) / 1e6));
        r.put("maxMs", lat.length == 0 ? Double.NaN : round3(lat[lat.length - 1] / 1e6));
        // where the time goes: send -> the stream thread took the query up (the node's answeredAt, the plain
        // pipeline's header: the thread's cached wall clock of that processing loop, ms), and from there to the
        // client's poll (processing, the transaction commit that makes the answer visible, the fetch)
        long[] until = concat(slices, Slice::untilTakenUpNs);
        long[] rest = concat(slices, Slice::afterTakenUpNs);
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("sendToNodeP50Ms", pct(until, 50));
        split.put("sendToNodeP95Ms", pct(until, 95));
        split.put("sendToNodeP99Ms", pct(until, 99));
        split.put("nodeToClientP50Ms", pct(rest, 50));
        split.put("nodeToClientP95Ms", pct(rest, 95));
        split.put("nodeToClientP99Ms", pct(rest, 99));
        r.put("split", split);
        // per slice, in the order measured: whether one pipeline's figures drift within the run
        r.put(
                "p50MsPerSlice",
                slices.stream().map(x -> pct(sorted(x.latencyNs()), 50)).toList());
        r.put(
                "p99MsPerSlice",
                slices.stream().map(x -> pct(sorted(x.latencyNs()), 99)).toList());
        return r;
    }

    private static long[] concat(List<Slice> slices, java.util.function.Function<Slice, long[]> part) {
        return sorted(slices.stream().map(part).flatMapToLong(Arrays::stream).toArray());
    }

    private static long[] sorted(long[] values) {
        long[] c = values.clone();
        Arrays.sort(c);
        return c;
    }

    /** Nearest-rank percentile in ms. */
    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q / 100.0 * sorted.length) - 1;
        return round3(sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6);
    }

    // ---------------------------------------------------------------- small helpers

    private static double secs(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static double round4(double v) {
        return Math.round(v * 10000) / 10000.0;
    }

    private static void say(String s) {
        System.err.println("[bench node] " + s);
    }

    private static int intArg(String[] args, String name, int dflt) {
        String s = strArg(args, name, null);
        return s == null ? dflt : Integer.parseInt(s);
    }

    private static String strArg(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // a temp dir left behind is harmless
        }
    }

    /** The attention worker's exactly-once loop with nothing to compute: each echoed query relayed as it is. */
    private static final class Relay extends TransactionalLoop {
        Relay(LtmConfig config) {
            super(
                    config,
                    "bench-relay",
                    List.of(ECHO_OUT),
                    consumer(config, "bench-relay", "bench"),
                    () -> producer(config, "bench-relay", "bench"));
        }

        @Override
        protected List<ProducerRecord<String, byte[]>> process(ConsumerRecords<byte[], byte[]> batch) {
            List<ProducerRecord<String, byte[]>> out = new ArrayList<>(batch.count());
            for (ConsumerRecord<byte[], byte[]> r : batch) {
                out.add(new ProducerRecord<>(
                        ECHO_RELAYED, null, new String(r.key(), StandardCharsets.UTF_8), r.value(), r.headers()));
            }
            return out;
        }
    }
}
