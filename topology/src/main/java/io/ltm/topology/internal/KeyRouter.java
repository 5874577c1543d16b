package io.ltm.topology.internal;

import io.ltm.topology.api.LtmConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * In front of a processor that needs the key's memory: a record already on its key's partition (the node's
 * {@link io.ltm.topology.api.KeyPlacement}) goes straight on; any other (another client's partitioner, an explicit
 * partition) goes to the sink {@code detour}, whose {@link KeyPartitioner} writes it again to its own topic, on the
 * partition of the task that holds the key, marked with where it was read first ({@link RoutedFrom}). Until that sink
 * has written one record the partition count is unknown, and every record takes the detour. A detour asks
 * {@code commits} for a commit: under exactly-once the task that holds the key reads it only after this task's
 * transaction commits.
 */
public final class KeyRouter implements Processor<byte[], byte[], byte[], byte[]> {

    /** Room for the routing header and the record's and batch's framing, with a wide margin. */
    private static final int COPY_OVERHEAD_BYTES = 4096;

    private final KeyPartitioner partitioner;
    private final String direct;
    private final String detour;
    private final CommitPacer commits;
    private ProcessorContext<byte[], byte[]> context;
    private CommitPacer.Task taskCommits;

    public KeyRouter(KeyPartitioner partitioner, String direct, String detour, CommitPacer commits) {
        this.partitioner = partitioner;
        this.direct = direct;
        this.detour = detour;
        this.commits = commits;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.taskCommits = commits.forTask(context);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        int partitions = partitioner.partitionCount();
        RecordMetadata meta = context.recordMetadata().orElse(null);
        int here = meta == null ? -1 : meta.partition();
        boolean home = record.key() == null // no memory to reach: the processor sends it to the dead-letter topic
                || (partitions > 0 && partitioner.partition(record.key(), partitions) == here);
        if (home || tooLargeToWriteAgain(record)) {
            context.forward(record, direct);
            return;
        }
        Record<byte[], byte[]> routed = record;
        if (meta != null && RoutedFrom.of(record.headers()).isEmpty()) {
            RecordHeaders headers = new RecordHeaders(record.headers().toArray());
            headers.add(Names.HEADER_ROUTED_FROM, new RoutedFrom(meta.partition(), meta.offset()).encode());
            routed = record.withHeaders(headers);
        }
        context.forward(routed, detour);
        taskCommits.written();
    }

    /**
     * A copy the producer would refuse (max.request.size) would fail the task on every retry. Such a record is far
     * beyond the largest query or command the processors take, so it goes to them on this partition, and they send it
     * to the dead-letter topic (a query answered with an error).
     */
    private static boolean tooLargeToWriteAgain(Record<byte[], byte[]> record) {
        long bytes = (long) record.key().length + (record.value() == null ? 0 : record.value().length);
        for (Header h : record.headers()) {
            bytes += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return bytes > LtmConfig.MAX_STATE_BYTES - COPY_OVERHEAD_BYTES;
    }
}
