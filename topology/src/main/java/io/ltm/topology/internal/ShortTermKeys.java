package io.ltm.topology.internal;

/**
 * Keys of the short-term store: memory key, a NUL separator, then the sequence number as 19 zero-padded
 * digits, so that one key's records are contiguous and in arrival order under the store's byte order.
 */
final class ShortTermKeys {

    private static final char SEP = '\u0000';

    private ShortTermKeys() {}

    static String of(String key, long seq) {
        return key + SEP + String.format("%019d", seq);
    }

    /** Inclusive lower bound of the key's records. */
    static String from(String key) {
        return key + SEP;
    }

    /** Inclusive upper bound of the key's records (above every 19-digit suffix). */
    static String to(String key) {
        return key + SEP + '\uffff';
    }

    /** The memory key of a short-term store key. */
    static String memoryKey(String storeKey) {
        int at = storeKey.indexOf(SEP);
        return at < 0 ? storeKey : storeKey.substring(0, at);
    }

    static boolean validKey(String key) {
        return key.indexOf(SEP) < 0;
    }
}
