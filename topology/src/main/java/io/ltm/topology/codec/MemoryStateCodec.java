package io.ltm.topology.codec;

import io.ltm.model.CoefficientLog;
import io.ltm.model.CoefficientPrecision;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadyMemory;
import io.ltm.model.StoredVersion;
import io.ltm.model.TermFilter;
import io.ltm.model.Timeline;
import io.ltm.model.TokenSource;
import io.ltm.model.internal.Half;
import io.ltm.schemas.CoefficientLogState;
import io.ltm.schemas.SourcePosition;
import io.ltm.schemas.SourceSegment;
import io.ltm.schemas.TermFilterState;
import io.ltm.schemas.TimelineKnot;
import io.ltm.schemas.VectorBlock;
import io.ltm.schemas.VectorEncoding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Converts {@link MemoryState} to and from the Avro record {@code io.ltm.schemas.MemoryState} (and its binary body).
 * It lives here, not in {@code model}, so that the memory's math knows no wire format.
 * B and the short-term vectors are packed as little-endian float16 or float32 according to
 * {@link MemoryConfig#precision()}; the timeline as knots (t, tokenIndex); sources as run-length segments.
 *
 * <p>Size for the default configuration (N = 512, d = 384, FLOAT16): B is 512·384·2 = 393,216 bytes and the term
 * filter 256·8,192/8 = 262,144 bytes; with an empty short-term buffer, the timeline's knots and a few source segments
 * the Avro body is about 660 KB (printed by MemoryStateCodecTest). A full short-term buffer (511 vectors) adds
 * 392,448 bytes, so the topology keeps the short-term buffer in its own store
 * ({@link MemoryState#withoutShortTerm()}), and B and the term filter apart too ({@link CoefficientRecords},
 * {@link #termSegments(TermFilter)}): the record it rewrites at every contraction holds neither. With FLOAT32 B alone is
 * 786,432 bytes.
 */
public final class MemoryStateCodec {
    /** float16 values converted per bulk copy: a small array, not one as large as the block. */
    private static final int HALF_CHUNK = 4096;

    private MemoryStateCodec() {}

    /** The whole record, B and the term filter's bits included. */
    public static io.ltm.schemas.MemoryState toAvro(MemoryState s, MemoryConfig cfg) {
        return builder(s, cfg, true)
                .setCoefficients(
                        s.coefficientsRef() == null
                                ? null
                                : coefficientBlock(s.coefficientsRef(), s.basisSize(), s.dim(), cfg.precision()))
                .build();
    }

    /**
     * The record as the memory node stores it: B kept apart (the header of its records, {@link CoefficientRecords}),
     * and the term filter's bits kept apart (its header and digest, {@link #termSegments(TermFilter)}).
     */
    static io.ltm.schemas.MemoryState stored(MemoryState s, MemoryConfig cfg, CoefficientLogState coefficients) {
        return builder(s, cfg, false).setCoefficientLog(coefficients).build();
    }

    /** The record without B; with the term filter's bits when {@code termBits}, else their header and digest only. */
    private static io.ltm.schemas.MemoryState.Builder builder(MemoryState s, MemoryConfig cfg, boolean termBits) {
        check(s.dim() == cfg.dim() && s.basisSize() == cfg.basisSize(), () -> "state does not match config " + cfg);
        Timeline tl = s.timeline();
        List<TimelineKnot> knots = new ArrayList<>(tl.knotCount());
        for (int i = 0; i < tl.knotCount(); i++) knots.add(new TimelineKnot(tl.knotPosition(i), tl.knotToken(i)));
        int ns = tl.segmentCount();
        long[] firsts = new long[ns];
        List<TokenSource> sources = new ArrayList<>(ns), lasts = new ArrayList<>(ns);
        for (int i = 0; i < ns; i++) {
            firsts[i] = tl.segmentFirstToken(i);
            sources.add(tl.segmentSource(i));
            lasts.add(tl.segmentLastSource(i));
        }
        double[] h = s.stickyRef();
        List<Double> hist = null;
        if (h != null) {
            hist = new ArrayList<>(h.length);
            for (double v : h) hist.add(v);
        }
        return io.ltm.schemas.MemoryState.newBuilder()
                .setFormatVersion(1)
                .setBasisSize(s.basisSize())
                .setDim(s.dim())
                .setShortTerm(
                        s.shortTermCount() == 0
                                ? null
                                : block(s.shortTermRef(), s.shortTermCount(), s.dim(), cfg.precision()))
                .setShortTermTokens(new ArrayList<>(s.shortTermTokens()))
                .setTokensAbsorbed(s.tokensAbsorbed())
                .setContractions(s.contractions())
                .setTimeline(knots)
                .setSources(List.of())
                .setPackedSources(PackedSources.encode(new PackedSources.Segments(firsts, sources, lasts)))
                .setStickyHistogram(hist)
                .setUpdatedAt(Instant.ofEpochMilli(s.updatedAt()))
                .setTerms(terms(s.terms(), termBits));
    }

    private static TermFilterState terms(TermFilter f, boolean withBits) {
        if (f == null) return null;
        long[] words = f.bitsRef();
        ByteBuffer bb = ByteBuffer.allocate(words.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bb.asLongBuffer().put(words);
        return new TermFilterState(
                f.segments(),
                f.segmentBits(),
                f.hashes(),
                f.segmentTokens(),
                f.used(),
                withBits ? bb : null,
                digest(bb));
    }

    /**
     * The filter's segments in use, [0, used), each {@code segmentBits / 8} bytes, as the memory node stores them
     * apart (one record per segment).
     */
    public static List<byte[]> termSegments(TermFilter f) {
        List<byte[]> out = new ArrayList<>(f.used());
        for (int s = 0; s < f.used(); s++) out.add(termSegment(f, s));
        return out;
    }

    /** Segment {@code s} of the filter as {@link #termSegments} stores it. */
    public static byte[] termSegment(TermFilter f, int s) {
        int perSegment = f.segmentBits() / Long.SIZE;
        ByteBuffer bb = ByteBuffer.allocate(perSegment * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bb.asLongBuffer().put(f.bitsRef(), s * perSegment, perSegment);
        return bb.array();
    }

    /** The record's filter; its bits must be in it (see {@link #withTermBits}): a state decoded without them would lose them. */
    private static TermFilter terms(TermFilterState a) {
        if (a == null) return null;
        check(
                a.getBits() != null,
                () -> "the record's term filter bits are kept apart: fill them in first (withTermBits)");
        ByteBuffer bb = a.getBits().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        check(bb.remaining() % Long.BYTES == 0, () -> "term filter bits are not whole 64-bit words");
        long[] words = new long[bb.remaining() / Long.BYTES];
        bb.asLongBuffer().get(words);
        return TermFilter.of(
                a.getSegments(), a.getSegmentBits(), a.getHashes(), a.getSegmentTokens(), a.getUsed(), words);
    }

    private static long digest(ByteBuffer bits) {
        CRC32C crc = new CRC32C();
        crc.update(bits.duplicate());
        return crc.getValue();
    }

    /** The term filter of a record whose bits are in it (see {@link #withTermBits}), or null when it keeps none. */
    public static TermFilter termFilter(io.ltm.schemas.MemoryState a) {
        return terms(a.getTerms());
    }

    /** The record without its term filter (for reading a memory where its segments are not at hand). */
    public static io.ltm.schemas.MemoryState withoutTerms(io.ltm.schemas.MemoryState a) {
        return a.getTerms() == null ? a : with(a, "terms", null);
    }

    /**
     * The record with its term filter's bits filled in from the segments kept apart ({@code segment.apply(i)}: the
     * bytes of segment i, or null when there is none), or null when they are not those of this record (missing, or
     * not matching its digest: a replica that has read the record but not yet its segments). A record without a
     * filter, or whose bits are in it, is returned as it is.
     */
    public static io.ltm.schemas.MemoryState withTermBits(
            io.ltm.schemas.MemoryState a, java.util.function.IntFunction<byte[]> segment) {
        TermFilterState t = a.getTerms();
        if (t == null || t.getBits() != null) return a;
        int bytes = t.getSegmentBits() / Byte.SIZE;
        ByteBuffer bb = ByteBuffer.allocate(t.getSegments() * bytes);
        for (int s = 0; s < t.getUsed(); s++) {
            byte[] seg = segment.apply(s);
            if (seg == null || seg.length != bytes) return null;
            bb.put(s * bytes, seg);
        }
        if (digest(bb) != t.getDigest()) return null;
        TermFilterState withBits = new TermFilterState(
                t.getSegments(),
                t.getSegmentBits(),
                t.getHashes(),
                t.getSegmentTokens(),
                t.getUsed(),
                bb,
                t.getDigest());
        return with(a, "terms", withBits);
    }

    /**
     * A copy of the record with {@code field} set to {@code value}, sharing the other fields' values (the generated
     * builders copy every field deeply: the timeline's sources, the filter's bits, a record's vectors).
     */
    public static <T extends SpecificRecordBase> T with(T record, String field, Object value) {
        Schema schema = record.getSchema();
        int pos = schema.getField(field).pos();
        @SuppressWarnings("unchecked")
        T copy = (T) SpecificData.get().newRecord(null, schema);
        for (Schema.Field f : schema.getFields()) copy.put(f.pos(), f.pos() == pos ? value : record.get(f.pos()));
        return copy;
    }

    public static MemoryState fromAvro(io.ltm.schemas.MemoryState a, MemoryConfig cfg) {
        return fromAvro(a, cfg, null);
    }

    /**
     * As {@link #fromAvro(io.ltm.schemas.MemoryState, MemoryConfig)}, with B given already decoded (not copied: the
     * caller vouches that it is this state's B, read by {@link CoefficientRecords#read} or from a {@link ReadyMemory}
     * for which {@code isFor(a)} holds), or null to decode it from the record, which must then hold it whole.
     */
    public static MemoryState fromAvro(io.ltm.schemas.MemoryState a, MemoryConfig cfg, CoefficientLog coefficients) {
        return fromAvro(a, cfg, coefficients, null);
    }

    /**
     * As {@link #fromAvro(io.ltm.schemas.MemoryState, MemoryConfig, CoefficientLog)}, with the record's timeline given
     * already decoded by {@link #timeline} (null: decode it): a long stream's timeline is most of a record's decoding.
     */
    public static MemoryState fromAvro(
            io.ltm.schemas.MemoryState a, MemoryConfig cfg, CoefficientLog coefficients, Timeline timeline) {
        check(a.getFormatVersion() == 1, () -> "unsupported formatVersion " + a.getFormatVersion());
        check(
                a.getDim() == cfg.dim() && a.getBasisSize() == cfg.basisSize(),
                () -> "state (N=" + a.getBasisSize() + ", d=" + a.getDim() + ") does not match config " + cfg);
        boolean hasB = a.getCoefficients() != null || CoefficientRecords.keptApart(a);
        check(
                coefficients == null || (hasB && coefficients.size() == cfg.basisSize() * cfg.dim()),
                () -> "decoded coefficients do not fit the state");
        check(
                coefficients != null || a.getCoefficients() != null || !hasB,
                () -> "the record's B is kept apart: read it first (CoefficientRecords.read)");
        CoefficientLog b = coefficients != null
                ? coefficients
                : a.getCoefficients() == null
                        ? null
                        : CoefficientLog.of(unblock(a.getCoefficients(), cfg.basisSize(), cfg.dim()), cfg);
        int sc = a.getShortTerm() == null ? 0 : a.getShortTerm().getCount();
        float[] stm = sc == 0 ? new float[0] : unblock(a.getShortTerm(), sc, cfg.dim());
        List<String> tokens =
                a.getShortTermTokens() == null || a.getShortTermTokens().isEmpty()
                        ? Collections.nCopies(sc, null)
                        : Collections.unmodifiableList(new ArrayList<>(a.getShortTermTokens()));
        double[] hist = null;
        if (a.getStickyHistogram() != null) {
            hist = new double[a.getStickyHistogram().size()];
            for (int i = 0; i < hist.length; i++)
                hist[i] = a.getStickyHistogram().get(i);
        }
        return MemoryState.restore(
                        cfg.dim(),
                        cfg.basisSize(),
                        b,
                        stm,
                        sc,
                        tokens,
                        a.getTokensAbsorbed(),
                        a.getContractions(),
                        timeline != null ? timeline : timeline(a),
                        hist,
                        a.getUpdatedAt() == null ? 0 : a.getUpdatedAt().toEpochMilli())
                .withTerms(terms(a.getTerms()));
    }

    /** The record's timeline: its knots and source segments (packed, or as records by releases before packing). */
    public static Timeline timeline(io.ltm.schemas.MemoryState a) {
        int nk = a.getTimeline().size();
        double[] t = new double[nk], k = new double[nk];
        for (int i = 0; i < nk; i++) {
            t[i] = a.getTimeline().get(i).getT();
            k[i] = a.getTimeline().get(i).getTokenIndex();
        }
        if (a.getPackedSources() != null) {
            PackedSources.Segments p = PackedSources.decode(a.getPackedSources());
            return Timeline.of(t, k, p.firstTokens(), p.sources(), p.lastSources());
        }
        int ns = a.getSources().size();
        long[] first = new long[ns];
        List<TokenSource> srcs = new ArrayList<>(ns);
        List<TokenSource> lasts = new ArrayList<>(ns);
        for (int i = 0; i < ns; i++) {
            SourceSegment g = a.getSources().get(i);
            first[i] = g.getFirstToken();
            srcs.add(source(g.getSource()));
            lasts.add(g.getLastSource() == null ? null : source(g.getLastSource()));
        }
        return Timeline.of(t, k, first, srcs, lasts);
    }

    private static TokenSource source(SourcePosition p) {
        return new TokenSource(
                p.getTopic(),
                p.getPartition(),
                p.getOffset(),
                p.getTimestamp() == null ? 0 : p.getTimestamp().toEpochMilli(),
                p.getSourceId());
    }

    /**
     * The version of a stored state as {@link ReadyMemory#isFor(StoredVersion)} compares it: counters from the record and
     * the fingerprint of its B (the one it keeps with B kept apart, else from single coefficients of the packed block),
     * so that a cached ready memory is found without decoding B.
     */
    public static StoredVersion version(io.ltm.schemas.MemoryState stored) {
        VectorBlock b = stored.getCoefficients();
        int stm = stored.getShortTerm() == null ? 0 : stored.getShortTerm().getCount();
        long at = stored.getUpdatedAt() == null ? 0 : stored.getUpdatedAt().toEpochMilli();
        boolean apart = CoefficientRecords.keptApart(stored);
        long fingerprint = apart
                ? stored.getCoefficientLog().getFingerprint()
                : b == null
                        ? 0
                        : CoefficientLog.fingerprint(
                                new CoefficientLog.Values(b.getCount() * b.getDim(), i -> valueAt(b, i)));
        boolean hasB = apart || b != null;
        return new StoredVersion(
                hasB ? stored.getBasisSize() : 0,
                hasB ? stored.getDim() : 0,
                stored.getContractions(),
                stored.getTokensAbsorbed() - stm,
                at,
                fingerprint);
    }

    /** Avro binary body (no framing) of the state. */
    public static byte[] toBytes(MemoryState s, MemoryConfig cfg) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<>(io.ltm.schemas.MemoryState.class).write(toAvro(s, cfg), enc);
            enc.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static MemoryState fromBytes(byte[] bytes, MemoryConfig cfg) {
        try {
            BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, null);
            return fromAvro(new SpecificDatumReader<>(io.ltm.schemas.MemoryState.class).read(null, dec), cfg);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Packs count×dim floats as a little-endian VectorBlock (values that are nearly all normal, as token vectors). */
    public static VectorBlock block(float[] v, int count, int dim, CoefficientPrecision p) {
        return block(v, count, dim, p, false);
    }

    /**
     * {@link #block} for B's base and deltas, whose values mix normal ones with ones below binary16's smallest normal
     * ({@link Half#fromFloatBranchless}); the same bytes.
     */
    public static VectorBlock coefficientBlock(float[] v, int count, int dim, CoefficientPrecision p) {
        return block(v, count, dim, p, true);
    }

    private static VectorBlock block(float[] v, int count, int dim, CoefficientPrecision p, boolean mixed) {
        int n = count * dim;
        ByteBuffer bb;
        if (p == CoefficientPrecision.FLOAT32) {
            bb = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
            bb.asFloatBuffer().put(v, 0, n);
        } else {
            // converted into a short[] first, then one bulk copy: per-element ByteBuffer writes cost more than the
            // conversion
            short[] h = new short[n];
            if (mixed) for (int i = 0; i < n; i++) h[i] = Half.fromFloatBranchless(v[i]);
            else for (int i = 0; i < n; i++) h[i] = Half.fromFloat(v[i]);
            bb = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
            bb.asShortBuffer().put(h);
        }
        return new VectorBlock(
                dim, count, p == CoefficientPrecision.FLOAT32 ? VectorEncoding.FLOAT32 : VectorEncoding.FLOAT16, bb);
    }

    /** Unpacks a VectorBlock (either encoding) into count×dim floats. */
    public static float[] unblock(VectorBlock b, int count, int dim) {
        float[] v = new float[count * dim];
        unblockInto(b, count, dim, v, 0);
        return v;
    }

    /** Unpacks a VectorBlock into {@code out} from {@code offset}: no array of its own. */
    public static void unblockInto(VectorBlock b, int count, int dim, float[] out, int offset) {
        check(
                b.getCount() == count && b.getDim() == dim,
                () -> "vector block is " + b.getCount() + "x" + b.getDim() + ", expected " + count + "x" + dim);
        ByteBuffer bb = b.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = count * dim;
        if (b.getEncoding() == VectorEncoding.FLOAT16) {
            check(bb.remaining() == n * 2, () -> "FLOAT16 block has " + bb.remaining() + " bytes, expected " + n * 2);
            // bulk copies of a small chunk, then table look-ups (see Half): per-element buffer reads cost more
            ShortBuffer sb = bb.asShortBuffer();
            short[] h = new short[Math.min(n, HALF_CHUNK)];
            for (int at = 0; at < n; at += h.length) {
                int len = Math.min(h.length, n - at);
                sb.get(h, 0, len);
                for (int i = 0; i < len; i++) out[offset + at + i] = Half.toFloat(h[i]);
            }
        } else {
            check(bb.remaining() == n * 4, () -> "FLOAT32 block has " + bb.remaining() + " bytes, expected " + n * 4);
            bb.asFloatBuffer().get(out, offset, n);
        }
    }

    /** Value i (row-major) of a VectorBlock, either encoding, without unpacking the rest. */
    public static float valueAt(VectorBlock b, int i) {
        ByteBuffer bb = b.getData(); // absolute byte reads: the shared buffer's state is not touched
        if (b.getEncoding() == VectorEncoding.FLOAT16) {
            int at = bb.position() + i * 2;
            return Half.toFloat((short) ((bb.get(at) & 0xff) | (bb.get(at + 1) & 0xff) << 8));
        }
        int at = bb.position() + i * 4;
        return Float.intBitsToFloat((bb.get(at) & 0xff)
                | (bb.get(at + 1) & 0xff) << 8
                | (bb.get(at + 2) & 0xff) << 16
                | (bb.get(at + 3) & 0xff) << 24);
    }

    /** The message is built only when the check fails: these checks run for every event and every contraction. */
    private static void check(boolean ok, Supplier<String> msg) {
        if (!ok) throw new IllegalArgumentException(msg.get());
    }
}
