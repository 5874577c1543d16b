package io.ltm.topology.internal;

import io.ltm.model.Timeline;
import io.ltm.model.internal.BytesBoundedMap;
import io.ltm.schemas.MemoryState;

/**
 * The long-term records of recently contracted or read keys, with their timelines decoded, so that a query or the next
 * contraction neither decodes the record (on a long stream 1,024 source segments: about 0.2 ms) nor converts its
 * timeline again. An entry is used only while the key's short-term index names the id it was kept with: every
 * contraction draws a new id and writes it to the index in the transaction that writes the record, so a record of a
 * rolled-back transaction, of a restore from another history or of a forgotten memory is read from the store, even
 * where its counters equal the entry's. Bounded by the estimated bytes ({@link BytesBoundedMap}: the keys used most
 * often lately stay); 0 disables it. Shared by the stream threads of a process (thread-safe). A record is not changed
 * once built (the codec copies a record to change a field), so an entry can hand out the record itself.
 */
public final class DecodedLongTerm {

    /**
     * Heap bytes per source segment of a packed record, from above: the timeline's two sources and the packed bytes
     * (108 measured with 1,024 segments, a third merged, half with source ids).
     */
    private static final long BYTES_PER_PACKED_SEGMENT = 128;

    /**
     * Heap bytes per source segment of a record written before packing, from above: its Avro segment, two positions
     * with their timestamps and strings, and the timeline's two sources (290 measured as above).
     */
    private static final long BYTES_PER_RECORD_SEGMENT = 320;

    /** Heap bytes per timeline knot, estimated: the Avro knot and the timeline's two doubles. */
    private static final long BYTES_PER_KNOT = 48;

    /** The record and the rest of an entry, estimated. */
    private static final long BYTES_PER_RECORD = 1024;

    /** A key's long-term record as stored under the index's long-term id {@code id}, and its timeline decoded. */
    record Kept(long id, MemoryState record, Timeline timeline) {
        long bytes() {
            long perSegment = record.getPackedSources() != null ? BYTES_PER_PACKED_SEGMENT : BYTES_PER_RECORD_SEGMENT;
            return BYTES_PER_RECORD + perSegment * timeline.segmentCount() + BYTES_PER_KNOT * timeline.knotCount();
        }
    }

    private final BytesBoundedMap<Kept> entries;

    public DecodedLongTerm(long maxBytes) {
        this.entries = new BytesBoundedMap<>(maxBytes, Kept::bytes);
    }

    /** The key's record when {@code index} (nullable) names the id it was kept with, else null. */
    synchronized Kept find(String key, ShortTermIndex index) {
        if (index == null || index.longTerm() == ShortTermIndex.UNKNOWN) return null;
        Kept k = entries.get(key);
        return k != null && k.id() == index.longTerm() ? k : null;
    }

    /** Keeps {@code kept} as the key's (replacing any other); an entry of an unknown id is not kept. */
    synchronized void put(String key, Kept kept) {
        if (kept.id() == ShortTermIndex.UNKNOWN) {
            entries.remove(key);
            return;
        }
        entries.put(key, kept);
    }

    synchronized void invalidate(String key) {
        entries.remove(key);
    }

    /** Keys held. */
    public synchronized int size() {
        return entries.size();
    }
}
