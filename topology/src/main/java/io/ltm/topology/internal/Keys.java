package io.ltm.topology.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Memory keys are non-empty UTF-8 strings without NUL (NUL separates the short-term store's sequence numbers). */
public final class Keys {
    private Keys() {}

    public static String decode(byte[] key) {
        if (key == null || key.length == 0) {
            throw new InvalidInputException("record has no key (the memory key is required)");
        }
        String s;
        try {
            // strict: a lenient decode would map different invalid byte strings to the same U+FFFD key
            s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException("memory key is not valid UTF-8 (" + key.length + " bytes)");
        }
        if (!RecordKeys.validKey(s)) {
            throw new InvalidInputException("memory key contains a NUL character");
        }
        return s;
    }
}
