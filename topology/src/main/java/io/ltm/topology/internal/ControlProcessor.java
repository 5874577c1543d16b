package io.ltm.topology.internal;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import io.ltm.model.MemoryConfig;
import io.ltm.schemas.ControlCommand;

/**
 * Control commands: FORGET erases every store entry of the key (tombstones, so log compaction removes the
 * memory from the changelogs too); RESET_STATS clears the key's sticky attention statistics.
 */
public final class ControlProcessor implements Processor<byte[], byte[], String, SpecificRecord> {

    private final MemoryConfig config;
    private final Deserializer<ControlCommand> deserializer;
    private ProcessorContext<String, SpecificRecord> context;
    private MemoryStores stores;
    private NodeMetrics metrics;

    public ControlProcessor(MemoryConfig config, Deserializer<ControlCommand> deserializer) {
        this.config = config;
        this.deserializer = deserializer;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.stores = new MemoryStores(context, config);
        this.metrics = new NodeMetrics(context);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        try {
            String key = Keys.decode(record.key());
            if (record.value() == null || record.value().length == 0) {
                throw new InvalidInputException("empty control command");
            }
            String topic = context.recordMetadata().map(m -> m.topic()).orElse("");
            ControlCommand command = deserializer.deserialize(topic, record.value());
            switch (command.getAction()) {
                case FORGET -> stores.forget(key);
                case RESET_STATS -> stores.attention.delete(key);
                default -> throw new InvalidInputException("unknown control action " + command.getAction());
            }
        } catch (RuntimeException e) {
            metrics.deadLetters.record(1);
            context.forward(new Record<String, SpecificRecord>(Keys.lenient(record.key()),
                    DeadLetters.of(context, record, e, Names.CONTROL), record.timestamp()), Names.SINK_DLQ);
        }
    }
}
