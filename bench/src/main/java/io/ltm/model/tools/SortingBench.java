package io.ltm.model.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ltm.bench.Machine;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.RetentionPolicy;
import io.ltm.model.TokenBatch;
import io.ltm.model.internal.Basis;
import io.ltm.model.internal.Half;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The ∞-former paper's synthetic sorting task, read zero-shot (not a test): symbols of a vocabulary of V = 20 drawn
 * from a distribution that drifts over the sequence; the answer is the symbols by decreasing frequency.
 *
 * <pre>
 * ./ltm bench sorting [--lengths 4096,8192,16384,1048576] [--retention uniform,recency] [--dim 384] [--vocab 20]
 *     [--seeds 3] [--out DIR]
 * </pre>
 *
 * <p><b>Sequence</b>: p(i) = (1 − i/(T−1))·p₀ + i/(T−1)·p₁ with p₀, p₁ ~ Dirichlet(1,…,1) drawn per seed; token i is a
 * symbol drawn from p(i). Symbols are fixed random unit vectors (Gaussian, normalised, seeded), nearly orthogonal at
 * d = 384 (cosine ~ N(0, 1/d)).
 *
 * <p><b>Memory estimator</b> (documented choice): the remembered mean vector over the stream's tokens,
 * x̄ = (1/J) Σ_j X̄(t_j) with X̄(t) = Bᵀψ(t) and t_j the memory position of token (j + ½)·n/J (through the timeline's
 * {@code positionOf}, so a retention policy that squeezes old tokens into a short stretch of [0,1] is still averaged
 * per token, not per unit of t), J = 4096, decoded into frequencies by least squares on the symbol vectors:
 * f̂ = argmin ‖x̄ − Eᵀf‖ = (E Eᵀ)⁻¹ E x̄ (E: the V×d symbol matrix). As X̄(t) ≈ the local mean of the token vectors,
 * x̄ ≈ Eᵀ p̄ with p̄ the stream's symbol frequencies; the plain projections E x̄ would carry a fixed cross-talk
 * bias of order √(Σp²/d) ≈ 0.016 per symbol at d = 384, as large as the gaps between close frequencies, which the
 * Gram solve removes. Tokens still in the short-term buffer (none when the length is a multiple of L) are counted
 * exactly. x̄ is linear in B, so it is one product: x̄ = Bᵀ ψ̄ with ψ̄ the mean of ψ(t_j).
 *
 * <p><b>Baselines</b> at the bytes of B (N·d·2): the most recent tokens (float16 vectors, 2·d bytes each) and a
 * reservoir sample of tokens (float16 vector and 8-byte offset each); each stored vector is decoded to its nearest
 * symbol and counted. Pooled means ({@link PooledMeans}: window means in float16, every two adjacent windows merged
 * when the budget is full), each window decoded by the same least squares and weighted by its tokens in the range.
 * A running mean (one float32 sum vector and a count, 4·d + 8 bytes, decoded by the same least
 * squares as the memory) shows how much of the task a linear summary solves: the frequencies are a linear function of
 * the stream's mean vector, so any memory that keeps the mean (the memory's B does, approximately) ranks them.
 * The exact counts are the ceiling (V counters).
 *
 * <p><b>Second question, oldest quarter</b>: the same ranking for the first quarter of the stream only (its
 * distribution is near p₀, the stream's end near p₁): the memory averages X̄ over the tokens [0, n/4) through the
 * timeline; recent tokens and the reservoir count their stored tokens whose offset is in that range; the running mean
 * has no notion of time and answers with its whole-stream estimate.
 *
 * <p><b>Metrics</b> per (length, method, retention), mean and standard deviation over the seeds: Kendall τ-b between
 * the estimate and the true counts (also {@code kendallTauOldestQuarter}); edit accuracy = 1 − Levenshtein(predicted order, true order)/V (the true order
 * breaks ties by symbol id); microseconds to produce the estimate from the state; state bytes.
 */
public final class SortingBench {
    static final int J = 4096;
    static final int CHUNK = 4096;

    private SortingBench() {}

    record Options(int[] lengths, List<RetentionPolicy> retentions, int dim, int vocab, int seeds, long seed) {
        static Options defaults() {
            return new Options(
                    new int[] {4096, 8192, 16384, 1 << 20},
                    List.of(RetentionPolicy.UNIFORM, RetentionPolicy.RECENCY),
                    384,
                    20,
                    3,
                    1);
        }
    }

    public static void main(String... args) throws Exception {
        Options o = Options.defaults();
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--lengths" ->
                    o = new Options(
                            Arrays.stream(args[++i].split(","))
                                    .mapToInt(s -> RecallBench.parseCount(s.trim()))
                                    .toArray(),
                            o.retentions(),
                            o.dim(),
                            o.vocab(),
                            o.seeds(),
                            o.seed());
                case "--retention" ->
                    o = new Options(
                            o.lengths(),
                            Arrays.stream(args[++i].split(","))
                                    .map(s -> RetentionPolicy.valueOf(s.trim().toUpperCase(Locale.ROOT)))
                                    .toList(),
                            o.dim(),
                            o.vocab(),
                            o.seeds(),
                            o.seed());
                case "--dim" ->
                    o = new Options(
                            o.lengths(), o.retentions(), Integer.parseInt(args[++i]), o.vocab(), o.seeds(), o.seed());
                case "--vocab" ->
                    o = new Options(
                            o.lengths(), o.retentions(), o.dim(), Integer.parseInt(args[++i]), o.seeds(), o.seed());
                case "--seeds" ->
                    o = new Options(
                            o.lengths(), o.retentions(), o.dim(), o.vocab(), Integer.parseInt(args[++i]), o.seed());
                case "--seed" ->
                    o = new Options(
                            o.lengths(), o.retentions(), o.dim(), o.vocab(), o.seeds(), Long.parseLong(args[++i]));
                case "--out" -> out = Path.of(args[++i]);
                default ->
                    throw new IllegalArgumentException(
                            "unknown argument " + a + " (use --lengths 4096,8192,16384,1048576"
                                    + " --retention uniform,recency --dim 384 --vocab 20 --seeds 3 --seed S --out DIR)");
            }
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = run(o, json);
        String text = json.writeValueAsString(root);
        if (out != null) write(root, text, out);
        System.out.println(text);
    }

    static ObjectNode run(Options o, ObjectMapper json) {
        // symbols arrive as vectors without texts: a term filter would stay empty, so none is kept or counted
        MemoryConfig base =
                MemoryConfig.defaults().toBuilder().dim(o.dim()).termSegments(0).build();
        int d = o.dim(), v = o.vocab();
        long budget = MemoryLocator.stateBytes(base);
        ObjectNode root = json.createObjectNode();
        root.put("benchmark", "sorting");
        Machine.describe(root);
        root.put("config", base.toString());
        root.put("vocab", v);
        root.put("seeds", o.seeds());
        root.put("budgetBytes", budget);
        root.put(
                "estimator",
                "xbar = mean of Xbar(t_j) over J=" + J + " evenly spaced tokens (t_j through the timeline),"
                        + " decoded by least squares on the symbol vectors: f = (E E^T)^-1 E xbar");
        float[] symbols = symbols(v, d, o.seed());
        ArrayNode results = root.putArray("results");
        List<String> methods = new ArrayList<>();
        for (RetentionPolicy p : o.retentions())
            methods.add("memory-" + p.name().toLowerCase(Locale.ROOT));
        methods.addAll(List.of("recent-tokens", "reservoir", "pooled-means", "running-mean", "exact-counts"));
        for (int length : o.lengths()) {
            double[][] tau = new double[methods.size()][o.seeds()];
            double[][] edit = new double[methods.size()][o.seeds()];
            double[][] tauQ = new double[methods.size()][o.seeds()];
            double[][] editQ = new double[methods.size()][o.seeds()];
            double[] micros = new double[methods.size()], ingest = new double[methods.size()];
            long[] bytes = new long[methods.size()];
            for (int s = 0; s < o.seeds(); s++) {
                SplittableRandom rnd = new SplittableRandom(o.seed() * 1_000_003L + 7919L * s + length);
                double[] p0 = dirichlet(v, rnd), p1 = dirichlet(v, rnd);
                int[] seq = sequence(length, p0, p1, rnd);
                long[] counts = new long[v];
                for (int x : seq) counts[x]++;
                int quarter = length / 4;
                long[] countsQ = new long[v];
                for (int i = 0; i < quarter; i++) countsQ[seq[i]]++;
                double[][] est = new double[methods.size()][], estQ = new double[methods.size()][];
                int mi = 0;
                for (RetentionPolicy p : o.retentions()) {
                    MemoryConfig cfg = base.toBuilder().retention(p).build();
                    try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
                        MemoryState st = MemoryState.empty(cfg);
                        long t0 = System.nanoTime();
                        for (int i = 0; i < length; i += CHUNK) {
                            int n = Math.min(CHUNK, length - i);
                            float[] x = new float[n * d];
                            for (int j = 0; j < n; j++) System.arraycopy(symbols, seq[i + j] * d, x, j * d, d);
                            st = ltm.absorb(st, new TokenBatch(x, n, null, null));
                        }
                        ingest[mi] += (System.nanoTime() - t0) / 1e9;
                        long t1 = System.nanoTime();
                        est[mi] = memoryEstimate(cfg, st, symbols, v, 0, st.longTermTokens());
                        micros[mi] += (System.nanoTime() - t1) / 1e3;
                        estQ[mi] = memoryEstimate(cfg, st, symbols, v, 0, Math.min(quarter, st.longTermTokens()));
                        bytes[mi] = budget;
                    }
                    mi++;
                }
                // recent tokens
                int recentCap = (int) (budget / (2L * d));
                long t0 = System.nanoTime();
                short[] recent = new short[recentCap * d];
                for (int i = 0; i < length; i++) Vectors.toHalf(symbols, seq[i] * d, recent, (i % recentCap) * d, d);
                ingest[mi] += (System.nanoTime() - t0) / 1e9;
                long t1 = System.nanoTime();
                est[mi] = decodeCounts(recent, Math.min(length, recentCap), symbols, v, d);
                micros[mi] += (System.nanoTime() - t1) / 1e3;
                estQ[mi] = new double[v];
                for (int i = Math.max(0, length - recentCap); i < quarter; i++) {
                    short[] one = Arrays.copyOfRange(recent, (i % recentCap) * d, (i % recentCap + 1) * d);
                    double[] c = decodeCounts(one, 1, symbols, v, d);
                    for (int k = 0; k < v; k++) estQ[mi][k] += c[k];
                }
                bytes[mi++] = 2L * d * Math.min(length, recentCap);
                // reservoir of tokens
                int resCap = (int) (budget / (2L * d + 8));
                SplittableRandom rr = new SplittableRandom(o.seed() + 17L * s);
                short[] res = new short[resCap * d];
                long[] resOff = new long[resCap];
                int size = 0;
                t0 = System.nanoTime();
                for (int i = 0; i < length; i++) {
                    int slot;
                    if (size < resCap) slot = size++;
                    else {
                        long r = rr.nextLong(i + 1L);
                        if (r >= resCap) continue;
                        slot = (int) r;
                    }
                    Vectors.toHalf(symbols, seq[i] * d, res, slot * d, d);
                    resOff[slot] = i;
                }
                ingest[mi] += (System.nanoTime() - t0) / 1e9;
                t1 = System.nanoTime();
                est[mi] = decodeCounts(res, size, symbols, v, d);
                micros[mi] += (System.nanoTime() - t1) / 1e3;
                estQ[mi] = new double[v];
                for (int i = 0; i < size; i++) {
                    if (resOff[i] >= quarter) continue;
                    double[] c = decodeCounts(Arrays.copyOfRange(res, i * d, (i + 1) * d), 1, symbols, v, d);
                    for (int k = 0; k < v; k++) estQ[mi][k] += c[k];
                }
                bytes[mi++] = (long) size * (2L * d + 8);
                // pooled means: window means, halved when full (as in the recall bench)
                PooledMeans pm = new PooledMeans(d, budget);
                t0 = System.nanoTime();
                for (int i = 0; i < length; i++) {
                    float[] x = Arrays.copyOfRange(symbols, seq[i] * d, (seq[i] + 1) * d);
                    pm.add(x, 1, x, i, i + 1);
                }
                ingest[mi] += (System.nanoTime() - t0) / 1e9;
                t1 = System.nanoTime();
                est[mi] = pooledEstimate(pm, symbols, v, d, 0, length);
                micros[mi] += (System.nanoTime() - t1) / 1e3;
                estQ[mi] = pooledEstimate(pm, symbols, v, d, 0, quarter);
                bytes[mi++] = pm.stateBytes();
                // running mean: one float32 sum vector and a count, decoded like the memory's x̄
                t0 = System.nanoTime();
                double[] sum = new double[d];
                float[] acc = new float[d];
                for (int i = 0; i < length; i++) for (int k = 0; k < d; k++) acc[k] += symbols[seq[i] * d + k];
                ingest[mi] += (System.nanoTime() - t0) / 1e9;
                t1 = System.nanoTime();
                for (int k = 0; k < d; k++) sum[k] = acc[k] / (double) length;
                est[mi] = decodeMean(sum, symbols, v, d);
                micros[mi] += (System.nanoTime() - t1) / 1e3;
                estQ[mi] = est[mi]; // no notion of time: the whole stream's estimate
                bytes[mi++] = 4L * d + 8;
                // exact counts
                est[mi] = Arrays.stream(counts).asDoubleStream().toArray();
                estQ[mi] = Arrays.stream(countsQ).asDoubleStream().toArray();
                bytes[mi++] = 8L * v;
                for (int m = 0; m < methods.size(); m++) {
                    tau[m][s] = kendallTauB(est[m], counts);
                    edit[m][s] = editAccuracy(
                            order(est[m]),
                            order(Arrays.stream(counts).asDoubleStream().toArray()));
                    tauQ[m][s] = kendallTauB(estQ[m], countsQ);
                    editQ[m][s] = editAccuracy(
                            order(estQ[m]),
                            order(Arrays.stream(countsQ).asDoubleStream().toArray()));
                }
            }
            for (int m = 0; m < methods.size(); m++) {
                ObjectNode r = results.addObject();
                String name = methods.get(m);
                r.put("length", length);
                r.put("method", name.startsWith("memory-") ? "memory" : name);
                r.put("retention", name.startsWith("memory-") ? name.substring("memory-".length()) : "none");
                r.put("kendallTau", RecallBench.round(mean(tau[m]), 3));
                r.put("kendallTauStd", RecallBench.round(std(tau[m]), 3));
                r.put("editAccuracy", RecallBench.round(mean(edit[m]), 3));
                r.put("editAccuracyStd", RecallBench.round(std(edit[m]), 3));
                r.put("kendallTauOldestQuarter", RecallBench.round(mean(tauQ[m]), 3));
                r.put("kendallTauOldestQuarterStd", RecallBench.round(std(tauQ[m]), 3));
                r.put("editAccuracyOldestQuarter", RecallBench.round(mean(editQ[m]), 3));
                r.put("estimateMicros", RecallBench.round(micros[m] / o.seeds(), 1));
                r.put("ingestSeconds", RecallBench.round(ingest[m] / o.seeds(), 3));
                r.put("stateBytes", bytes[m]);
                System.err.println("[sorting] " + r);
            }
        }
        root.put("loadAverageAtEnd", Machine.loadAverage());
        return root;
    }

    /** V fixed random unit vectors of dim d, row-major. */
    static float[] symbols(int v, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        float[] e = new float[v * d];
        for (int s = 0; s < v; s++) {
            double n = 0;
            double[] g = new double[d];
            for (int j = 0; j < d; j++) {
                g[j] = gaussian(r);
                n += g[j] * g[j];
            }
            n = Math.sqrt(n);
            for (int j = 0; j < d; j++) e[s * d + j] = (float) (g[j] / n);
        }
        return e;
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble(), w = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
    }

    /** Dirichlet(1,…,1): normalised exponentials. */
    static double[] dirichlet(int v, SplittableRandom r) {
        double[] p = new double[v];
        double s = 0;
        for (int i = 0; i < v; i++) {
            p[i] = -Math.log(1 - r.nextDouble());
            s += p[i];
        }
        for (int i = 0; i < v; i++) p[i] /= s;
        return p;
    }

    static int[] sequence(int length, double[] p0, double[] p1, SplittableRandom r) {
        int v = p0.length;
        int[] seq = new int[length];
        for (int i = 0; i < length; i++) {
            double a = length == 1 ? 0 : (double) i / (length - 1);
            double u = r.nextDouble(), c = 0;
            int s = v - 1;
            for (int k = 0; k < v; k++) {
                c += (1 - a) * p0[k] + a * p1[k];
                if (u < c) {
                    s = k;
                    break;
                }
            }
            seq[i] = s;
        }
        return seq;
    }

    /**
     * See the class comment: the estimated counts of the long-term tokens [from, to) (to ≤ longTermTokens), plus the
     * exact counts of the short-term buffer when the range ends at the long-term part's end.
     */
    static double[] memoryEstimate(MemoryConfig cfg, MemoryState st, float[] symbols, int v, long from, long to) {
        int d = cfg.dim(), nb = cfg.basisSize();
        double[] f = new double[v];
        long lt = st.longTermTokens();
        if (st.hasLongTerm() && to > from) {
            Basis basis = Basis.of(nb, cfg.widths());
            double[] t = new double[J];
            for (int j = 0; j < J; j++) t[j] = st.timeline().positionOf(from + (j + 0.5) * (to - from) / J);
            double[] psi = basis.psi(t);
            double[] psiBar = new double[nb];
            for (int j = 0; j < J; j++) for (int n = 0; n < nb; n++) psiBar[n] += psi[j * nb + n] / J;
            float[] b = st.coefficients();
            double[] x = new double[d];
            for (int n = 0; n < nb; n++) {
                double w = psiBar[n];
                if (w == 0) continue;
                for (int k = 0; k < d; k++) x[k] += w * b[n * d + k];
            }
            double[] w = decodeMean(x, symbols, v, d);
            for (int s = 0; s < v; s++) f[s] = w[s] * (to - from);
        }
        if (st.shortTermCount() > 0 && to == lt) {
            double[] c = decodeCounts(st.shortTermVectors(), st.shortTermCount(), symbols, v, d);
            for (int s = 0; s < v; s++) f[s] += c[s];
        }
        return f;
    }

    /** Counts of tokens [from, to) from pooled window means: each window's least-squares frequencies times its overlap. */
    static double[] pooledEstimate(PooledMeans pm, float[] symbols, int v, int d, long from, long to) {
        double[] f = new double[v];
        double[][] g = gram(symbols, v, d);
        for (int i = 0; i < pm.size(); i++) {
            long overlap = Math.min(to, pm.windowEnd(i)) - Math.max(from, pm.windowStart(i));
            if (overlap <= 0) continue;
            float[] m = pm.windowMean(i);
            double[] x = new double[d];
            for (int k = 0; k < d; k++) x[k] = m[k];
            double[] w = decodeMean(x, symbols, v, d, g);
            for (int s = 0; s < v; s++) f[s] += w[s] * overlap;
        }
        return f;
    }

    /** Least-squares frequencies of a mean vector x: (E Eᵀ)⁻¹ E x. */
    static double[] decodeMean(double[] x, float[] symbols, int v, int d) {
        return decodeMean(x, symbols, v, d, gram(symbols, v, d));
    }

    static double[] decodeMean(double[] x, float[] symbols, int v, int d, double[][] gram) {
        double[] dots = new double[v];
        for (int s = 0; s < v; s++) for (int k = 0; k < d; k++) dots[s] += x[k] * symbols[s * d + k];
        return solve(gram, dots);
    }

    /** G = E Eᵀ, the V×V Gram matrix of the symbol vectors. */
    static double[][] gram(float[] symbols, int v, int d) {
        double[][] g = new double[v][v];
        for (int a = 0; a < v; a++)
            for (int b = 0; b < v; b++)
                for (int k = 0; k < d; k++) g[a][b] += symbols[a * d + k] * (double) symbols[b * d + k];
        return g;
    }

    /** Solves g·x = y by Gaussian elimination with partial pivoting (g is small and well conditioned). */
    static double[] solve(double[][] g, double[] y) {
        int n = y.length;
        double[][] a = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            System.arraycopy(g[i], 0, a[i], 0, n);
            a[i][n] = y[i];
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
            double[] t = a[c];
            a[c] = a[p];
            a[p] = t;
            for (int r = c + 1; r < n; r++) {
                double f = a[r][c] / a[c][c];
                for (int k = c; k <= n; k++) a[r][k] -= f * a[c][k];
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = a[r][n];
            for (int k = r + 1; k < n; k++) s -= a[r][k] * x[k];
            x[r] = s / a[r][r];
        }
        return x;
    }

    /** Each stored vector decoded to its nearest symbol (largest inner product) and counted. */
    static double[] decodeCounts(short[] rows, int count, float[] symbols, int v, int d) {
        float[] f = new float[count * d];
        for (int i = 0; i < f.length; i++) f[i] = Half.toFloat(rows[i]);
        return decodeCounts(f, count, symbols, v, d);
    }

    static double[] decodeCounts(float[] rows, int count, float[] symbols, int v, int d) {
        double[] c = new double[v];
        for (int i = 0; i < count; i++) {
            int best = 0;
            double bd = Double.NEGATIVE_INFINITY;
            for (int s = 0; s < v; s++) {
                double dot = 0;
                for (int k = 0; k < d; k++) dot += rows[i * d + k] * symbols[s * d + k];
                if (dot > bd) {
                    bd = dot;
                    best = s;
                }
            }
            c[best]++;
        }
        return c;
    }

    /** Symbol ids by decreasing value; ties by id. */
    static int[] order(double[] x) {
        Integer[] o = new Integer[x.length];
        for (int i = 0; i < o.length; i++) o[i] = i;
        Arrays.sort(o, (a, b) -> x[a] != x[b] ? Double.compare(x[b], x[a]) : Integer.compare(a, b));
        return Arrays.stream(o).mapToInt(Integer::intValue).toArray();
    }

    /** Kendall τ-b of an estimate against the true counts (ties in either count as neither concordant nor discordant). */
    static double kendallTauB(double[] est, long[] truth) {
        int n = est.length;
        long conc = 0, disc = 0, tiesX = 0, tiesY = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double dx = Math.signum(est[i] - est[j]), dy = Math.signum(truth[i] - truth[j]);
                if (dx == 0 && dy == 0) continue;
                if (dx == 0) tiesX++;
                else if (dy == 0) tiesY++;
                else if (dx == dy) conc++;
                else disc++;
            }
        }
        double den = Math.sqrt((double) (conc + disc + tiesX) * (conc + disc + tiesY));
        return den == 0 ? 0 : (conc - disc) / den;
    }

    /** 1 − Levenshtein distance between the two orders / their length. */
    static double editAccuracy(int[] a, int[] b) {
        int[] prev = new int[b.length + 1], cur = new int[b.length + 1];
        for (int j = 0; j <= b.length; j++) prev[j] = j;
        for (int i = 1; i <= a.length; i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length; j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return 1 - (double) prev[b.length] / Math.max(a.length, b.length);
    }

    private static double mean(double[] x) {
        return Arrays.stream(x).average().orElse(Double.NaN);
    }

    private static double std(double[] x) {
        double m = mean(x), s = 0;
        for (double v : x) s += (v - m) * (v - m);
        return x.length < 2 ? 0 : Math.sqrt(s / (x.length - 1));
    }

    /** DIR/sorting.json, DIR/sorting.md, DIR/sorting-kendall.png, DIR/sorting-kendall-oldest-quarter.png. */
    static void write(ObjectNode root, String text, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("sorting.json"), text + "\n");
        StringBuilder md = new StringBuilder("# Sorting benchmark\n\n");
        md.append("`./ltm bench sorting` — ")
                .append(root.get("date").asText())
                .append(", ")
                .append(root.get("cpu").asText())
                .append(" (")
                .append(root.get("cores").asInt())
                .append(" cores), load average at start ")
                .append(root.get("loadAverageAtStart").asText())
                .append(", at end ")
                .append(root.get("loadAverageAtEnd").asText())
                .append("; vocabulary ")
                .append(root.get("vocab").asInt())
                .append(", ")
                .append(root.get("seeds").asInt())
                .append(" seeds; budget ")
                .append(root.get("budgetBytes").asLong())
                .append(" bytes (the memory's B at float16).\n\n");
        md.append(
                "| length (tokens) | method | retention | Kendall τ | edit accuracy | oldest quarter: Kendall τ | oldest quarter: edit accuracy | µs per estimate | state bytes |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        for (JsonNode r : root.get("results")) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %,d | %s | %s | %.3f ± %.3f | %.3f ± %.3f | %.3f ± %.3f | %.3f | %,.0f | %,d |%n",
                    r.get("length").asLong(),
                    r.get("method").asText(),
                    r.get("retention").asText(),
                    r.get("kendallTau").asDouble(),
                    r.get("kendallTauStd").asDouble(),
                    r.get("editAccuracy").asDouble(),
                    r.get("editAccuracyStd").asDouble(),
                    r.get("kendallTauOldestQuarter").asDouble(),
                    r.get("kendallTauOldestQuarterStd").asDouble(),
                    r.get("editAccuracyOldestQuarter").asDouble(),
                    r.get("estimateMicros").asDouble(),
                    r.get("stateBytes").asLong()));
        }
        Files.writeString(dir.resolve("sorting.md"), md.toString());
        plot(
                root,
                dir.resolve("sorting-kendall.png"),
                "kendallTau",
                "Sorting by frequency: Kendall tau vs exact counts");
        plot(
                root,
                dir.resolve("sorting-kendall-oldest-quarter.png"),
                "kendallTauOldestQuarter",
                "Sorting the oldest quarter by frequency: Kendall tau");
    }

    private static void plot(ObjectNode root, Path file, String field, String title) throws IOException {
        BenchPlot.byLength(root, file, field, title, "sequence length (tokens, log scale)", "Kendall tau", -0.2, 1);
    }
}
