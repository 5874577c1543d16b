package io.ltm.topology.internal;

/**
 * Keys of the stores that hold several records per memory key (the short-term records, the term filter's segments,
 * B's base and deltas):
 * memory key, a NUL separator, then a sequence number as 19 zero-padded digits, so that one key's records are
 * contiguous and in order under the store's byte order.
 */
final class RecordKeys {

    private static final char SEP = '\u0000';

    private RecordKeys() {}

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

    /** The sequence number of a store key made by {@link #of}. */
    static long seq(String storeKey) {
        return Long.parseLong(storeKey.substring(storeKey.indexOf(SEP) + 1));
    }

    /** The memory key of a store key made by {@link #of} (a plain memory key is its own). */
    static String memoryKey(String storeKey) {
        int at = storeKey.indexOf(SEP);
        return at < 0 ? storeKey : storeKey.substring(0, at);
    }

    static boolean validKey(String key) {
        return key.indexOf(SEP) < 0;
    }
}
