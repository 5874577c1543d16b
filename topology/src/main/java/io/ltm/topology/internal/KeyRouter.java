package io.ltm.topology.internal;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * In front of a processor that needs the key's memory: a record already on the partition that murmur2 gives its
 * key (any Java producer's) goes straight on; any other (librdkafka's default partitioner, an explicit partition)
 * goes through the repartition sink, whose {@link KeyPartitioner} sends it to the task that holds the key. Until
 * that sink has seen one record the partition count is unknown, and every record takes the repartition topic. A
 * record sent through the repartition topic asks {@code detours} for a commit: under exactly-once the task that holds
 * the key reads it only after this task's transaction commits.
 */
public final class KeyRouter implements Processor<byte[], byte[], byte[], byte[]> {

    private final KeyPartitioner partitioner;
    private final String direct;
    private final String repartition;
    private final CommitPacer detours;
    private ProcessorContext<byte[], byte[]> context;
    private CommitPacer.Task commits;

    public KeyRouter(KeyPartitioner partitioner, String direct, String repartition, CommitPacer detours) {
        this.partitioner = partitioner;
        this.direct = direct;
        this.repartition = repartition;
        this.detours = detours;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.commits = detours.forTask(context);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        int partitions = partitioner.partitionCount();
        int here = context.recordMetadata().map(m -> m.partition()).orElse(-1);
        boolean home = record.key() == null // no memory to reach: the processor sends it to the dead-letter topic
                || (partitions > 0 && KeyPartitioner.partition(record.key(), partitions) == here);
        context.forward(record, home ? direct : repartition);
        if (!home) {
            commits.written();
        }
    }
}
