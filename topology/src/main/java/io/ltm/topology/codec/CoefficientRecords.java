package io.ltm.topology.codec;

import io.ltm.model.CoefficientDelta;
import io.ltm.model.CoefficientLog;
import io.ltm.model.CoefficientPrecision;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.schemas.CoefficientDeltaBlock;
import io.ltm.schemas.CoefficientLogState;
import io.ltm.schemas.VectorBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.zip.CRC32C;

/**
 * B kept apart from the memory record as a {@link CoefficientLog}: record 0 is the base (a {@link VectorBlock}), record
 * j the j-th {@link CoefficientDelta} since ({@link CoefficientDeltaBlock}). A contraction that adds a delta writes
 * one record of about a twelfth of B (on a long stream) instead of B. The records are in
 * {@link InternalRecordSerde}'s format: internal state, readable without a schema registry. The memory record keeps
 * the CRC-32C of each, so that a reader (a replica following the changelogs) knows when it holds the version the
 * record names.
 */
public final class CoefficientRecords {
    private static final InternalRecordSerde<VectorBlock> BASES = new InternalRecordSerde<>(VectorBlock.class);
    private static final InternalRecordSerde<CoefficientDeltaBlock> DELTAS =
            new InternalRecordSerde<>(CoefficientDeltaBlock.class);

    private CoefficientRecords() {}

    /**
     * What a contraction writes: the memory record as the node stores it (no B, the log's header, the term filter's
     * bits apart), the records of B to put (by index) and how many records B has now (the caller deletes those from
     * that index up to the old count).
     */
    public record Write(io.ltm.schemas.MemoryState record, TreeMap<Integer, byte[]> puts, int count) {}

    /**
     * The records of {@code next}'s B that are not stored already, given the stored log {@code before} (read from the
     * records that {@code beforeHeader} names; both null when there is none): only the new deltas when {@code next}'s
     * log extends it, else the base and every delta. Decodes nothing of {@code before}.
     */
    public static Write write(
            MemoryState next, CoefficientLog before, CoefficientLogState beforeHeader, MemoryConfig cfg) {
        CoefficientLog log = next.coefficientLog();
        List<CoefficientDelta> added = beforeHeader == null
                        || before == null
                        || beforeHeader.getRecords().size() != before.deltaCount() + 1
                ? null
                : log.deltasAfter(before);
        List<Long> digests = new ArrayList<>(log.deltaCount() + 1);
        TreeMap<Integer, byte[]> puts = new TreeMap<>();
        CoefficientPrecision p = cfg.precision();
        long fingerprint;
        int first;
        if (added != null) {
            digests.addAll(beforeHeader.getRecords());
            fingerprint = beforeHeader.getFingerprint();
            first = digests.size();
        } else {
            float[] values = log.base();
            boolean zeros = allZero(values);
            // a base of zeros (a memory that began with deltas) is written as a block of no vectors
            VectorBlock base = MemoryStateCodec.coefficientBlock(values, zeros ? 0 : cfg.basisSize(), cfg.dim(), p);
            put(puts, digests, 0, BASES.serializer().serialize(null, base));
            fingerprint = CoefficientLog.fingerprint(
                    new CoefficientLog.Values(log.size(), i -> zeros ? 0f : MemoryStateCodec.valueAt(base, i)));
            added = log.deltas();
            first = 1;
        }
        for (int j = 0; j < added.size(); j++) {
            CoefficientDelta d = added.get(j);
            VectorBlock y = MemoryStateCodec.coefficientBlock(d.y(), d.hi() - d.lo(), cfg.dim(), p);
            put(
                    puts,
                    digests,
                    first + j,
                    DELTAS.serializer().serialize(null, new CoefficientDeltaBlock(d.lo(), d.hi(), y)));
            fingerprint = CoefficientLog.fingerprint(
                    fingerprint,
                    new CoefficientLog.Delta(d.lo(), d.hi(), d.y().length, i -> MemoryStateCodec.valueAt(y, i)));
        }
        io.ltm.schemas.MemoryState record =
                MemoryStateCodec.stored(next, cfg, new CoefficientLogState(digests, fingerprint));
        return new Write(record, puts, digests.size());
    }

    private static boolean allZero(float[] v) {
        for (float x : v) if (x != 0f) return false;
        return true;
    }

    private static void put(TreeMap<Integer, byte[]> puts, List<Long> digests, int at, byte[] bytes) {
        puts.put(at, bytes);
        digests.add(crc(bytes));
    }

    /**
     * B of a memory record: from the records kept apart ({@code record.apply(j)}: record j's bytes or null), decoded
     * when first used, or from the record itself when it holds B whole; null when it has no B, or when the records at
     * hand are not those the record names (a replica that has read the record but not yet all of them): see
     * {@link #keptApart}.
     */
    public static CoefficientLog read(io.ltm.schemas.MemoryState a, IntFunction<byte[]> record, MemoryConfig cfg) {
        CoefficientLogState h = a.getCoefficientLog();
        if (h == null) {
            return a.getCoefficients() == null
                    ? null
                    : CoefficientLog.of(MemoryStateCodec.unblock(a.getCoefficients(), cfg.basisSize(), cfg.dim()), cfg);
        }
        List<Long> digests = h.getRecords();
        byte[][] bytes = new byte[digests.size()][];
        for (int j = 0; j < bytes.length; j++) {
            bytes[j] = record.apply(j);
            if (bytes[j] == null || crc(bytes[j]) != digests.get(j)) return null;
        }
        return CoefficientLog.stored(() -> decode(bytes, cfg), bytes.length - 1, h.getFingerprint(), cfg);
    }

    /**
     * The B that {@link #read} would give after {@code w} was stored, without reading the records back, decoded (at the
     * stored precision) only when its values are first needed: the records {@code w} puts after those of
     * {@code before}, the B of the stored version {@code w} follows as {@link #read} gave it (unused, and may be null,
     * when {@code w} puts a new base, since it then puts every record).
     */
    public static CoefficientLog asWritten(CoefficientLog before, Write w, MemoryConfig cfg) {
        byte[][] put = w.puts().values().toArray(new byte[0][]);
        long fingerprint = w.record().getCoefficientLog().getFingerprint();
        if (w.puts().containsKey(0))
            return CoefficientLog.stored(() -> decode(put, cfg), put.length - 1, fingerprint, cfg);
        return CoefficientLog.stored(
                () -> {
                    List<CoefficientDelta> deltas = new ArrayList<>(before.deltas());
                    for (byte[] bytes : put) deltas.add(delta(bytes, cfg));
                    return new CoefficientLog.Parts(before.base(), List.copyOf(deltas));
                },
                w.count() - 1,
                fingerprint,
                cfg);
    }

    private static CoefficientLog.Parts decode(byte[][] bytes, MemoryConfig cfg) {
        VectorBlock block = BASES.deserializer().deserialize(null, bytes[0]);
        float[] base = block.getCount() == 0
                ? new float[cfg.basisSize() * cfg.dim()]
                : MemoryStateCodec.unblock(block, cfg.basisSize(), cfg.dim());
        List<CoefficientDelta> deltas = new ArrayList<>(bytes.length - 1);
        for (int j = 1; j < bytes.length; j++) deltas.add(delta(bytes[j], cfg));
        return new CoefficientLog.Parts(base, List.copyOf(deltas));
    }

    private static CoefficientDelta delta(byte[] bytes, MemoryConfig cfg) {
        CoefficientDeltaBlock d = DELTAS.deserializer().deserialize(null, bytes);
        return new CoefficientDelta(
                d.getLo(), d.getHi(), MemoryStateCodec.unblock(d.getY(), d.getHi() - d.getLo(), cfg.dim()));
    }

    /** True when the record's B is kept apart, in records of its own. */
    public static boolean keptApart(io.ltm.schemas.MemoryState a) {
        return a.getCoefficientLog() != null;
    }

    /** The number of records kept apart for the record's B (0 when it keeps none). */
    public static int count(io.ltm.schemas.MemoryState a) {
        return a == null || a.getCoefficientLog() == null
                ? 0
                : a.getCoefficientLog().getRecords().size();
    }

    private static long crc(byte[] bytes) {
        CRC32C c = new CRC32C();
        c.update(bytes);
        return c.getValue();
    }
}
