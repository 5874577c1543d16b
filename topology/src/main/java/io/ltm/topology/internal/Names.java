package io.ltm.topology.internal;

/** Names of the memory node's processors and state stores (changelogs are {application.id}-{store}-changelog). */
public final class Names {
    public static final String SOURCE_TOKENS = "ltm-tokens-source";
    public static final String SOURCE_QUERIES = "ltm-queries-source";
    public static final String SOURCE_CONTROL = "ltm-control-source";
    /**
     * Queries and control commands not on the partition murmur2 gives their key are written again to their own topic
     * on that partition (ltm.input.repartition): the task's one queries input then holds them all, and Streams' idling
     * (max.task.idle.ms) does not hold a query back for another input of queries that has just run dry.
     */
    public static final String ROUTER_QUERIES = "ltm-queries-router";

    public static final String ROUTER_CONTROL = "ltm-control-router";
    public static final String SINK_QUERIES_BY_KEY = "ltm-queries-by-key-sink";
    public static final String SINK_CONTROL_BY_KEY = "ltm-control-by-key-sink";
    public static final String INGEST = "ltm-ingest";
    public static final String QUERY = "ltm-query";
    public static final String CONTROL = "ltm-control";
    /** Tells the attention worker's reads, which come with the queries, from the queries. */
    public static final String QUERIES_OR_READS = "ltm-queries-or-reads";
    /** The attention worker's RECORD_READS, sent on the queries topic ({@link #HEADER_WORKER_READS}). */
    public static final String WORKER_READS = "ltm-worker-reads";
    /**
     * Header of a record on the queries topic that is the attention worker's RECORD_READS ControlCommand, not a query.
     * The reads come with the queries rather than on the control topic: a task that has just drained one input waits
     * max.task.idle.ms for it before processing another input's records, so reads on the control topic delayed the
     * queries that followed them; on the queries' own partition the next query is not held back.
     */
    public static final String HEADER_WORKER_READS = "ltm.worker.reads";
    /**
     * Header of a query or control command that the node wrote again to its key's partition: "partition:offset" where
     * it was read first ({@link RoutedFrom}).
     */
    public static final String HEADER_ROUTED_FROM = "ltm.routed.from";

    public static final String SINK_RESPONSES = "ltm-responses-sink";
    public static final String SINK_ATTENTION_REQUESTS = "ltm-attention-requests-sink";
    public static final String SINK_REREAD_REQUESTS = "ltm-reread-requests-sink";
    public static final String SINK_DLQ = "ltm-dlq-sink";
    public static final String SINK_NOVELTY = "ltm-novelty-sink";

    /**
     * Long-term part of each key's memory: counters, timeline, sources and the headers of the parts kept apart
     * (MemoryState, rewritten once per L tokens).
     */
    public static final String STORE_MEMORY = "ltm-memory";
    /** Short-term buffer: one small record per event (key + sequence number), append-only, folded at contraction. */
    public static final String STORE_SHORT_TERM = "ltm-short-term";
    /** Per key: the short-term buffer's next sequence number and token count, the memory's origin and contractions. */
    public static final String STORE_SHORT_TERM_INDEX = "ltm-short-term-index";
    /**
     * Per key and segment: the term filter's segments (segmentBits / 8 bytes each; 1 KiB at the defaults), kept apart
     * from the memory record so that a contraction writes only the segments it changed.
     */
    public static final String STORE_TERMS = "ltm-terms";
    /**
     * Per key: B as a base (record 0) and the deltas of the contractions since (records 1…), kept apart from the memory
     * record so that a contraction writes its delta, about a twelfth of B on a long stream, not B ({@code CoefficientRecords}).
     */
    public static final String STORE_COEFFICIENTS = "ltm-coefficients";
    /** Per key: sticky attention statistics of the reads since the last contraction (D floats). */
    public static final String STORE_ATTENTION = "ltm-attention";

    /**
     * Per key: the long-term content keys for novelty scores ({@link Novelty}, rewritten once per L tokens); local,
     * without a changelog: they are made again from the memory where missing ({@code NoveltyTracker}).
     */
    public static final String STORE_NOVELTY = "ltm-novelty";

    private Names() {}
}
