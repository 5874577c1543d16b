package io.ltm.topology.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import io.ltm.model.CoefficientPrecision;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.MemoryStateCodec;
import io.ltm.model.TokenBatch;
import io.ltm.schemas.EncodedTokens;

/**
 * Token events into a key's memory. An event is appended to the short-term store as one small record;
 * only when the buffer reaches L tokens are the records folded into the long-term coefficients (one write
 * of B per L tokens, never a rewrite of the whole memory per event). Any record that cannot be used goes
 * to the dead-letter topic and leaves the state untouched: stores are written only after all compute
 * has succeeded.
 */
public final class IngestProcessor implements Processor<byte[], byte[], String, SpecificRecord> {

    private final MemoryConfig config;
    private final Deserializer<EncodedTokens> deserializer;
    private final InputValidator validator;
    private ProcessorContext<String, SpecificRecord> context;
    private MemoryStores stores;
    private LongTermMemory engine;
    private NodeMetrics metrics;

    public IngestProcessor(MemoryConfig config, Deserializer<EncodedTokens> deserializer, int maxTokensPerEvent) {
        this.config = config;
        this.deserializer = deserializer;
        this.validator = new InputValidator(config.dim(), maxTokensPerEvent);
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.stores = new MemoryStores(context, config);
        this.engine = LongTermMemory.create(config);
        this.metrics = new NodeMetrics(context);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        try {
            String key = Keys.decode(record.key());
            if (record.value() == null || record.value().length == 0) {
                throw new InvalidInputException("empty token event");
            }
            String topic = context.recordMetadata().map(m -> m.topic()).orElse("");
            EncodedTokens event = deserializer.deserialize(topic, record.value());
            float[] vectors = validator.vectors(event.getVectors(), "token event");
            if (event.getTokens() != null && event.getTokens().size() != event.getVectors().getCount()) {
                throw new InvalidInputException("token event has " + event.getTokens().size() + " token texts for "
                        + event.getVectors().getCount() + " vectors");
            }
            ingest(key, event, vectors);
        } catch (RuntimeException e) {
            // bad input (InvalidInputException, SerializationException) or a failure of the math on this
            // key's input: either way nothing was written yet, and the other keys must go on
            deadLetter(record, e);
        }
    }

    private void ingest(String key, EncodedTokens event, float[] vectors) {
        int count = event.getVectors().getCount();
        ShortTermIndex idx = stores.index.get(key);
        if (idx == null) {
            idx = ShortTermIndex.EMPTY;
        }
        if (idx.tokens() + count < config.contractionLength()) {
            stores.shortTerm.put(ShortTermKeys.of(key, idx.nextSeq()), event);
            stores.index.put(key, idx.append(count));
            metrics.tokens.record(count);
            metrics.stateBytes.record(event.getVectors().getData().remaining());
            return;
        }
        io.ltm.schemas.MemoryState stored = stores.memory.get(key);
        MemoryState state = stored == null ? MemoryState.empty(config) : MemoryStateCodec.fromAvro(stored, config);
        List<String> shortTermKeys = new ArrayList<>();
        // one range scan: the same records are folded and then deleted
        state = stores.withShortTerm(state, stores.shortTermRecords(key, shortTermKeys));
        double[] hist = stores.attention.get(key);
        if (hist != null) {
            state = state.withStickyHistogram(hist);
        }
        MemoryState next = engine.absorb(state, new TokenBatch(vectors, count, event.getTokens(),
                Sources.toModel(event.getSource())));

        io.ltm.schemas.MemoryState longTerm = MemoryStateCodec.toAvro(next.withoutShortTerm(), config);
        stores.memory.put(key, longTerm);
        shortTermKeys.forEach(stores.shortTerm::delete);
        stores.attention.delete(key);
        int rest = next.shortTermCount();
        long seq = idx.nextSeq();
        if (rest > 0) {
            // after a contraction the remainder is always a tail of this event (fewer than L tokens were buffered)
            EncodedTokens tail = EncodedTokens.newBuilder(event)
                    .setVectors(MemoryStateCodec.block(next.shortTermVectors(), rest, config.dim(), CoefficientPrecision.FLOAT32))
                    .setTokens(event.getTokens() == null ? null : next.shortTermTokens())
                    .build();
            stores.shortTerm.put(ShortTermKeys.of(key, seq), tail);
            stores.index.put(key, new ShortTermIndex(seq, seq + 1, rest));
        } else {
            stores.index.put(key, new ShortTermIndex(seq, seq, 0));
        }
        metrics.tokens.record(count);
        metrics.contractions.record(next.contractions() - state.contractions());
        metrics.stateBytes.record(longTerm.getCoefficients() == null ? 0
                : longTerm.getCoefficients().getData().remaining());
    }

    private void deadLetter(Record<byte[], byte[]> record, Exception e) {
        metrics.deadLetters.record(1);
        context.forward(new Record<String, SpecificRecord>(Keys.lenient(record.key()),
                DeadLetters.of(context, record, e, Names.INGEST), record.timestamp()), Names.SINK_DLQ);
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
    }
}
