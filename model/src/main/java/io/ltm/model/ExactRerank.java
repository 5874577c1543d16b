package io.ltm.model;

/**
 * The second stage of a two-stage read: events re-read from the log are ranked exactly against the query, by the
 * cosine between the query's pooled vector and each event's pooled vector (the mean of its token vectors, as the
 * memory's reads pool a query). The score is a plain cosine in [-1, 1], comparable across keys and queries, unlike
 * the memory's own span score, which compares the query with a smoothed mixture of many events.
 */
public final class ExactRerank {

    private ExactRerank() {}

    /** The mean of {@code count} row-major vectors of dimension {@code d}: how every read pools its query. */
    public static float[] pool(float[] vectors, int count, int d) {
        if (vectors.length < (long) count * d) {
            throw new IllegalArgumentException(
                    "expected " + count + " vectors of dimension " + d + ", got " + vectors.length + " floats");
        }
        float[] m = new float[d];
        if (count == 0) {
            return m;
        }
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < d; j++) {
                m[j] += vectors[i * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            m[j] /= count;
        }
        return m;
    }

    /** Cosine between a pooled query and an event's {@code count} token vectors (pooled); 0 when either is zero. */
    public static double score(float[] pooledQuery, float[] eventVectors, int count) {
        int d = pooledQuery.length;
        float[] e = pool(eventVectors, count, d);
        double dot = 0, qq = 0, ee = 0;
        for (int j = 0; j < d; j++) {
            dot += (double) pooledQuery[j] * e[j];
            qq += (double) pooledQuery[j] * pooledQuery[j];
            ee += (double) e[j] * e[j];
        }
        return qq == 0 || ee == 0 ? 0 : dot / Math.sqrt(qq * ee);
    }
}
