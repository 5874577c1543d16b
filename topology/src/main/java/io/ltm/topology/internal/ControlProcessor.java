package io.ltm.topology.internal;

import io.ltm.model.MemoryConfig;
import io.ltm.schemas.ControlAction;
import io.ltm.schemas.ControlCommand;
import io.ltm.schemas.EncodedTokens;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;

/**
 * Control commands: FORGET erases every store entry of the key (tombstones, so log compaction removes the
 * memory from the changelogs too); RESET_STATS clears the key's sticky attention statistics; RECORD_READS adds
 * the attention histogram of reads the attention worker answered, so sticky memories see those reads too. The
 * worker's reads come on the queries topic ({@link Names#HEADER_WORKER_READS}) to a processor of their own, {@link
 * #workerReads}, which takes RECORD_READS only: a record there cannot forget a key.
 */
public final class ControlProcessor extends DecodingProcessor<ControlCommand> {

    private final MemoryConfig config;
    private MemoryStores stores;
    private final Serde<EncodedTokens> records;
    private final DecodedState kept;
    private final Set<ControlAction> accepted;

    /** The processor of the control topic: every action. */
    public ControlProcessor(
            MemoryConfig config,
            Deserializer<ControlCommand> deserializer,
            DeadLetters deadLetters,
            Serde<EncodedTokens> records,
            DecodedState kept) {
        this(Names.CONTROL, EnumSet.allOf(ControlAction.class), config, deserializer, deadLetters, records, kept);
    }

    private ControlProcessor(
            String name,
            Set<ControlAction> accepted,
            MemoryConfig config,
            Deserializer<ControlCommand> deserializer,
            DeadLetters deadLetters,
            Serde<EncodedTokens> records,
            DecodedState kept) {
        super(deserializer, name, "control command", deadLetters);
        this.accepted = accepted;
        this.records = records;
        this.kept = kept;
        this.config = config;
    }

    /** The processor of the attention worker's reads ({@link Names#WORKER_READS}): RECORD_READS only. */
    public static ControlProcessor workerReads(
            MemoryConfig config,
            Deserializer<ControlCommand> deserializer,
            DeadLetters deadLetters,
            Serde<EncodedTokens> records,
            DecodedState kept) {
        return new ControlProcessor(
                Names.WORKER_READS,
                EnumSet.of(ControlAction.RECORD_READS),
                config,
                deserializer,
                deadLetters,
                records,
                kept);
    }

    @Override
    protected void open() {
        this.stores = new MemoryStores(context, config, records, kept, metrics);
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
        if (!accepted.contains(command.getAction())) {
            throw new InvalidInputException("a " + command.getAction() + " command was sent with the "
                    + Names.HEADER_WORKER_READS + " header, which marks the attention worker's RECORD_READS; "
                    + "send control commands to the control topic");
        }
        switch (command.getAction()) {
            case FORGET -> stores.forget(key);
            case RESET_STATS -> stores.resetReads(key);
            case RECORD_READS -> recordReads(key, command.getAttentionHistogram());
            default -> throw new InvalidInputException("unknown control action " + command.getAction());
        }
    }
}
