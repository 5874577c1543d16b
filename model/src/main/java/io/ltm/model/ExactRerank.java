package io.ltm.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The second stage of a two-stage read: events re-read from the log are ranked exactly against the query. Without the
 * query's token texts the score is the cosine between the query's pooled vector and each event's pooled vector (the
 * mean of its token vectors, as the memory's reads pool a query), in [-1, 1]. With them it is (term share + cosine) / 2,
 * where the term share is the inverse-document-frequency-weighted share of the query's distinct terms
 * ({@link TermFilter#terms}) that the event holds, the frequencies counted among the events re-read for the query: a
 * pooled vector is dominated by a question's common words, so on its own it misses the one line that names a rare
 * identifier (measured in docs/bench-recall).
 */
public final class ExactRerank {

    private ExactRerank() {}

    /** One re-read event: {@code count} row-major token vectors and their texts (null when unknown). */
    public record Candidate(float[] vectors, int count, List<String> tokens) {}

    /** The scores of the candidates for the query (see the class comment); {@code queryTokens} may be null. */
    public static double[] scores(float[] pooledQuery, List<String> queryTokens, List<Candidate> events) {
        double[] out = new double[events.size()];
        List<String> terms = queryTokens == null ? List.of() : TermFilter.terms(queryTokens);
        List<Set<String>> held = new ArrayList<>(events.size());
        for (Candidate e : events) {
            held.add(e.tokens() == null ? Set.of() : new HashSet<>(TermFilter.terms(e.tokens())));
        }
        double[] w = new double[terms.size()];
        double total = 0;
        for (int t = 0; t < terms.size(); t++) {
            int df = 0;
            for (Set<String> h : held) if (h.contains(terms.get(t))) df++;
            w[t] = Math.log(1 + (double) events.size() / Math.max(df, 1));
            total += w[t];
        }
        for (int i = 0; i < out.length; i++) {
            Candidate e = events.get(i);
            double cos = score(pooledQuery, e.vectors(), e.count());
            if (terms.isEmpty()) {
                out[i] = cos;
                continue;
            }
            double share = 0;
            for (int t = 0; t < terms.size(); t++) if (held.get(i).contains(terms.get(t))) share += w[t];
            out[i] = (share / total + cos) / 2;
        }
        return out;
    }

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
