package io.ltm.topology.internal;

import io.ltm.model.MemoryConfig;
import io.ltm.schemas.ControlCommand;
import io.ltm.schemas.EncodedTokens;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;

/**
 * Control commands: FORGET erases every store entry of the key (tombstones, so log compaction removes the
 * memory from the changelogs too); RESET_STATS clears the key's sticky attention statistics; RECORD_READS adds
 * the attention histogram of reads the attention worker answered, so sticky memories see those reads too.
 */
public final class ControlProcessor extends DecodingProcessor<ControlCommand> {

    private final MemoryConfig config;
    private MemoryStores stores;
    private final Serde<EncodedTokens> records;
    private final DecodedState kept;

    public ControlProcessor(
            MemoryConfig config,
            Deserializer<ControlCommand> deserializer,
            DeadLetters deadLetters,
            Serde<EncodedTokens> records,
            DecodedState kept) {
        super(deserializer, Names.CONTROL, "control command", deadLetters);
        this.records = records;
        this.kept = kept;
        this.config = config;
    }

    @Override
    protected void open() {
        this.stores = new MemoryStores(context, config, records, kept);
    }

    private void recordReads(String key, List<Double> histogram) {
        int bins = config.stickyBins();
        if (histogram == null || histogram.size() != bins) {
            throw new InvalidInputException("RECORD_READS needs an attention histogram of " + bins + " bins, got "
                    + (histogram == null ? "none" : histogram.size()));
        }
        double[] h = new double[bins];
        for (int i = 0; i < bins; i++) {
            h[i] = histogram.get(i);
            if (!Double.isFinite(h[i]) || h[i] < 0) {
                throw new InvalidInputException("attention histogram bin " + i + " is " + h[i]);
            }
        }
        // reads of a key forgotten since (a worker sends them late), or never written, must not bring it back
        if (stores.has(key)) {
            stores.addReads(key, h);
        }
    }

    @Override
    protected void handle(String key, ControlCommand command, long timestamp) {
        switch (command.getAction()) {
            case FORGET -> stores.forget(key);
            case RESET_STATS -> stores.resetReads(key);
            case RECORD_READS -> recordReads(key, command.getAttentionHistogram());
            default -> throw new InvalidInputException("unknown control action " + command.getAction());
        }
    }
}
