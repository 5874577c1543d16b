package io.ltm.topology.internal;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * On the queries path: a record with the {@link Names#HEADER_WORKER_READS} header goes to the processor of the
 * attention worker's reads, any other to the query processor. Records pass as the bytes they arrived as.
 */
public final class ReadsSplitter implements Processor<byte[], byte[], byte[], byte[]> {

    private final String queries;
    private final String reads;
    private ProcessorContext<byte[], byte[]> context;

    public ReadsSplitter(String queries, String reads) {
        this.queries = queries;
        this.reads = reads;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        boolean workerReads = record.headers().lastHeader(Names.HEADER_WORKER_READS) != null;
        context.forward(record, workerReads ? reads : queries);
    }
}
