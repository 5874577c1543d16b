package io.ltm.topology.internal;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * What the memory node's processors share: records arrive as bytes and are decoded here, so that any record
 * that cannot be used (no key, empty, undecodable, unknown schema id, or rejected by the subclass) goes to the
 * dead-letter topic with the reason instead of stopping the stream thread. Subclasses write state only after
 * all their checks and compute have succeeded, so a rejected record leaves the state untouched. Failures of the
 * infrastructure ({@link Failures#isInfrastructure}) are not the record's fault: they are rethrown, the stream
 * thread fails and is replaced, exactly-once aborts its transaction, and the record is processed again.
 */
abstract class DecodingProcessor<T extends SpecificRecord>
        implements Processor<byte[], byte[], String, SpecificRecord> {

    private final Deserializer<T> deserializer;
    private final String name;
    private final String what;
    private final DeadLetters deadLetters;
    protected ProcessorContext<String, SpecificRecord> context;
    protected NodeMetrics metrics;

    DecodingProcessor(Deserializer<T> deserializer, String name, String what, DeadLetters deadLetters) {
        this.deserializer = deserializer;
        this.name = name;
        this.what = what;
        this.deadLetters = deadLetters;
    }

    @Override
    public final void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.metrics = new NodeMetrics(context);
        open();
    }

    /** Per-task setup after the context is known (stores, engine). */
    protected abstract void open();

    @Override
    public final void process(Record<byte[], byte[]> record) {
        T value = null;
        try {
            String key = Keys.decode(record.key());
            if (record.value() == null || record.value().length == 0) {
                throw new InvalidInputException("empty " + what);
            }
            value = deserializer.deserialize(
                    context.recordMetadata().map(m -> m.topic()).orElse(""), record.value());
            handle(key, value, record.timestamp());
        } catch (RuntimeException e) {
            if (Failures.isInfrastructure(e)) {
                throw e;
            }
            // bad input (InvalidInputException, SerializationException) or a failure of the math on this
            // key's input: either way nothing was written yet, and the other keys must go on
            metrics.deadLetters.record(1);
            forward(
                    deadLetters.recordKey(record.key()),
                    deadLetters.of(context, record, e, name),
                    record.timestamp(),
                    Names.SINK_DLQ);
            rejected(value, e, record.timestamp());
        }
    }

    /** Uses one decoded record. */
    protected abstract void handle(String key, T value, long timestamp);

    /** After a record went to the dead-letter topic; {@code value} is null when it could not be decoded. */
    protected void rejected(T value, RuntimeException error, long timestamp) {}

    protected final void forward(String key, SpecificRecord value, long timestamp, String child) {
        context.forward(new Record<>(key, value, timestamp), child);
    }
}
