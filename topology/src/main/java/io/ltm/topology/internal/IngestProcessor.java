package io.ltm.topology.internal;

import ai.djl.Device;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.TokenBatch;
import io.ltm.schemas.EncodedTokens;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.processor.api.RecordMetadata;

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

    private final Serde<EncodedTokens> shortTerm;
    private final DecodedState kept;

    /**
     * {@code events}: the token events' deserializer; {@code shortTerm}: the short-term records' serde
     * ({@link StoreSerdes#shortTerm}); {@code novelty}: score every event (needs the {@link Names#STORE_NOVELTY} store
     * and the novelty sink); {@code kept}: B and the term filters kept decoded between contractions (shared by the
     * process's threads and the node's other processors).
     */
    public IngestProcessor(
            MemoryConfig config,
            Deserializer<EncodedTokens> events,
            Serde<EncodedTokens> shortTerm,
            InputValidator validator,
            DeadLetters deadLetters,
            boolean novelty,
            DecodedState kept) {
        super(events, Names.INGEST, "token event", deadLetters);
        this.shortTerm = shortTerm;
        this.config = config;
        this.validator = validator;
        this.noveltyEnabled = novelty;
        this.kept = kept;
    }

    @Override
    protected void open() {
        this.stores = new MemoryStores(context, config, shortTerm, kept, metrics);
        this.engine = LongTermMemory.create(config, Device.cpu()); // never a GPU call in a stream thread
        this.novelty = noveltyEnabled ? new NoveltyTracker(context, stores, config) : null;
    }

    @Override
    protected void handle(String key, EncodedTokens event, long timestamp) {
        float[] vectors = validator.vectors(event.getVectors(), "token event");
        if (event.getTokens() != null
                && event.getTokens().size() != event.getVectors().getCount()) {
            throw new InvalidInputException(
                    "token event has " + event.getTokens().size() + " token texts for "
                            + event.getVectors().getCount() + " vectors");
        }
        ingest(key, event, vectors, timestamp);
    }

    /** {@code timestamp}: of the event that triggered a contraction, kept as the memory's updatedAt. */
    private void ingest(String key, EncodedTokens event, float[] vectors, long timestamp) {
        int count = event.getVectors().getCount();
        ShortTermIndex found = stores.index(key);
        ShortTermIndex idx = found == null
                ? ShortTermIndex.begunAt(
                        context.recordMetadata().map(RecordMetadata::offset).orElse(ShortTermIndex.UNKNOWN))
                : found;
        NoveltyTracker.Scored scored = novelty == null ? null : novelty.score(key, event, vectors, count, found);
        if (idx.tokens() + count < config.contractionLength()) {
            stores.append(key, idx, event, vectors, count);
            metrics.tokens.record(count);
            metrics.stateBytes.record(event.getVectors().getData().remaining());
            if (scored != null) {
                novelty.buffered(key, scored.mean(), count);
                emit(key, scored, timestamp);
            }
            return;
        }
        TokenBatch batch = new TokenBatch(vectors, count, event.getTokens(), Sources.toModel(event.getSource()));
        MemoryStores.Contraction c =
                stores.contract(key, idx, event, vectors, timestamp, state -> engine.absorb(state, batch));
        metrics.tokens.record(count);
        metrics.contractions.record(c.after().contractions() - c.before().contractions());
        metrics.stateBytes.record(c.coefficientBytes());
        if (scored != null) {
            novelty.contracted(key, c.after(), c.written(), c.longTermId(), scored.mean());
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
