package io.ltm.topology.internal;

import java.nio.charset.StandardCharsets;

/** Memory keys are non-empty UTF-8 strings without NUL (NUL separates the short-term store's sequence numbers). */
public final class Keys {
    private Keys() {
    }

    public static String decode(byte[] key) {
        if (key == null || key.length == 0) {
            throw new InvalidInputException("record has no key (the memory key is required)");
        }
        String s = new String(key, StandardCharsets.UTF_8);
        if (!ShortTermKeys.validKey(s)) {
            throw new InvalidInputException("memory key contains a NUL character");
        }
        return s;
    }
}
