package io.ltm.topology.internal;

import io.ltm.model.TokenSource;
import io.ltm.model.internal.BytesBoundedMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The short-term buffers of recently active keys, decoded: what every query and every contraction would otherwise
 * range-scan from the short-term store and decode (up to L − 1 vectors per key). An entry is used only while the key's
 * stored index is the one it was kept with (next sequence number, tokens buffered, origin, contraction count and the
 * digest of the records' bytes: a rolled-back transaction, a restore of another history or a forget leaves another
 * index), and an append extends it only when it follows that index; a buffer whose index has no origin or digest (written
 * by an earlier release) is not kept. Bounded by the buffers' bytes ({@link BytesBoundedMap}: the keys used most often
 * lately stay); 0 keeps nothing. Shared by the stream threads of a process (thread-safe).
 */
public final class DecodedShortTerm {

    /** Bytes counted per token of a buffer's capacity besides its vector: its text and the reference to it. */
    private static final long TOKEN_BYTES = 48;

    /** One record of a buffer: its store key, token count, source and the bytes its vectors take in the store. */
    record Part(String storeKey, int count, TokenSource source, long storedBytes) {}

    /**
     * A key's buffer at one index: vectors [count, d] and token texts (null entries when none) at the start of their
     * arrays, which may be longer. An append writes past {@code count} in place and never changes what is before it, so
     * a state that keeps these arrays ({@code MemoryState.withShortTermKept}) reads the buffer as it was.
     */
    record Buffer(ShortTermIndex index, float[] vectors, String[] tokens, int count, List<Part> parts) {
        long bytes() {
            return (long) vectors.length * Float.BYTES + tokens.length * TOKEN_BYTES;
        }

        /** The token texts, or null when no record has any. */
        List<String> tokenList() {
            for (int i = 0; i < count; i++)
                if (tokens[i] != null) return Arrays.asList(tokens).subList(0, count);
            return null;
        }

        /** The source of each token. */
        List<TokenSource> sources() {
            List<TokenSource> out = new ArrayList<>(count);
            for (Part p : parts) out.addAll(Collections.nCopies(p.count(), p.source()));
            return out;
        }
    }

    private final BytesBoundedMap<Buffer> entries;

    public DecodedShortTerm(long maxBytes) {
        this.entries = new BytesBoundedMap<>(maxBytes, Buffer::bytes);
    }

    /** The key's buffer when {@code index} is the one it was kept with, else null. */
    synchronized Buffer find(String key, ShortTermIndex index) {
        Buffer b = entries.get(key);
        return b != null && b.index().equals(index) ? b : null;
    }

    /** Keeps {@code buffer} as the key's (replacing any other). */
    synchronized void put(String key, Buffer buffer) {
        if (buffer.index().origin() == ShortTermIndex.UNKNOWN || buffer.index().digest() == ShortTermIndex.UNKNOWN) {
            entries.remove(key);
            return;
        }
        entries.put(key, buffer);
    }

    /**
     * After the record {@code part} (its {@code vectors}, [count, d], and token texts, nullable) was appended to the
     * key's buffer at {@code before}, which is now {@code after}: the entry grows when it is the buffer at
     * {@code before} (or the buffer was empty), and is dropped otherwise. {@code maxFloats}: the most floats a buffer
     * holds (L·d), beyond which its arrays need not grow.
     */
    synchronized void appended(
            String key,
            ShortTermIndex before,
            ShortTermIndex after,
            Part part,
            float[] vectors,
            List<String> tokens,
            int maxFloats) {
        Buffer b = before.tokens() == 0 ? null : entries.get(key);
        if (before.tokens() != 0 && (b == null || !b.index().equals(before))) {
            entries.remove(key);
            return;
        }
        int count = b == null ? 0 : b.count();
        int n = part.count(), dim = vectors.length / n;
        float[] v = b == null ? new float[0] : b.vectors();
        String[] t = b == null ? new String[0] : b.tokens();
        int need = (count + n) * dim;
        if (need > v.length) {
            // doubling, so that appends copy each float a bounded number of times; a full buffer holds L·d
            int cap = Math.max(need, Math.min(2 * v.length, maxFloats));
            v = Arrays.copyOf(v, cap);
            t = Arrays.copyOf(t, cap / dim);
        }
        System.arraycopy(vectors, 0, v, count * dim, n * dim);
        for (int i = 0; i < n; i++) t[count + i] = tokens == null ? null : tokens.get(i);
        List<Part> parts = new ArrayList<>(b == null ? 1 : b.parts().size() + 1);
        if (b != null) parts.addAll(b.parts());
        parts.add(part);
        put(key, new Buffer(after, v, t, count + n, List.copyOf(parts)));
    }

    synchronized void invalidate(String key) {
        entries.remove(key);
    }

    /** Bytes of the buffers held. */
    public synchronized long bytes() {
        return entries.bytes();
    }

    /** Keys held. */
    public synchronized int size() {
        return entries.size();
    }
}
