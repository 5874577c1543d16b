package io.ltm.testutils.it;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/** Waits on what a memory node says of a key (its {@code describe}), which this module cannot call directly. */
public final class MemoryProgress {
    private MemoryProgress() {}

    /**
     * Waits until the key has absorbed at least {@code atLeast} tokens; returns how many it has then. Fails at the
     * timeout, with what the node said.
     */
    public static long awaitTokens(
            Function<String, Map<String, Object>> describe, String key, long atLeast, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> said = describe.apply(key);
        while (true) {
            Object n = said.get("tokensAbsorbed");
            if (n != null && ((Number) n).longValue() >= atLeast) return ((Number) n).longValue();
            if (System.nanoTime() > deadline)
                throw new AssertionError("key " + key + " never reached " + atLeast + " tokens: " + said);
            Thread.sleep(20);
            said = describe.apply(key);
        }
    }
}
