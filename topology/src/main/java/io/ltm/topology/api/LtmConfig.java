package io.ltm.topology.api;

import io.ltm.model.CoefficientPrecision;
import io.ltm.model.MemoryConfig;
import io.ltm.model.RetentionPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The one configuration class of LTM Streams: every key, its default and its documentation. Keys that
 * are not defined here (for example {@code num.stream.threads}) are passed to Kafka Streams and to the
 * clients unchanged. Sources, later ones winning: defaults, a properties file, environment variables
 * ({@link #envName(String)}), explicit overrides.
 */
public final class LtmConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String APPLICATION_ID = "application.id";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String STATE_DIR = "state.dir";

    public static final String TOPIC_EVENTS = "ltm.topic.events";
    public static final String TOPIC_TOKENS = "ltm.topic.tokens";
    public static final String TOPIC_QUERIES = "ltm.topic.queries";
    public static final String TOPIC_QUERY_REQUESTS = "ltm.topic.query.requests";
    public static final String TOPIC_CONTROL = "ltm.topic.control";
    public static final String TOPIC_RESPONSES = "ltm.topic.responses";
    public static final String TOPIC_ATTENTION_REQUESTS = "ltm.topic.attention.requests";
    public static final String TOPIC_DLQ = "ltm.topic.dlq";
    public static final String TOPIC_NOVELTY = "ltm.topic.novelty";
    public static final String TOPIC_REREAD_REQUESTS = "ltm.topic.reread.requests";
    public static final String TOPIC_PARTITIONS = "ltm.topic.partitions";
    public static final String TOPIC_REPLICATION = "ltm.topic.replication.factor";
    public static final String TOPIC_RETENTION_MS = "ltm.topic.retention.ms";
    public static final String STARTUP_TIMEOUT_MS = "ltm.startup.timeout.ms";

    public static final String MEMORY_DIM = "ltm.memory.dim";
    public static final String MEMORY_BASIS_SIZE = "ltm.memory.basis.size";
    public static final String MEMORY_BASIS_WIDTHS = "ltm.memory.basis.widths";
    public static final String MEMORY_CONTRACTION_LENGTH = "ltm.memory.contraction.length";
    public static final String MEMORY_SAMPLES = "ltm.memory.samples";
    public static final String MEMORY_TAU = "ltm.memory.tau";
    public static final String MEMORY_RIDGE_PENALTY = "ltm.memory.ridge.penalty";
    public static final String MEMORY_STICKY = "ltm.memory.sticky";
    public static final String MEMORY_STICKY_BINS = "ltm.memory.sticky.bins";
    public static final String MEMORY_RETENTION = "ltm.memory.retention";
    public static final String MEMORY_SIGMA2_MIN = "ltm.memory.sigma2.min";
    public static final String MEMORY_PRECISION = "ltm.memory.precision";
    public static final String MEMORY_TEMPERATURE = "ltm.memory.temperature";
    public static final String MEMORY_COSINE_KEYS = "ltm.memory.cosine.keys";
    public static final String MEMORY_SEED = "ltm.memory.seed";
    public static final String MEMORY_TERM_SEGMENTS = "ltm.memory.terms.segments";
    public static final String MEMORY_TERM_SEGMENT_BITS = "ltm.memory.terms.segment.bits";
    public static final String MEMORY_TERM_HASHES = "ltm.memory.terms.hashes";
    public static final String MEMORY_COEFFICIENT_DELTAS = "ltm.memory.coefficient.deltas";
    public static final String MEMORY_FIRST_EPOCH = "ltm.memory.first.epoch";

    public static final String INGEST_MAX_TOKENS = "ltm.ingest.max.tokens.per.event";
    public static final String INGEST_CACHE_BYTES = "ltm.ingest.cache.bytes";
    public static final String QUERY_MAX_SPANS = "ltm.query.max.spans";
    public static final String QUERY_COMMIT_GAP_MS = "ltm.query.commit.gap.ms";
    public static final String QUERY_MAX_TOKENS = "ltm.query.max.tokens";
    public static final String QUERY_REREAD_MAX_TOKENS = "ltm.query.reread.max.tokens";
    public static final String REREAD_MAX_RECORDS = "ltm.reread.max.records";
    public static final String REREAD_TIMEOUT_MS = "ltm.reread.timeout.ms";
    public static final String TEXT_MAX_CHARS = "ltm.text.max.chars";
    public static final String DLQ_MAX_BYTES = "ltm.dlq.max.bytes";
    public static final String HEALTH_WINDOW_MS = "ltm.health.window.ms";
    public static final String HEALTH_MAX_THREAD_FAILURES = "ltm.health.max.thread.failures";
    public static final String HEALTH_STUCK_PARTITION_MS = "ltm.health.stuck.partition.ms";
    public static final String QUERY_READY_CACHE_BYTES = "ltm.query.ready.cache.bytes";
    public static final String ATTENTION_MODE = "ltm.attention.mode";
    public static final String ATTENTION_RESIDENT = "ltm.attention.resident";
    public static final String ATTENTION_REPLICA_WAIT_MS = "ltm.attention.replica.wait.ms";
    public static final String ATTENTION_DEVICE_MEMORY_BYTES = "ltm.attention.device.memory.bytes";
    public static final String ATTENTION_READS_INTERVAL_MS = "ltm.attention.reads.interval.ms";
    public static final String ENCODER = "ltm.encoder";
    public static final String NOVELTY_ENABLED = "ltm.novelty.enabled";

    public static final String ROCKSDB_BLOCK_CACHE_BYTES = "ltm.rocksdb.block.cache.bytes";
    public static final String ROCKSDB_WRITE_BUFFER_BYTES = "ltm.rocksdb.write.buffer.bytes";

    public static final String INPUT_REPARTITION = "ltm.input.repartition";
    public static final String KEY_PLACEMENT = "ltm.key.placement";
    public static final String MAX_TASK_IDLE_MS = StreamsConfig.MAX_TASK_IDLE_MS_CONFIG;
    public static final String POLL_MS = StreamsConfig.POLL_MS_CONFIG;
    public static final String INSTANCE_ID = "ltm.instance.id";
    public static final String SESSION_TIMEOUT_MS = "session.timeout.ms";
    public static final String TRANSACTION_TIMEOUT_MS = "transaction.timeout.ms";
    public static final String HANGING_TRANSACTION_ABORT_MS = "ltm.hanging.transaction.abort.ms";
    public static final String ACCEPTABLE_RECOVERY_LAG = StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG;
    public static final String NUM_STANDBY_REPLICAS = StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG;

    public static final String HTTP_HOST = "ltm.http.host";
    public static final String HTTP_PORT = "ltm.http.port";

    public static final String WORKER_MAX_BATCH_RECORDS = "ltm.worker.max.batch.records";
    public static final String WORKER_POLL_MS = "ltm.worker.poll.ms";
    public static final String WORKER_RETRY_BACKOFF_MAX_MS = "ltm.worker.retry.backoff.max.ms";

    /**
     * Upper bound of one state record (and of the producer request that carries it): 8 MiB, room for float32
     * coefficients of N = 512 and d = 1024. The default memory (512 x 384, float16) is about 0.4 MB.
     */
    public static final int MAX_STATE_BYTES = 8 << 20;

    /**
     * The memory's defaults and rules are MemoryConfig's: one definition for the library and the node. Its keys are
     * typed here, but validated only by MemoryConfig, whose rejections are reported under the key (MEMORY_KEYS).
     */
    private static final MemoryConfig MEMORY_DEFAULTS = MemoryConfig.defaults();

    private static final ConfigDef DEF = new ConfigDef()
            .define(BOOTSTRAP_SERVERS, Type.STRING, "127.0.0.1:9092", Importance.HIGH, "Kafka bootstrap servers.")
            .define(
                    APPLICATION_ID,
                    Type.STRING,
                    "ltm-memory-node",
                    Importance.HIGH,
                    "Kafka Streams application id of the memory node; also the prefix of its changelog topics and "
                            + "the consumer group id of the workers (suffixed with the role).")
            .define(
                    SCHEMA_REGISTRY_URL,
                    Type.STRING,
                    "http://127.0.0.1:8081",
                    Importance.HIGH,
                    "Confluent-compatible schema registry URL (for Apicurio: .../apis/ccompat/v7); "
                            + "mock://SCOPE selects an in-memory registry for tests.")
            .define(
                    STATE_DIR,
                    Type.STRING,
                    System.getProperty("java.io.tmpdir") + "/ltm-streams",
                    Importance.MEDIUM,
                    "Directory of the RocksDB state stores.")
            .define(
                    TOPIC_EVENTS,
                    Type.STRING,
                    "ltm.events",
                    Importance.MEDIUM,
                    "Input of the encode worker: TokenEvent (text or vectors) keyed by memory key.")
            .define(
                    TOPIC_TOKENS,
                    Type.STRING,
                    "ltm.tokens",
                    Importance.MEDIUM,
                    "Input of the memory node: EncodedTokens keyed by memory key.")
            .define(
                    TOPIC_QUERIES,
                    Type.STRING,
                    "ltm.queries",
                    Importance.MEDIUM,
                    "MemoryQuery keyed by memory key; co-partitioned with the tokens topic. The attention "
                            + "worker also writes its RECORD_READS here (header ltm.worker.reads).")
            .define(
                    TOPIC_QUERY_REQUESTS,
                    Type.STRING,
                    "ltm.query-requests",
                    Importance.MEDIUM,
                    "Text queries (MemoryQuery) for the encode worker, which writes them with vectors to the queries "
                            + "topic; lets memory nodes run without an encoder (text queries sent straight to the "
                            + "queries topic are encoded by the node itself).")
            .define(
                    TOPIC_CONTROL,
                    Type.STRING,
                    "ltm.control",
                    Importance.MEDIUM,
                    "ControlCommand keyed by memory key (forget, reset statistics); co-partitioned with tokens.")
            .define(
                    TOPIC_RESPONSES,
                    Type.STRING,
                    "ltm.responses",
                    Importance.MEDIUM,
                    "MemoryResponse keyed by memory key.")
            .define(
                    TOPIC_ATTENTION_REQUESTS,
                    Type.STRING,
                    "ltm.attention-requests",
                    Importance.MEDIUM,
                    "AttentionRequest for the attention worker when ltm.attention.mode=worker.")
            .define(
                    TOPIC_DLQ,
                    Type.STRING,
                    "ltm.dlq",
                    Importance.MEDIUM,
                    "DeadLetter: every record that could not be used, with the reason.")
            .define(
                    TOPIC_REREAD_REQUESTS,
                    Type.STRING,
                    "ltm.reread-requests",
                    Importance.MEDIUM,
                    "RereadRequest: answers of queries that asked for a two-stage read (QueryOptions.rereadTokens), "
                            + "for the reread worker, which completes them on the responses topic.")
            .define(
                    TOPIC_NOVELTY,
                    Type.STRING,
                    "ltm.novelty",
                    Importance.MEDIUM,
                    "NoveltyScore of every absorbed event (when ltm.novelty.enabled), keyed by memory key; read by "
                            + "`ltm watch`.")
            .define(
                    TOPIC_PARTITIONS,
                    Type.INT,
                    4,
                    ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM,
                    "Partitions of the topics that `run`, `worker` and `demo` create when they are missing (all "
                            + "keyed topics get the same count, so they are co-partitioned; existing tokens, queries "
                            + "and control topics must agree, or the command stops). The unit of parallelism: at "
                            + "most this many active stream tasks.")
            .define(
                    TOPIC_REPLICATION,
                    Type.SHORT,
                    (short) 1,
                    ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM,
                    "Replication factor of the topics the commands create and of the changelogs (replication.factor).")
            .define(
                    TOPIC_RETENTION_MS,
                    Type.LONG,
                    java.time.Duration.ofDays(7).toMillis(),
                    ConfigDef.Range.atLeast(-1L),
                    Importance.MEDIUM,
                    "retention.ms of the topics the commands create (default 7 days, as Kafka's). They are created "
                            + "with message.timestamp.type=LogAppendTime, so retention counts from the time of "
                            + "writing, never from an event's own time: it bounds how long records may wait unread "
                            + "(a node or worker stopped or behind), and a backfill of old events is kept as long "
                            + "as fresh ones. -1 keeps records for ever.")
            .define(
                    STARTUP_TIMEOUT_MS,
                    Type.LONG,
                    30_000L,
                    ConfigDef.Range.atLeast(1L),
                    Importance.LOW,
                    "How long a command waits to reach the Kafka cluster and to create or check its topics before "
                            + "it stops with a one-line error (query uses its --timeout instead).")
            .define(
                    MEMORY_DIM,
                    Type.INT,
                    MEMORY_DEFAULTS.dim(),
                    Importance.HIGH,
                    "Dimension d of token vectors (384 for the MiniLM encoder). Events of another dimension go to "
                            + "the dead-letter topic.")
            .define(
                    MEMORY_BASIS_SIZE,
                    Type.INT,
                    MEMORY_DEFAULTS.basisSize(),
                    Importance.MEDIUM,
                    "N, the number of Gaussian basis functions; the memory holds N x d coefficients.")
            .define(
                    MEMORY_BASIS_WIDTHS,
                    Type.LIST,
                    Arrays.stream(MEMORY_DEFAULTS.widths())
                            .mapToObj(Double::toString)
                            .collect(Collectors.joining(",")),
                    Importance.LOW,
                    "Widths (standard deviations) of the basis functions; each centre carries every width.")
            .define(
                    MEMORY_CONTRACTION_LENGTH,
                    Type.INT,
                    MEMORY_DEFAULTS.contractionLength(),
                    Importance.MEDIUM,
                    "L: every L tokens the short-term buffer is contracted into the long-term memory (even).")
            .define(
                    MEMORY_SAMPLES,
                    Type.INT,
                    MEMORY_DEFAULTS.samples(),
                    Importance.LOW,
                    "M: samples of the old signal taken at each contraction.")
            .define(
                    MEMORY_TAU,
                    Type.DOUBLE,
                    MEMORY_DEFAULTS.tau(),
                    Importance.MEDIUM,
                    "tau: the old signal is contracted into [0, tau] (recency retention).")
            .define(
                    MEMORY_RIDGE_PENALTY,
                    Type.DOUBLE,
                    MEMORY_DEFAULTS.ridgePenalty(),
                    Importance.LOW,
                    "lambda of the ridge regression.")
            .define(
                    MEMORY_STICKY,
                    Type.BOOLEAN,
                    MEMORY_DEFAULTS.sticky(),
                    Importance.MEDIUM,
                    "Sticky memories: resample the old signal where past queries attended.")
            .define(
                    MEMORY_STICKY_BINS,
                    Type.INT,
                    MEMORY_DEFAULTS.stickyBins(),
                    Importance.LOW,
                    "D: histogram bins of the sticky attention statistics.")
            .define(
                    MEMORY_RETENTION,
                    Type.STRING,
                    configValue(MEMORY_DEFAULTS.retention()),
                    configValues(RetentionPolicy.values()),
                    Importance.MEDIUM,
                    "uniform: every token seen keeps an equal share of [0,1] at any stream length; ridge statistics "
                            + "accumulate in place and the old signal is resampled only when the stream doubles, so old "
                            + "content is still found after millions of tokens; recency: the paper's fixed tau (recent "
                            + "content keeps fine resolution, old content loses it geometrically).")
            .define(
                    MEMORY_SIGMA2_MIN,
                    Type.DOUBLE,
                    MEMORY_DEFAULTS.sigma2Min(),
                    Importance.LOW,
                    "Lower clamp of the attention variance.")
            .define(
                    MEMORY_PRECISION,
                    Type.STRING,
                    configValue(MEMORY_DEFAULTS.precision()),
                    configValues(CoefficientPrecision.values()),
                    Importance.MEDIUM,
                    "Precision of the stored coefficients: float16 halves the state (about 393 KB for 512 x 384).")
            .define(
                    MEMORY_TEMPERATURE,
                    Type.DOUBLE,
                    MEMORY_DEFAULTS.temperature(),
                    Importance.LOW,
                    "Temperature T of the zero-shot head's softmax over basis functions (and of the short-term "
                            + "softmax). 0.05 is calibrated for cosine keys by `./ltm bench retrieval`; raw keys need "
                            + "about 1e-5.")
            .define(
                    MEMORY_COSINE_KEYS,
                    Type.BOOLEAN,
                    MEMORY_DEFAULTS.cosineKeys(),
                    Importance.LOW,
                    "Zero-shot keys: true scores each basis function by the cosine between the query and the "
                            + "remembered signal at its centre; false uses the raw coefficient rows of B (the paper's "
                            + "form, needs a far smaller temperature).")
            .define(
                    MEMORY_SEED,
                    Type.LONG,
                    MEMORY_DEFAULTS.seed(),
                    Importance.LOW,
                    "Seed of the sticky sampler; draws derive from it and the key's counters, so replays are identical.")
            .define(
                    MEMORY_TERM_SEGMENTS,
                    Type.INT,
                    MEMORY_DEFAULTS.termSegments(),
                    Importance.MEDIUM,
                    "Segments of the term filter kept beside the continuous memory (0: none): one Bloom filter of the "
                            + "token texts of each equal share of the long-term stream (at least L/8 tokens, doubling "
                            + "as the stream grows: neighbours merge), so the filter's size is fixed; kept in the "
                            + "ltm-terms store, one record per segment. A read of a text query places its spans on the "
                            + "segments that hold the query's words (first where the continuous attention agrees), ranked "
                            + "by term match and then by the memory's content there, when the best segment matches at "
                            + "least twice the median one; otherwise the continuous attention answers, as for a query "
                            + "sent as vectors. Tokens without texts (vectors sent without tokens) are not indexed.")
            .define(
                    MEMORY_TERM_SEGMENT_BITS,
                    Type.INT,
                    MEMORY_DEFAULTS.termSegmentBits(),
                    Importance.LOW,
                    "Bits of each term-filter segment (a multiple of 64); the filter costs segments x bits / 8 bytes "
                            + "of state per key (262,144 at the defaults).")
            .define(
                    MEMORY_TERM_HASHES,
                    Type.INT,
                    MEMORY_DEFAULTS.termHashes(),
                    Importance.LOW,
                    "Bits set per term in the term filter (Bloom hash functions).")
            .define(
                    MEMORY_COEFFICIENT_DELTAS,
                    Type.INT,
                    MEMORY_DEFAULTS.coefficientDeltas(),
                    Importance.LOW,
                    "Contractions of uniform retention kept as deltas of B (the chunk's ridge statistics over the "
                            + "basis functions it touches, about a twelfth of B on a long stream at the defaults) before B is written "
                            + "whole again, in the ltm-coefficients store; 0 writes B whole at every contraction. More "
                            + "deltas write fewer changelog bytes; B is computed from its last whole copy and the "
                            + "deltas when a read or a doubling needs it.")
            .define(
                    MEMORY_FIRST_EPOCH,
                    Type.INT,
                    MEMORY_DEFAULTS.firstEpoch(),
                    Importance.LOW,
                    "Uniform retention: the capacity of a memory's first epoch, in contractions (a power of two). "
                            + "Its first contractions fill [0, first.epoch x L) of the axis and add deltas to B "
                            + "instead of rewriting it; the first doubling comes when that epoch is full. 1 writes B "
                            + "whole at the first contraction and the doublings after 1, 2 and 4; larger values write "
                            + "a young memory's B far less often (fewer changelog bytes, cheaper contractions) at the "
                            + "price of a coarser memory until the stream passes first.epoch/2 x L tokens. A memory "
                            + "keeps the epochs it began with when this changes.")
            .define(
                    INGEST_MAX_TOKENS,
                    Type.INT,
                    8192,
                    ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM,
                    "An event with more token vectors (or word pieces of its text, counted before encoding) than "
                            + "this is rejected to the dead-letter topic. 8192 float16 vectors of d = 384 fit in one "
                            + "producer request.")
            .define(
                    INGEST_CACHE_BYTES,
                    Type.LONG,
                    64L << 20,
                    ConfigDef.Range.atLeast(0L),
                    Importance.LOW,
                    "Bound on each of the four caches in which a memory node process keeps decoded what a key's "
                            + "next contraction or query would otherwise read and decode again, each checked against "
                            + "what the stores hold: B as float32 (at N = 512, d = 384 a 786 KB base and its deltas per "
                            + "key, checked against the version the stored record names), the term filters (256 KiB per "
                            + "key, checked against the stored record's digest), the short-term buffers (float32, up "
                            + "to 786 KB per key, checked against the short-term index, which holds a digest of the "
                            + "records) and the long-term records with their timelines (about 0.13 MB per key of "
                            + "1,024 source segments, 0.33 MB for a record an earlier release wrote, checked against the "
                            + "id the short-term index holds of the record written with it); Caffeine's "
                            + "W-TinyLFU decides what stays (the keys used most often lately); 0 disables them. "
                            + "Queries read them too (B only when the version's ready memory is not cached), and a "
                            + "forget drops the key from them. Each task counts its lookups and those that found the "
                            + "part decoded (metrics b-, short-term-, long-term- and terms-cache-lookups-total, "
                            + "-hits-total and -hit-ratio in group stream-ltm-metrics).")
            .define(
                    QUERY_COMMIT_GAP_MS,
                    Type.LONG,
                    50L,
                    ConfigDef.Range.atLeast(-1L),
                    Importance.MEDIUM,
                    "Under exactly_once_v2 an answer is visible to read_committed clients only after the node's "
                            + "commit. After answering a query (or handing it to the attention worker) the node asks "
                            + "Kafka Streams to commit at once, unless it asked less than this long ago; then the "
                            + "commit comes about this long later (within a fifth of it more, or poll.ms while the "
                            + "stream thread waits for input; sooner when a commit it did not ask for comes first: a "
                            + "stream thread commits all its tasks together). A query written again to its key's "
                            + "partition asks the same way, paced apart from the answers, so that its answer does not "
                            + "wait a gap after it. So a query is not held for commit.interval.ms (100 ms under "
                            + "exactly-once), and a node with hundreds of queries a second asks at most twice per gap "
                            + "(a commit holds the stream thread for milliseconds). Each commit writes what Streams' "
                            + "record cache holds, so queries during a heavy ingest make the changelogs larger. 0 "
                            + "asks after every query; -1 never asks (answers wait for commit.interval.ms).")
            .define(
                    QUERY_MAX_SPANS,
                    Type.INT,
                    8,
                    ConfigDef.Range.atLeast(1),
                    Importance.LOW,
                    "Upper bound on the spans a query may ask for.")
            .define(
                    QUERY_MAX_TOKENS,
                    Type.INT,
                    512,
                    ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM,
                    "A query with more token vectors (or word pieces of its text, counted before encoding) than "
                            + "this is rejected to the dead-letter topic and answered with an error.")
            .define(
                    QUERY_REREAD_MAX_TOKENS,
                    Type.INT,
                    16384,
                    ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM,
                    "Most tokens a two-stage read re-reads per span (a query's rereadTokens is capped to this); each "
                            + "re-read event is encoded again, so this bounds the work of one query.")
            .define(
                    REREAD_MAX_RECORDS,
                    Type.INT,
                    100_000,
                    ConfigDef.Range.atLeast(1),
                    Importance.LOW,
                    "Most records the reread worker scans per stretch (other keys' records share the partition); "
                            + "a stretch cut short says so in the answer's reread note.")
            .define(
                    REREAD_TIMEOUT_MS,
                    Type.LONG,
                    30_000L,
                    ConfigDef.Range.atLeast(1L),
                    Importance.LOW,
                    "How long the reread worker waits for a stretch's records before the request is retried.")
            .define(
                    TEXT_MAX_CHARS,
                    Type.INT,
                    65536,
                    ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM,
                    "Texts of events and queries longer than this many characters are rejected to the dead-letter "
                            + "topic before they are tokenized (a few MB of one-letter words would otherwise need "
                            + "gigabytes of vectors).")
            .define(
                    DLQ_MAX_BYTES,
                    Type.INT,
                    131072,
                    ConfigDef.Range.between(1024, 1 << 20),
                    Importance.LOW,
                    "Most bytes of a bad record's key and of its value (each), and characters of the error message, "
                            + "that its dead letter keeps; longer ones are cut (truncated = true, with the original "
                            + "sizes and the value's SHA-256), so a dead letter always fits in one producer request. "
                            + "With the default a dead letter also stays under a broker's default message size (1 MB).")
            .define(
                    HEALTH_WINDOW_MS,
                    Type.LONG,
                    300000L,
                    ConfigDef.Range.atLeast(1L),
                    Importance.LOW,
                    "Window in which /health counts stream-thread failures.")
            .define(
                    HEALTH_MAX_THREAD_FAILURES,
                    Type.INT,
                    3,
                    ConfigDef.Range.atLeast(1),
                    Importance.LOW,
                    "Stream-thread failures (each one replaced) within ltm.health.window.ms from which /health answers "
                            + "503 DEGRADED with the last reason: a thread that keeps failing on the same record or "
                            + "on an unreachable dependency, while the state alone still says RUNNING.")
            .define(
                    HEALTH_STUCK_PARTITION_MS,
                    Type.LONG,
                    120000L,
                    ConfigDef.Range.atLeast(1L),
                    Importance.LOW,
                    "An input partition of an active task whose committed offset has not moved for this long while "
                            + "records wait behind it (the consumer group's committed offset below the partition's "
                            + "last stable offset) makes /health answer 503 DEGRADED naming the partition: a record "
                            + "or a dependency that holds it up however the threads fare. So does one whose last "
                            + "stable offset stays below its log end this long (held by a transaction that stays "
                            + "open). Offsets are asked of the "
                            + "cluster at each /health call; the time counts from the first call that saw the offset.")
            .define(
                    QUERY_READY_CACHE_BYTES,
                    Type.LONG,
                    128L << 20,
                    ConfigDef.Range.atLeast(0L),
                    Importance.LOW,
                    "Bound on the cache of read-ready memories of a memory node process (and of each attention "
                            + "worker): what a zero-shot read needs from a memory version (the keys at the basis "
                            + "centres, transposed, and B, float32: about 1.2 MB at N = 512, d = 384) is computed at "
                            + "the first read after a contraction, not at every read; Caffeine's W-TinyLFU decides "
                            + "what stays (the memories read most often lately); 0 disables it.")
            .define(
                    ATTENTION_MODE,
                    Type.STRING,
                    AttentionMode.INLINE.configValue(),
                    ValidString.in(AttentionMode.configValues().toArray(String[]::new)),
                    Importance.MEDIUM,
                    "inline: queries are answered in the stream thread on the CPU; worker: the node emits an "
                            + "AttentionRequest and the attention worker answers (batched, GPU when present).")
            .define(
                    ATTENTION_RESIDENT,
                    Type.BOOLEAN,
                    true,
                    Importance.MEDIUM,
                    "With ltm.attention.mode=worker: true, an AttentionRequest carries the query and the version of "
                            + "the key's memory only, and the attention worker reads the memory from its own replica "
                            + "of the node's changelogs ({application.id}-ltm-memory-changelog, -ltm-short-term-changelog "
                            + "and -ltm-short-term-index-changelog) for the partitions it serves; false, every request carries "
                            + "a snapshot of the whole memory (about 0.4-0.8 MB; attention workers older than this "
                            + "option understand only these). Set it the same on nodes and workers.")
            .define(
                    ATTENTION_REPLICA_WAIT_MS,
                    Type.LONG,
                    10000L,
                    ConfigDef.Range.atLeast(0L),
                    Importance.LOW,
                    "Longest time the attention worker waits for its replica of a memory to reach the version a "
                            + "request names (after a restart or a rebalance the replica is rebuilt from the "
                            + "changelogs first); past it the query is answered with an error instead of from an "
                            + "older memory.")
            .define(
                    ATTENTION_DEVICE_MEMORY_BYTES,
                    Type.LONG,
                    io.ltm.model.internal.DeviceMemories.DEFAULT_MAX_BYTES,
                    ConfigDef.Range.atLeast(0L),
                    Importance.LOW,
                    "Bound on the memory versions an attention worker on a GPU keeps on the device between batches "
                            + "(B and its cosine keys, float32: about 1.2 MB each at N = 512, d = 384): a batch "
                            + "uploads only the versions it does not hold; least recently read evicted first; 0 "
                            + "uploads every batch's memories. Unused by reads on the CPU.")
            .define(
                    ATTENTION_READS_INTERVAL_MS,
                    Type.LONG,
                    10000L,
                    ConfigDef.Range.atLeast(0L),
                    Importance.LOW,
                    "How often the attention worker sends the nodes where its answers attended (sticky memories), "
                            + "summed per key, as RECORD_READS records on the queries topic (header "
                            + "ltm.worker.reads): each send adds records to the worker's transaction and to the "
                            + "node's work, so the worker holds them rather than sending one per answer. A worker "
                            + "that stops gracefully sends what it holds; one killed loses at most this interval of "
                            + "read statistics (never an answer). 0 sends with every batch.")
            .define(
                    ENCODER,
                    Type.STRING,
                    EncoderChoice.MINILM.configValue(),
                    ValidString.in(EncoderChoice.configValues().toArray(String[]::new)),
                    Importance.MEDIUM,
                    "Text encoder for text queries on the node and for events in the encode worker: minilm (CPU), "
                            + "minilm-gpu, minilm-auto (GPU when present), hashing (no model), none. MiniLM batches a "
                            + "poll's texts into model calls of at most 1,024 padded tokens on the CPU, 16,384 on a GPU.")
            .define(
                    NOVELTY_ENABLED,
                    Type.BOOLEAN,
                    true,
                    Importance.MEDIUM,
                    "Score every absorbed event for novelty against its key's memory before it (1 - the best cosine "
                            + "between the event's mean vector and the remembered signal at up to 64 basis centres or "
                            + "the short-term events' means) and write it to ltm.topic.novelty and the ltm novelty "
                            + "metrics. The keys are kept per key in the ltm-novelty store (about 49 KB, float16, "
                            + "rewritten once per contraction; local, without a changelog: made again from the memory "
                            + "where missing, as after a restore).")
            .define(
                    ROCKSDB_BLOCK_CACHE_BYTES,
                    Type.LONG,
                    64L << 20,
                    ConfigDef.Range.atLeast(1L << 20),
                    Importance.LOW,
                    "One block cache shared by all RocksDB stores of the process (bounds read memory).")
            .define(
                    ROCKSDB_WRITE_BUFFER_BYTES,
                    Type.LONG,
                    32L << 20,
                    ConfigDef.Range.atLeast(1L << 20),
                    Importance.LOW,
                    "Memtable budget shared by all RocksDB stores of the process, charged to the block cache.")
            .define(
                    INPUT_REPARTITION,
                    Type.BOOLEAN,
                    true,
                    Importance.MEDIUM,
                    "true: queries and control commands that are not on their key's partition (ltm.key.placement) "
                            + "are written again to their own topic, on that partition, with the header "
                            + "ltm.routed.from (\"partition:offset\" where they were read first; a dead letter names "
                            + "that position), so they reach the key's memory whatever partitioner their producer used "
                            + "(without this, with the default placement murmur2, a query from a Python, Go or C "
                            + "client at its default settings, which places keys by CRC32, lands on another task and "
                            + "is answered found=false). Those records pay one more commit (see README, Measured "
                            + "numbers); the others go straight on. The node needs write access to the query and "
                            + "control topics, and other consumers of them see the copies (skip records with the "
                            + "header). Earlier versions routed them through the internal topics "
                            + "{application.id}-ltm-queries-by-key-repartition and -ltm-control-by-key-repartition, "
                            + "which are no longer read (delete them after upgrading). false: read them directly, "
                            + "only when every producer of those topics places keys as ltm.key.placement says. The "
                            + "tokens topic is never routed: the encode worker writes it with the placement whatever "
                            + "client wrote the events.")
            .define(
                    KEY_PLACEMENT,
                    Type.STRING,
                    new Murmur2Placement().configValue(),
                    ValidString.in(KeyPlacement.all().stream()
                            .map(KeyPlacement::configValue)
                            .toArray(String[]::new)),
                    Importance.MEDIUM,
                    "The partition of the tokens, queries and control topics on which a key's records belong, "
                            + "whose task holds the key's memory. murmur2: where the Java producer's default "
                            + "partitioner puts a key; crc32: where librdkafka's default (consistent_random) puts it "
                            + "(Confluent's Python, Go and .NET clients, kcat). The encode worker, the attention "
                            + "worker, the commands and LtmClient write with this placement; queries and control "
                            + "commands that arrive elsewhere are routed (ltm.input.repartition) and pay one more "
                            + "commit, so choose the placement of the clients that send most queries. A Java "
                            + "producer follows crc32 with partitioner.class=io.ltm.topology.api.Crc32Placement. "
                            + "Fixed for the life of the memories: a node with another placement finds each key's "
                            + "memory on another partition (see README, Any client's partitioner).")
            .define(
                    POLL_MS,
                    Type.LONG,
                    25L,
                    ConfigDef.Range.atLeast(1L),
                    Importance.LOW,
                    "Kafka Streams' poll.ms for the memory node (Streams' own default is 100): the longest a stream "
                            + "thread with nothing to process blocks waiting for input. Punctuations wait as long, "
                            + "among them the commit of an answer that ltm.query.commit.gap.ms holds back, so with "
                            + "Streams' default such an answer waited for the next input record or 100 ms. Shorter "
                            + "cuts that wait further but, as measured, raised the median answer time (see README, "
                            + "Measured numbers).")
            .define(
                    MAX_TASK_IDLE_MS,
                    Type.LONG,
                    100L,
                    ConfigDef.Range.atLeast(-1L),
                    Importance.LOW,
                    "Kafka Streams' max.task.idle.ms for the memory node (Streams' own default is 0): when one "
                            + "input of a task (tokens, queries, control) has just run dry, the task waits up to this "
                            + "long for it before processing a record of another input, so a query is answered after "
                            + "the key's token events with earlier timestamps that arrive within this time (for "
                            + "example in a producer's transaction still open when the query arrived). Costs up to "
                            + "this much query latency, only while one of the task's inputs (tokens, control) was "
                            + "active in the last max.task.idle.ms; -1 never waits.")
            .define(
                    INSTANCE_ID,
                    Type.STRING,
                    "",
                    Importance.MEDIUM,
                    "Stable id of this memory node instance, unique within the application.id; when set it "
                            + "becomes group.instance.id (static membership): a node restarted with the same id "
                            + "within session.timeout.ms gets its tasks back without a rebalance. Empty: dynamic "
                            + "membership.")
            .define(
                    SESSION_TIMEOUT_MS,
                    Type.INT,
                    6_000,
                    ConfigDef.Range.atLeast(1),
                    Importance.LOW,
                    "The consumer session timeout of the memory node and the workers (Kafka's default is 45 s; "
                            + "6 s is the broker's default group.min.session.timeout.ms): how long the group "
                            + "waits for a member that died without leaving before its partitions move to the "
                            + "others (heartbeats go every tenth of it). A node closed cleanly leaves at once.")
            .define(
                    TRANSACTION_TIMEOUT_MS,
                    Type.INT,
                    5_000,
                    ConfigDef.Range.atLeast(1),
                    Importance.LOW,
                    "The transaction timeout of the node's and the workers' producers (Kafka Streams' default "
                            + "is 10 s). A member killed inside a transaction leaves it open; read_committed "
                            + "readers, and whoever takes its partitions over, wait until the broker aborts it: "
                            + "this long after it began, plus up to the broker's "
                            + "transaction.abort.timed.out.transaction.cleanup.interval.ms (10 s by default; 1 s "
                            + "on the bundled broker). A transaction spans one commit interval (100 ms); one that "
                            + "the broker aborts because it outlived this (across a broker restart) fails its "
                            + "commit, and the batch is written again with a new producer.")
            .define(
                    HANGING_TRANSACTION_ABORT_MS,
                    Type.LONG,
                    30_000L,
                    ConfigDef.Range.atLeast(0),
                    Importance.LOW,
                    "A transaction left open on a partition the node or a worker uses (the ltm topics, the node's "
                            + "internal topics, its group's offsets) while its transaction coordinator no longer has "
                            + "it in progress (a hanging transaction: seen after a broker restart) holds every "
                            + "read_committed reader of the partition for good. The node and each worker look for "
                            + "such transactions every half of this and abort one they have seen open for this long, "
                            + "as kafka-transactions.sh abort would (needs ClusterAction on the cluster under ACLs). "
                            + "0: never.")
            .define(
                    ACCEPTABLE_RECOVERY_LAG,
                    Type.LONG,
                    1_000L,
                    ConfigDef.Range.atLeast(0),
                    Importance.LOW,
                    "Kafka Streams' acceptable.recovery.lag (Streams' default is 10,000 records): an instance "
                            + "whose copy of a task's stores lags by at most this many changelog records may take "
                            + "the task over at once. Our changelog records are large (a short-term record is "
                            + "tens of KB), so Streams' default counts a store restored from nothing as caught "
                            + "up on a young topic, and a failover could move a task to an instance without its "
                            + "standby.")
            .define(
                    NUM_STANDBY_REPLICAS,
                    Type.INT,
                    1,
                    ConfigDef.Range.atLeast(0),
                    Importance.LOW,
                    "Kafka Streams' num.standby.replicas (Streams' own default is 0): warm copies of each task's "
                            + "stores on other instances, kept up to date from the changelogs, so a task that moves "
                            + "after a failure is not restored from the start; costs one more copy of the state and "
                            + "of the changelog reads per replica (nothing with a single instance).")
            .define(
                    HTTP_HOST,
                    Type.STRING,
                    "127.0.0.1",
                    Importance.LOW,
                    "Host of the HTTP endpoint (interactive queries, Prometheus metrics); also advertised to other "
                            + "instances as application.server.")
            .define(HTTP_PORT, Type.INT, -1, Importance.LOW, "Port of the HTTP endpoint; -1 disables it, 0 picks one.")
            .define(
                    WORKER_MAX_BATCH_RECORDS,
                    Type.INT,
                    512,
                    ConfigDef.Range.atLeast(1),
                    Importance.LOW,
                    "Most records a worker takes per poll and transaction (max.poll.records); they all go to one batched "
                            + "encode or attention call.")
            .define(
                    WORKER_POLL_MS,
                    Type.LONG,
                    50L,
                    ConfigDef.Range.atLeast(1L),
                    Importance.LOW,
                    "Poll timeout of the workers: the latency budget of a batch.")
            .define(
                    WORKER_RETRY_BACKOFF_MAX_MS,
                    Type.LONG,
                    10000L,
                    ConfigDef.Range.atLeast(1L),
                    Importance.LOW,
                    "Longest wait before a worker retries a batch that failed on infrastructure (broker, schema "
                            + "registry); the wait doubles from ltm.worker.poll.ms up to this, for as long as it takes.");

    /** The key of each MemoryConfig setting, by the name of its builder method. */
    private static final Map<String, String> MEMORY_KEYS = Map.ofEntries(
            Map.entry("dim", MEMORY_DIM),
            Map.entry("basisSize", MEMORY_BASIS_SIZE),
            Map.entry("widths", MEMORY_BASIS_WIDTHS),
            Map.entry("contractionLength", MEMORY_CONTRACTION_LENGTH),
            Map.entry("samples", MEMORY_SAMPLES),
            Map.entry("tau", MEMORY_TAU),
            Map.entry("ridgePenalty", MEMORY_RIDGE_PENALTY),
            Map.entry("stickyBins", MEMORY_STICKY_BINS),
            Map.entry("retention", MEMORY_RETENTION),
            Map.entry("sigma2Min", MEMORY_SIGMA2_MIN),
            Map.entry("precision", MEMORY_PRECISION),
            Map.entry("temperature", MEMORY_TEMPERATURE),
            Map.entry("termSegments", MEMORY_TERM_SEGMENTS),
            Map.entry("termSegmentBits", MEMORY_TERM_SEGMENT_BITS),
            Map.entry("termHashes", MEMORY_TERM_HASHES),
            Map.entry("coefficientDeltas", MEMORY_COEFFICIENT_DELTAS),
            Map.entry("firstEpoch", MEMORY_FIRST_EPOCH));

    /** Rejects a configuration at once, naming the key, when its memory settings break MemoryConfig's rules. */
    public LtmConfig(Map<?, ?> props) {
        super(DEF, props, false);
        try {
            memoryConfig();
        } catch (MemoryConfig.InvalidSetting e) {
            String key = MEMORY_KEYS.get(e.setting());
            if (key == null) throw e; // a setting no key reaches: a bug here, not the user's input
            throw new ConfigException(key, originals().getOrDefault(key, get(key)), e.getMessage());
        }
    }

    /** What the node does with queries: answer them itself or hand them to the attention worker. */
    public AttentionMode attentionMode() {
        return AttentionMode.of(getString(ATTENTION_MODE));
    }

    /** On which partition of the input topics a key's records belong. */
    public KeyPlacement keyPlacement() {
        return KeyPlacement.of(getString(KEY_PLACEMENT));
    }

    /** The text encoder the node and the encode worker load. */
    public EncoderChoice encoder() {
        return EncoderChoice.of(getString(ENCODER));
    }

    private static String configValue(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static ValidString configValues(Enum<?>[] values) {
        return ValidString.in(Arrays.stream(values).map(LtmConfig::configValue).toArray(String[]::new));
    }

    /** The documentation of every key, for the README and {@code ./ltm config}. */
    public static ConfigDef configDef() {
        return DEF;
    }

    /** Environment variable that overrides a key: LTM_ plus the key upper-cased, dots to underscores, without a leading "ltm.". */
    public static String envName(String key) {
        String k = key.startsWith("ltm.") ? key.substring(4) : key;
        return "LTM_" + k.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Defaults, then the file (may be null), then environment overrides, then explicit overrides. */
    public static LtmConfig load(Path file, Map<String, String> env, Map<String, ?> overrides) {
        Map<String, Object> props = new HashMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read config file " + file, e);
            }
            p.forEach((k, v) -> props.put(k.toString(), v));
        }
        for (String key : DEF.names()) {
            String v = env.get(envName(key));
            if (v != null) {
                props.put(key, v);
            }
        }
        props.putAll(overrides);
        return new LtmConfig(props);
    }

    /** The memory math configuration. */
    public MemoryConfig memoryConfig() {
        double[] widths = getList(MEMORY_BASIS_WIDTHS).stream()
                .mapToDouble(Double::parseDouble)
                .toArray();
        return MemoryConfig.builder()
                .dim(getInt(MEMORY_DIM))
                .basisSize(getInt(MEMORY_BASIS_SIZE))
                .widths(widths)
                .contractionLength(getInt(MEMORY_CONTRACTION_LENGTH))
                .samples(getInt(MEMORY_SAMPLES))
                .tau(getDouble(MEMORY_TAU))
                .ridgePenalty(getDouble(MEMORY_RIDGE_PENALTY))
                .sticky(getBoolean(MEMORY_STICKY))
                .stickyBins(getInt(MEMORY_STICKY_BINS))
                .retention(RetentionPolicy.valueOf(getString(MEMORY_RETENTION).toUpperCase(Locale.ROOT)))
                .sigma2Min(getDouble(MEMORY_SIGMA2_MIN))
                .precision(
                        CoefficientPrecision.valueOf(getString(MEMORY_PRECISION).toUpperCase(Locale.ROOT)))
                .temperature(getDouble(MEMORY_TEMPERATURE))
                .cosineKeys(getBoolean(MEMORY_COSINE_KEYS))
                .seed(getLong(MEMORY_SEED))
                .termSegments(getInt(MEMORY_TERM_SEGMENTS))
                .termSegmentBits(getInt(MEMORY_TERM_SEGMENT_BITS))
                .termHashes(getInt(MEMORY_TERM_HASHES))
                .coefficientDeltas(getInt(MEMORY_COEFFICIENT_DELTAS))
                .firstEpoch(getInt(MEMORY_FIRST_EPOCH))
                .build();
    }

    /**
     * The keys the user gave that a Kafka client of one kind knows ({@code clientKeys}, e.g.
     * {@code ConsumerConfig.configNames()}), except ours: security.protocol, sasl.*, ssl.* and the like, for every
     * consumer, producer and admin client the node, the workers and the commands create. The caller sets its own
     * settings after these, so they win.
     */
    public Map<String, Object> clientOverrides(java.util.Set<String> clientKeys) {
        Map<String, Object> m = new HashMap<>();
        originals().forEach((k, v) -> {
            if (clientKeys.contains(k) && !DEF.names().contains(k) && !k.startsWith("ltm.")) {
                m.put(k, v);
            }
        });
        return m;
    }

    /** Serde configuration (schema.registry.url plus any client keys given, e.g. basic.auth.user.info). */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> m = new HashMap<>(originals());
        m.put(SCHEMA_REGISTRY_URL, getString(SCHEMA_REGISTRY_URL));
        return m;
    }

    /**
     * Kafka Streams properties of the memory node: our defaults (exactly-once v2, short commit interval and
     * linger for query latency, max.task.idle.ms for read-your-writes, a short session, a standby replica and the
     * instance id for failover), then every key the user gave that is not one of ours.
     */
    public Properties streamsProperties() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, getString(BOOTSTRAP_SERVERS));
        p.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // the longest a query waits for its commit when ltm.query.commit.gap.ms is -1; otherwise the ingest's pace
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.producerPrefix("linger.ms"), 5);
        p.put(StreamsConfig.producerPrefix("max.request.size"), MAX_STATE_BYTES);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) getShort(TOPIC_REPLICATION));
        p.put(
                StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
                io.ltm.topology.internal.BoundedRocksDbConfig.class.getName());
        p.put(ROCKSDB_BLOCK_CACHE_BYTES, getLong(ROCKSDB_BLOCK_CACHE_BYTES));
        p.put(ROCKSDB_WRITE_BUFFER_BYTES, getLong(ROCKSDB_WRITE_BUFFER_BYTES));
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, getLong(MAX_TASK_IDLE_MS));
        p.put(StreamsConfig.POLL_MS_CONFIG, getLong(POLL_MS));
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, getInt(NUM_STANDBY_REPLICAS));
        // the main consumer's session: how long a dead node's tasks stay unassigned
        p.put(StreamsConfig.mainConsumerPrefix(SESSION_TIMEOUT_MS), getInt(SESSION_TIMEOUT_MS));
        p.put(StreamsConfig.mainConsumerPrefix("heartbeat.interval.ms"), heartbeatIntervalMs());
        p.put(StreamsConfig.producerPrefix(TRANSACTION_TIMEOUT_MS), getInt(TRANSACTION_TIMEOUT_MS));
        p.put(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG, getLong(ACCEPTABLE_RECOVERY_LAG));
        if (!getString(INSTANCE_ID).isBlank()) {
            // Streams suffixes it with each stream thread's index
            p.put(
                    StreamsConfig.mainConsumerPrefix(
                            org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                    getString(INSTANCE_ID));
        }
        originals().forEach((k, v) -> {
            if (!DEF.names().contains(k) && !k.startsWith("ltm.")) {
                p.put(k, v);
            }
        });
        if (getInt(HTTP_PORT) > 0) {
            p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, getString(HTTP_HOST) + ":" + getInt(HTTP_PORT));
        }
        return p;
    }

    /**
     * The heartbeat interval of the node's and the workers' consumers: a tenth of session.timeout.ms, not Kafka's
     * 3 s, so the survivors hear of a rebalance soon after a dead member's session ends.
     */
    public int heartbeatIntervalMs() {
        return Math.max(1, getInt(SESSION_TIMEOUT_MS) / 10);
    }

    /** Every keyed topic (created with the same partition count so they are co-partitioned). */
    public Map<String, Integer> topicPartitions() {
        int n = getInt(TOPIC_PARTITIONS);
        Map<String, Integer> m = new HashMap<>();
        for (String t : Arrays.asList(
                TOPIC_EVENTS,
                TOPIC_TOKENS,
                TOPIC_QUERIES,
                TOPIC_QUERY_REQUESTS,
                TOPIC_CONTROL,
                TOPIC_RESPONSES,
                TOPIC_ATTENTION_REQUESTS,
                TOPIC_DLQ,
                TOPIC_NOVELTY,
                TOPIC_REREAD_REQUESTS)) {
            m.put(getString(t), n);
        }
        return m;
    }

    /** A Markdown table: every key, its environment variable, default and documentation. */
    public static String describe() {
        StringBuilder b = new StringBuilder("| key | environment | default | description |\n|---|---|---|---|\n");
        for (ConfigDef.ConfigKey k : DEF.configKeys().values()) {
            Object d = k.hasDefault() ? k.defaultValue : null;
            String dflt = d instanceof List<?> l
                    ? String.join(",", l.stream().map(String::valueOf).toList())
                    : String.valueOf(d);
            b.append("| `")
                    .append(k.name)
                    .append("` | `")
                    .append(envName(k.name))
                    .append("` | `")
                    .append(k.name.equals(STATE_DIR) ? "${java.io.tmpdir}/ltm-streams" : dflt)
                    .append("` | ")
                    .append(k.documentation)
                    .append(" |\n");
        }
        return b.toString();
    }
}
