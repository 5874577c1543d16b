package io.ltm.topology.internal;

import org.apache.kafka.common.serialization.Deserializer;

import io.ltm.model.MemoryConfig;
import io.ltm.schemas.ControlCommand;

/**
 * Control commands: FORGET erases every store entry of the key (tombstones, so log compaction removes the
 * memory from the changelogs too); RESET_STATS clears the key's sticky attention statistics.
 */
public final class ControlProcessor extends DecodingProcessor<ControlCommand> {

    private final MemoryConfig config;
    private MemoryStores stores;

    public ControlProcessor(MemoryConfig config, Deserializer<ControlCommand> deserializer) {
        super(deserializer, Names.CONTROL, "control command");
        this.config = config;
    }

    @Override
    protected void open() {
        this.stores = new MemoryStores(context, config);
    }

    @Override
    protected void handle(String key, ControlCommand command, long timestamp) {
        switch (command.getAction()) {
            case FORGET -> stores.forget(key);
            case RESET_STATS -> stores.attention.delete(key);
            default -> throw new InvalidInputException("unknown control action " + command.getAction());
        }
    }
}
