package io.ltm.topology.internal;

import io.ltm.model.TermFilter;
import io.ltm.model.internal.BytesBoundedMap;
import io.ltm.schemas.MemoryState;
import io.ltm.schemas.TermFilterState;

/**
 * The term filters of recently contracted keys as the ingest made them, so that a key's next contraction neither
 * range-scans the filter's segments (256 records of 1 KiB at defaults) nor checks and decodes them again. An entry is
 * used only for the stored memory record it was made with: the record's filter header (geometry, segments in use and
 * the CRC-32C digest of all its bits), contraction count and tokens absorbed must equal the entry's, so a rolled-back
 * transaction, a restore or a forget is read from the store. Bounded by the filters' bytes (256 KiB per key at
 * defaults; {@link BytesBoundedMap}: the keys contracted most often lately stay); 0 disables it. Shared by the stream
 * threads of a process (thread-safe).
 */
public final class DecodedTerms {

    private record Entry(TermFilterState header, long contractions, long tokensAbsorbed, TermFilter filter) {}

    private final BytesBoundedMap<Entry> entries;

    public DecodedTerms(long maxBytes) {
        this.entries = new BytesBoundedMap<>(maxBytes, e -> e.filter().bytes());
    }

    /** The key's term filter as {@code stored} (the record as read, its bits kept apart) names it, or null. */
    synchronized TermFilter find(String key, MemoryState stored) {
        Entry e = keptApart(stored) ? entries.get(key) : null;
        return e != null
                        && e.header().equals(stored.getTerms())
                        && e.contractions() == stored.getContractions()
                        && e.tokensAbsorbed() == stored.getTokensAbsorbed()
                ? e.filter()
                : null;
    }

    /** Keeps {@code filter} as the key's term filter of the record {@code stored} (replacing any other). */
    synchronized void put(String key, MemoryState stored, TermFilter filter) {
        if (filter == null || !keptApart(stored)) {
            entries.remove(key);
            return;
        }
        entries.put(key, new Entry(stored.getTerms(), stored.getContractions(), stored.getTokensAbsorbed(), filter));
    }

    synchronized void invalidate(String key) {
        entries.remove(key);
    }

    /** Bytes of the filters held. */
    public synchronized long bytes() {
        return entries.bytes();
    }

    private static boolean keptApart(MemoryState stored) {
        return stored != null && stored.getTerms() != null && stored.getTerms().getBits() == null;
    }
}
