package io.ltm.topology.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.serialization.Deserializer;

import io.ltm.model.CoefficientPrecision;
import ai.djl.Device;

import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.topology.codec.MemoryStateCodec;
import io.ltm.model.TokenBatch;
import io.ltm.schemas.EncodedTokens;

/**
 * Token events into a key's memory. An event is appended to the short-term store as one small record;
 * only when the buffer reaches L tokens are the records folded into the long-term coefficients (one write
 * of B per L tokens, never a rewrite of the whole memory per event). Any record that cannot be used goes
 * to the dead-letter topic and leaves the state untouched: stores are written only after all compute
 * has succeeded.
 */
public final class IngestProcessor extends DecodingProcessor<EncodedTokens> {

    private final MemoryConfig config;
    private final InputValidator validator;
    private MemoryStores stores;
    private LongTermMemory engine;
    private final boolean noveltyEnabled;
    private NoveltyTracker novelty;

    /** {@code novelty}: score every event (needs the {@link Names#STORE_NOVELTY} store and the novelty sink). */
    public IngestProcessor(MemoryConfig config, Deserializer<EncodedTokens> deserializer, InputValidator validator,
                           DeadLetters deadLetters, boolean novelty) {
        super(deserializer, Names.INGEST, "token event", deadLetters);
        this.config = config;
        this.validator = validator;
        this.noveltyEnabled = novelty;
    }

    @Override
    protected void open() {
        this.stores = new MemoryStores(context, config);
        this.engine = LongTermMemory.create(config, Device.cpu()); // never a GPU call in a stream thread
        this.novelty = noveltyEnabled ? new NoveltyTracker(context, stores, config) : null;
    }

    @Override
    protected void handle(String key, EncodedTokens event, long timestamp) {
        float[] vectors = validator.vectors(event.getVectors(), "token event");
        if (event.getTokens() != null && event.getTokens().size() != event.getVectors().getCount()) {
            throw new InvalidInputException("token event has " + event.getTokens().size() + " token texts for "
                    + event.getVectors().getCount() + " vectors");
        }
        ingest(key, event, vectors, timestamp);
    }

    /** {@code timestamp}: of the event that triggered a contraction, kept as the memory's updatedAt. */
    private void ingest(String key, EncodedTokens event, float[] vectors, long timestamp) {
        int count = event.getVectors().getCount();
        ShortTermIndex idx = stores.index.get(key);
        boolean noIndex = idx == null;
        if (idx == null) {
            idx = ShortTermIndex.EMPTY;
        }
        NoveltyTracker.Scored scored = novelty == null ? null
                : novelty.score(key, event, vectors, count, idx.tokens(), noIndex);
        if (idx.tokens() + count < config.contractionLength()) {
            stores.shortTerm.put(ShortTermKeys.of(key, idx.nextSeq()), event);
            stores.index.put(key, idx.append(count));
            metrics.tokens.record(count);
            metrics.stateBytes.record(event.getVectors().getData().remaining());
            if (scored != null) {
                novelty.buffered(key, scored.mean(), count);
                emit(key, scored, timestamp);
            }
            return;
        }
        io.ltm.schemas.MemoryState stored = stores.memory.get(key);
        MemoryState state = stored == null ? MemoryState.empty(config) : MemoryStateCodec.fromAvro(stored, config);
        List<String> shortTermKeys = new ArrayList<>();
        state = stores.withShortTerm(state, key, shortTermKeys);
        state = state.plusReads(stores.attention.get(key));
        MemoryState next = engine.absorb(state, new TokenBatch(vectors, count, event.getTokens(),
                Sources.toModel(event.getSource())));

        io.ltm.schemas.MemoryState longTerm = MemoryStateCodec.toAvro(
                next.withoutShortTerm().withUpdatedAt(timestamp), config);
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
            stores.index.put(key, new ShortTermIndex(seq + 1, rest));
        } else {
            stores.index.put(key, new ShortTermIndex(seq, 0));
        }
        metrics.tokens.record(count);
        metrics.contractions.record(next.contractions() - state.contractions());
        metrics.stateBytes.record(longTerm.getCoefficients() == null ? 0
                : longTerm.getCoefficients().getData().remaining());
        if (scored != null) {
            novelty.contracted(key, next, scored.mean());
            emit(key, scored, timestamp);
        }
    }

    private void emit(String key, NoveltyTracker.Scored scored, long timestamp) {
        metrics.novelty.record(scored.record().getNovelty());
        forward(key, scored.record(), timestamp, Names.SINK_NOVELTY);
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
    }
}
