package io.ltm.model.tools;

import io.ltm.model.encoder.EncodedText;
import java.util.List;

/**
 * One method that remembers a stream of events and answers "where in the stream is this?" with token ranges: the
 * memory itself ({@link MemoryLocator}) and the baselines of the recall benchmark ({@link RecentTokens},
 * {@link SketchIndex}, {@link ReservoirSample}, {@link ExactIndex}). Not thread-safe.
 */
interface Locator extends AutoCloseable {

    /** A token range [start, end) (end exclusive) with the method's similarity score (higher = more similar). */
    record Located(long start, long end, double score) {
        long width() {
            return Math.max(1, end - start);
        }

        boolean overlaps(long from, long to) {
            return start < to && Math.max(end, start + 1) > from;
        }
    }

    /** Short stable name, used in the JSON and the tables. */
    String name();

    /**
     * One event: count token vectors (row-major, count·d floats), their mean, and the event's tokens [start, end).
     * Events arrive in stream order.
     */
    void add(float[] tokens, int count, float[] mean, long start, long end);

    /** One event with its token texts; methods that use the texts override this. */
    default void add(EncodedText e, float[] mean, long start) {
        add(e.vectors(), e.count(), mean, start, start + e.count());
    }

    /** The k best ranges for a query given as a vector and as its token texts; most methods use the vector only. */
    default List<Located> top(float[] query, List<String> queryTokens, int k) {
        return top(query, k);
    }

    /** Called once after the last event, before the first query. */
    default void finish() {}

    /** The k best ranges for the (unit or not) query vector, best first; fewer when the method holds fewer. */
    List<Located> top(float[] query, int k);

    /** Bytes of state the method keeps (vectors at their stored precision plus offsets). */
    long stateBytes();

    @Override
    default void close() {}

    /**
     * The k of {@code size} float16 rows (row-major, d each, ranges [starts, ends)) most similar to q by cosine, best
     * first: the answer of the methods that keep event vectors.
     */
    static List<Located> nearest(float[] q, int k, short[] rows, int size, int d, long[] starts, long[] ends) {
        return nearest(q, k, rows, 0, size, d, starts, ends);
    }

    /** As {@link #nearest(float[], int, short[], int, int, long[], long[])}, among rows [first, last) only. */
    static List<Located> nearest(
            float[] q, int k, short[] rows, int first, int last, int d, long[] starts, long[] ends) {
        double qn = Vectors.norm(q);
        Vectors.TopK top = new Vectors.TopK(k);
        for (int i = first; i < last; i++) top.offer(Vectors.cosHalf(q, qn, rows, i * d, d), i);
        List<Located> out = new java.util.ArrayList<>();
        for (int i = 0; i < top.size; i++) out.add(new Located(starts[top.id[i]], ends[top.id[i]], top.score[i]));
        return out;
    }
}
