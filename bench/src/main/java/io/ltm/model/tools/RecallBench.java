package io.ltm.model.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ltm.bench.Machine;
import io.ltm.model.MemoryConfig;
import io.ltm.model.RetentionPolicy;
import io.ltm.model.encoder.EncodedText;
import io.ltm.model.encoder.Encoders;
import io.ltm.model.encoder.TextEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Needle-in-a-haystack recall over long real streams (not a test): does a fixed-size state per key still say WHERE in
 * the stream the answer to a question is, and how does the memory compare with simple methods given the same bytes?
 *
 * <pre>
 * ./ltm bench recall [--lengths 10000,100000] [--retention uniform,recency] [--encoder hashing|minilm]
 *     [--licenses DIR] [--docs DIR] [--seed S] [--per-question] [--reread-tokens 4096] [--first-epoch E] [--out DIR]
 * </pre>
 *
 * <p><b>Stream</b> ({@link TextCorpus}): licence paragraphs, then Debian changelog lines, one event each, encoded by
 * the hashing encoder (default) or MiniLM, until the target number of tokens. 20 needles (distinctive sentences of
 * the resource {@code recall-needles.json}, one event each) are planted at token offsets (i + ½)/20 of the first
 * length − 2L tokens, in a seeded random order, so every needle lies in the long-term part.
 *
 * <p><b>Methods</b>, each with the same state budget per key, the bytes of the memory's state (B, N·d·2 at float16,
 * plus its term filter):
 * the memory (zero-shot read, spans = 3, without the short-term buffer) per retention policy; the memory with the
 * two-stage read ({@link RereadLocator}: each span's window of --reread-tokens tokens re-read from the log and its
 * events ranked exactly; 0 turns it off); {@link RecentTokens};
 * {@link SketchIndex}; {@link ReservoirSample}; {@link PooledMeans} (window means, halved when full: the discrete
 * analogue of uniform retention); {@link ExactIndex} (unbounded: the ceiling, its bytes reported); and the memory's
 * term filter alone ({@link TermFilterLocator}, an ablation).
 * Every method answers with its top-3 token ranges.
 *
 * <p><b>Questions</b>: one paraphrased question per needle, plus 10 unrelated questions. With the hashing encoder
 * the query is the mean of the question's token vectors without stop words and punctuation (the resource lists the
 * stop words); with MiniLM the mean of all its token vectors. All methods get the same query vector and the question's
 * token texts (all of them: stop words are left to the term filter's weights). Then 20 {@link NaturalQuestions} about
 * the stream's own changelogs.
 *
 * <p><b>Metrics</b> per (length, method, retention): {@code hitRate} = share of needle questions where one of the
 * top-3 ranges no wider than 1% of the stream overlaps the needle's tokens; {@code hitRateAnyWidth} = the same without
 * the width limit; {@code hitRateClipped} = the same with every range wider than 1% cut to the central 1% (so a
 * wide range counts only when its centre is near the needle); {@code hitRateTop1} = the first range overlaps (any width); {@code meanWidth} = mean width of the
 * returned ranges as a share of the stream; {@code coverage} = mean share of the stream covered by the union of a
 * question's ranges (about the any-width hit rate that ranges placed at random would get: the chance level); {@code scoreAuc} = Mann-Whitney AUC of the best score of needle questions
 * against that of unrelated questions (ties count ½); {@code queryMicros} = mean wall time of one query (after one
 * untimed warm-up query); {@code stateBytes}; {@code naturalHitRate}, {@code naturalHitRateTop1} and
 * {@code naturalScoreAuc}, the same for the natural questions.
 */
public final class RecallBench {
    static final int K = 3;
    static final double MAX_WIDTH = 0.01;
    /** Tokens re-read per span by the two-stage read (the node's default cap, ltm.query.reread.max.tokens). */
    static final long DEFAULT_REREAD_TOKENS = 4096;

    private RecallBench() {}

    record Needle(String id, String text, String question) {}

    /** Options of one run; see the class comment. */
    record Options(
            int[] lengths,
            List<RetentionPolicy> retentions,
            String encoder,
            Path licences,
            Path docs,
            long seed,
            boolean perQuestion,
            MemoryConfig config,
            long rereadTokens) {
        static Options defaults() {
            return new Options(
                    new int[] {10_000, 100_000},
                    List.of(RetentionPolicy.UNIFORM, RetentionPolicy.RECENCY),
                    "hashing",
                    Path.of("/usr/share/common-licenses"),
                    Path.of("/usr/share/doc"),
                    1,
                    false,
                    MemoryConfig.defaults(),
                    DEFAULT_REREAD_TOKENS);
        }

        Options with(MemoryConfig c, long reread) {
            return new Options(lengths, retentions, encoder, licences, docs, seed, perQuestion, c, reread);
        }
    }

    public static void main(String... args) throws Exception {
        Options o = Options.defaults();
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--lengths" ->
                    o = with(
                            o,
                            Arrays.stream(args[++i].split(","))
                                    .mapToInt(s -> parseCount(s.trim()))
                                    .toArray(),
                            null,
                            null,
                            null,
                            null,
                            null,
                            null);
                case "--retention" ->
                    o = with(
                            o,
                            null,
                            Arrays.stream(args[++i].split(","))
                                    .map(s -> RetentionPolicy.valueOf(s.trim().toUpperCase(Locale.ROOT)))
                                    .toList(),
                            null,
                            null,
                            null,
                            null,
                            null);
                case "--encoder" -> o = with(o, null, null, args[++i], null, null, null, null);
                case "--licenses" -> o = with(o, null, null, null, Path.of(args[++i]), null, null, null);
                case "--docs" -> o = with(o, null, null, null, null, Path.of(args[++i]), null, null);
                case "--seed" -> o = with(o, null, null, null, null, null, Long.parseLong(args[++i]), null);
                case "--per-question" -> o = with(o, null, null, null, null, null, null, true);
                case "--out" -> out = Path.of(args[++i]);
                case "--reread-tokens" -> o = o.with(o.config(), parseCount(args[++i]));
                case "--first-epoch" ->
                    o = o.with(
                            o.config().toBuilder()
                                    .firstEpoch(Integer.parseInt(args[++i]))
                                    .build(),
                            o.rereadTokens());
                default ->
                    throw new IllegalArgumentException(
                            "unknown argument " + args[i] + " (use --lengths 10000,100000,1000000"
                                    + " --retention uniform,recency --encoder hashing|minilm --licenses DIR --docs DIR --seed S"
                                    + " --per-question --reread-tokens N --first-epoch E --out DIR)");
            }
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = run(o, json);
        String text = json.writeValueAsString(root);
        if (out != null) write(root, text, out);
        System.out.println(text);
    }

    private static Options with(
            Options o,
            int[] lengths,
            List<RetentionPolicy> ret,
            String enc,
            Path lic,
            Path docs,
            Long seed,
            Boolean perQuestion) {
        return new Options(
                lengths != null ? lengths : o.lengths(),
                ret != null ? ret : o.retentions(),
                enc != null ? enc : o.encoder(),
                lic != null ? lic : o.licences(),
                docs != null ? docs : o.docs(),
                seed != null ? seed : o.seed(),
                perQuestion != null ? perQuestion : o.perQuestion(),
                o.config(),
                o.rereadTokens());
    }

    /** "100000", "100k", "1M", "5m". */
    static int parseCount(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        if (t.endsWith("k"))
            return Math.toIntExact(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1e3));
        if (t.endsWith("m"))
            return Math.toIntExact(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1e6));
        return Integer.parseInt(t);
    }

    static ObjectNode run(Options o, ObjectMapper json) throws IOException {
        JsonNode spec;
        try (InputStream in = RecallBench.class.getResourceAsStream("recall-needles.json")) {
            spec = json.readTree(in);
        }
        List<Needle> needles = new ArrayList<>();
        for (JsonNode n : spec.get("needles"))
            needles.add(new Needle(
                    n.get("id").asText(), n.get("text").asText(), n.get("q").asText()));
        List<String> unrelated = new ArrayList<>();
        spec.get("unrelated").forEach(n -> unrelated.add(n.asText()));
        Set<String> stop = new HashSet<>();
        spec.get("stopWords").forEach(n -> stop.add(n.asText()));

        MemoryConfig base = o.config();
        int d = base.dim();
        long budget = MemoryLocator.stateBytes(base);
        ObjectNode root = json.createObjectNode();
        root.put("benchmark", "recall");
        Machine.describe(root);
        root.put("encoder", o.encoder());
        root.put("config", base.toString());
        root.put("budgetBytes", budget);
        root.put("topK", K);
        root.put("maxWidth", MAX_WIDTH);
        root.put("needles", needles.size());
        root.put("unrelatedQuestions", unrelated.size());
        root.put("seed", o.seed());
        ArrayNode results = root.putArray("results");
        try (TextEncoder encoder = Encoders.byName(o.encoder(), d)) {
            boolean hashing = o.encoder().trim().equalsIgnoreCase("hashing");
            List<EncodedText> needleEnc =
                    encoder.encode(needles.stream().map(Needle::text).toList());
            List<String> qs =
                    new ArrayList<>(needles.stream().map(Needle::question).toList());
            qs.addAll(unrelated);
            List<EncodedText> qEnc = encoder.encode(qs);
            List<float[]> queries = new ArrayList<>();
            for (EncodedText e : qEnc) queries.add(query(e, hashing ? stop : null));
            List<List<String>> queryTokens = new ArrayList<>();
            for (EncodedText e : qEnc) queryTokens.add(e.tokens());
            List<Path> files = TextCorpus.files(o.licences(), o.docs());
            root.put("corpusFiles", files.size());
            root.put("corpusDigest", TextCorpus.digest(files));
            for (int length : o.lengths()) {
                runLength(
                        o,
                        length,
                        encoder,
                        needles,
                        needleEnc,
                        queries,
                        queryTokens,
                        hashing ? stop : null,
                        budget,
                        results);
            }
        }
        root.put("loadAverageAtEnd", Machine.loadAverage());
        return root;
    }

    /** The query vector: mean of the token vectors, without stop words and punctuation when stop is given. */
    static float[] query(EncodedText e, Set<String> stop) {
        int d = e.dimension();
        float[] q = new float[d];
        int used = 0;
        for (int i = 0; i < e.count(); i++) {
            String t = e.tokens().get(i);
            if (stop != null && (stop.contains(t) || !t.chars().anyMatch(Character::isLetterOrDigit))) continue;
            for (int j = 0; j < d; j++) q[j] += e.vectors()[i * d + j];
            used++;
        }
        if (used == 0) return e.mean();
        for (int j = 0; j < d; j++) q[j] /= used;
        return q;
    }

    private static void runLength(
            Options o,
            int length,
            TextEncoder encoder,
            List<Needle> needles,
            List<EncodedText> needleEnc,
            List<float[]> queries,
            List<List<String>> queryTokens,
            Set<String> stop,
            long budget,
            ArrayNode results) {
        MemoryConfig base = o.config();
        int d = base.dim();
        int nNeedles = needles.size();
        long usable = Math.max(nNeedles, length - 2L * base.contractionLength());
        long[] offsets = new long[nNeedles];
        for (int i = 0; i < nNeedles; i++) offsets[i] = (long) ((i + 0.5) / nNeedles * usable);
        int[] order = new int[nNeedles];
        for (int i = 0; i < nNeedles; i++) order[i] = i;
        SplittableRandom rnd = new SplittableRandom(o.seed() * 31 + length);
        for (int i = nNeedles - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }

        List<Locator> methods = new ArrayList<>();
        try {
            for (RetentionPolicy p : o.retentions())
                methods.add(new MemoryLocator(base.toBuilder().retention(p).build()));
            if (o.rereadTokens() > 0) {
                for (RetentionPolicy p : o.retentions()) {
                    methods.add(new RereadLocator(base.toBuilder().retention(p).build(), o.rereadTokens()));
                }
            }
            methods.add(new RecentTokens(d, budget));
            methods.add(new SketchIndex(d, budget));
            methods.add(new ReservoirSample(d, budget, o.seed()));
            methods.add(new PooledMeans(d, budget));
            methods.add(new ExactIndex(d));
            if (base.termSegments() > 0) methods.add(new TermFilterLocator(base));
            double[] ingest = new double[methods.size()];
            long[] needleStart = new long[nNeedles], needleEnd = new long[nNeedles];
            TextCorpus corpus = new TextCorpus(o.licences(), o.docs());
            NaturalQuestions natural = new NaturalQuestions();
            long pos = 0, events = 0;
            int next = 0;
            long t0 = System.nanoTime();
            double encodeS = 0;
            while (pos < length) {
                List<String> texts = new ArrayList<>(64);
                for (int i = 0; i < 64; i++) texts.add(corpus.next());
                long te = System.nanoTime();
                List<EncodedText> enc = encoder.encode(texts);
                encodeS += (System.nanoTime() - te) / 1e9;
                for (int x = 0; x < enc.size(); x++) {
                    EncodedText e = enc.get(x);
                    if (pos >= length) break;
                    while (next < nNeedles && offsets[next] <= pos) {
                        int n = order[next++];
                        EncodedText ne = needleEnc.get(n);
                        needleStart[n] = pos;
                        needleEnd[n] = pos + ne.count();
                        feed(methods, ingest, ne, pos);
                        pos += ne.count();
                        events++;
                    }
                    if (e.count() == 0) continue;
                    natural.observe(texts.get(x), pos, pos + e.count());
                    feed(methods, ingest, e, pos);
                    pos += e.count();
                    events++;
                }
            }
            for (int m = 0; m < methods.size(); m++) {
                long tf = System.nanoTime();
                methods.get(m).finish();
                ingest[m] += (System.nanoTime() - tf) / 1e9;
            }
            double streamS = (System.nanoTime() - t0) / 1e9;
            System.err.printf(
                    Locale.ROOT,
                    "[recall] length %d: %d tokens, %d events, %.1f s (encode %.1f s)%n",
                    length,
                    pos,
                    events,
                    streamS,
                    encodeS);
            List<NaturalQuestions.Question> asked = natural.choose(nNeedles, usable);
            List<EncodedText> askedEnc = encoder.encode(
                    asked.stream().map(NaturalQuestions.Question::text).toList());
            List<float[]> askedVectors = new ArrayList<>();
            for (EncodedText e : askedEnc) askedVectors.add(query(e, stop));
            for (int m = 0; m < methods.size(); m++) {
                Locator loc = methods.get(m);
                ObjectNode r = results.addObject();
                r.put("length", length);
                r.put("tokens", pos);
                r.put("events", events);
                r.put("meanEventTokens", round((double) pos / events, 1));
                r.put("corpusCycles", corpus.cycles());
                r.put(
                        "method",
                        loc instanceof RereadLocator
                                ? "memory+reread"
                                : loc instanceof MemoryLocator ? "memory" : loc.name());
                r.put(
                        "retention",
                        loc instanceof MemoryLocator || loc instanceof RereadLocator
                                ? loc.name().substring("memory-".length()).replace("+reread", "")
                                : "none");
                evaluate(loc, needles, needleStart, needleEnd, queries, queryTokens, pos, r, o.perQuestion());
                evaluateNatural(
                        loc,
                        asked,
                        askedVectors,
                        askedEnc.stream().map(EncodedText::tokens).toList(),
                        queries.subList(nNeedles, queries.size()),
                        queryTokens.subList(nNeedles, queries.size()),
                        pos,
                        r,
                        o.perQuestion());
                r.put("ingestSeconds", round(ingest[m], 3));
                r.put("encodeSeconds", round(encodeS, 3));
                if (loc instanceof MemoryLocator ml) {
                    r.put("longTermTokens", ml.state().longTermTokens());
                    if (ml.state().terms() != null) {
                        r.put("termSegmentTokens", ml.state().terms().segmentTokens());
                        r.put("termFalsePositiveRate", round(ml.state().terms().falsePositiveRate(), 4));
                    }
                    r.put("contractions", ml.state().contractions());
                    r.put("shortTermBytesNotCounted", ml.shortTermBytes());
                }
                if (loc instanceof RereadLocator x) {
                    r.put("rereadBudgetTokens", x.budget());
                    r.put("tokensRereadPerQuery", round(x.tokensReread(), 1));
                }
                if (loc instanceof RecentTokens x) r.put("capacityEntries", x.capacity());
                if (loc instanceof SketchIndex x) r.put("capacityEntries", x.capacity());
                if (loc instanceof ReservoirSample x) r.put("capacityEntries", x.capacity());
                if (loc instanceof PooledMeans x) r.put("capacityEntries", x.capacity());
                ObjectNode log = r.deepCopy();
                log.remove("perQuestion");
                System.err.println("[recall] " + log);
            }
        } finally {
            for (Locator m : methods) m.close();
        }
    }

    private static void feed(List<Locator> methods, double[] ingest, EncodedText e, long pos) {
        float[] mean = e.mean();
        for (int m = 0; m < methods.size(); m++) {
            long t = System.nanoTime();
            methods.get(m).add(e, mean, pos);
            ingest[m] += (System.nanoTime() - t) / 1e9;
        }
    }

    private static void evaluate(
            Locator loc,
            List<Needle> needles,
            long[] ns,
            long[] ne,
            List<float[]> queries,
            List<List<String>> queryTokens,
            long tokens,
            ObjectNode r,
            boolean perQuestion) {
        int n = needles.size();
        int hit = 0, hitAny = 0, hitClip = 0, hit1 = 0, ranges = 0;
        double width = 0, coverage = 0;
        long nanos = 0;
        double[] answerable = new double[n];
        double[] unrelated = new double[queries.size() - n];
        ArrayNode pq = perQuestion ? r.putArray("perQuestion") : null;
        loc.top(queries.get(queries.size() - 1), queryTokens.get(queries.size() - 1), K); // warm-up, not timed
        for (int qi = 0; qi < queries.size(); qi++) {
            long t = System.nanoTime();
            List<Locator.Located> top = loc.top(queries.get(qi), queryTokens.get(qi), K);
            nanos += System.nanoTime() - t;
            double best = top.isEmpty()
                    ? -1
                    : top.stream().mapToDouble(Locator.Located::score).max().getAsDouble();
            if (qi >= n) {
                unrelated[qi - n] = best;
                continue;
            }
            answerable[qi] = best;
            boolean h = false, ha = false, hc = false;
            for (int j = 0; j < top.size(); j++) {
                Locator.Located x = top.get(j);
                double w = x.width() / (double) tokens;
                width += w;
                ranges++;
                boolean ov = x.overlaps(ns[qi], ne[qi]);
                ha |= ov;
                h |= ov && w <= MAX_WIDTH;
                hc |= clip(x, tokens).overlaps(ns[qi], ne[qi]);
                if (j == 0 && ov) hit1++;
            }
            coverage += union(top) / (double) tokens;
            if (h) hit++;
            if (ha) hitAny++;
            if (hc) hitClip++;
            if (pq != null) {
                ObjectNode p = pq.addObject();
                p.put("needle", needles.get(qi).id())
                        .put("range", ns[qi] + "-" + ne[qi])
                        .put("hit", h)
                        .put("hitAnyWidth", ha)
                        .put("hitClipped", hc);
                ArrayNode a = p.putArray("top");
                for (Locator.Located x : top) a.add(x.start() + "-" + x.end() + " (" + round(x.score(), 3) + ")");
            }
        }
        r.put("hitRate", round((double) hit / n, 3));
        r.put("hitRateAnyWidth", round((double) hitAny / n, 3));
        r.put("hitRateClipped", round((double) hitClip / n, 3));
        r.put("hitRateTop1", round((double) hit1 / n, 3));
        r.put("meanWidth", ranges == 0 ? 0 : round(width / ranges, 5));
        r.put("coverage", round(coverage / n, 4));
        r.put("scoreAnswerable", round(Arrays.stream(answerable).average().orElse(0), 3));
        r.put("scoreUnrelated", round(Arrays.stream(unrelated).average().orElse(0), 3));
        r.put("scoreAuc", round(auc(answerable, unrelated), 3));
        r.put("queryMicros", round(nanos / 1e3 / queries.size(), 1));
        r.put("stateBytes", loc.stateBytes());
    }

    /**
     * The {@link NaturalQuestions}: {@code naturalHitRate} (a top-3 range no wider than 1% of the stream overlaps an
     * event that names the id), {@code naturalHitRateTop1} (the first range, any width), {@code naturalScoreAuc}
     * (their best scores against the unrelated questions').
     */
    private static void evaluateNatural(
            Locator loc,
            List<NaturalQuestions.Question> asked,
            List<float[]> vectors,
            List<List<String>> tokens,
            List<float[]> unrelated,
            List<List<String>> unrelatedTokens,
            long streamTokens,
            ObjectNode r,
            boolean perQuestion) {
        int hit = 0, hit1 = 0;
        double[] answerable = new double[asked.size()];
        double[] other = new double[unrelated.size()];
        ArrayNode pq = perQuestion ? r.putArray("perNaturalQuestion") : null;
        for (int qi = 0; qi < asked.size(); qi++) {
            NaturalQuestions.Question q = asked.get(qi);
            List<Locator.Located> top = loc.top(vectors.get(qi), tokens.get(qi), K);
            answerable[qi] = best(top);
            boolean h = false;
            for (int j = 0; j < top.size(); j++) {
                Locator.Located x = top.get(j);
                boolean ov = q.answeredBy(x);
                h |= ov && x.width() / (double) streamTokens <= MAX_WIDTH;
                if (j == 0 && ov) hit1++;
            }
            if (h) hit++;
            if (pq != null) {
                ObjectNode p = pq.addObject().put("question", q.text()).put("hit", h);
                ArrayNode a = p.putArray("answers");
                for (long[] x : q.answers()) a.add(x[0] + "-" + x[1]);
                ArrayNode t = p.putArray("top");
                for (Locator.Located x : top) t.add(x.start() + "-" + x.end() + " (" + round(x.score(), 3) + ")");
            }
        }
        for (int i = 0; i < unrelated.size(); i++)
            other[i] = best(loc.top(unrelated.get(i), unrelatedTokens.get(i), K));
        int n = Math.max(1, asked.size());
        r.put("naturalQuestions", asked.size());
        r.put("naturalHitRate", round((double) hit / n, 3));
        r.put("naturalHitRateTop1", round((double) hit1 / n, 3));
        if (asked.isEmpty()) r.putNull("naturalScoreAuc"); // no question: no AUC (NaN is not JSON)
        else r.put("naturalScoreAuc", round(auc(answerable, other), 3));
    }

    private static double best(List<Locator.Located> top) {
        return top.isEmpty()
                ? -1
                : top.stream().mapToDouble(Locator.Located::score).max().getAsDouble();
    }

    /** Tokens covered by the union of the ranges. */
    static long union(List<Locator.Located> xs) {
        List<Locator.Located> s = new ArrayList<>(xs);
        s.sort(java.util.Comparator.comparingLong(Locator.Located::start));
        long covered = 0, curS = -1, curE = -1;
        for (Locator.Located x : s) {
            long e = x.start() + x.width();
            if (x.start() > curE) {
                covered += curE - curS;
                curS = x.start();
                curE = e;
            } else curE = Math.max(curE, e);
        }
        return covered + (curE - curS);
    }

    /** The range cut to at most MAX_WIDTH of the stream around its centre (unchanged when narrower). */
    static Locator.Located clip(Locator.Located x, long tokens) {
        long max = Math.max(1, (long) Math.floor(MAX_WIDTH * tokens));
        if (x.width() <= max) return x;
        long mid = (x.start() + x.end()) / 2, s = mid - max / 2;
        return new Locator.Located(s, s + max, x.score());
    }

    /** Mann-Whitney AUC: share of (positive, negative) pairs where the positive scores higher; ties count ½. */
    static double auc(double[] pos, double[] neg) {
        if (pos.length == 0 || neg.length == 0) return Double.NaN;
        double s = 0;
        for (double p : pos) for (double q : neg) s += p > q ? 1 : p == q ? 0.5 : 0;
        return s / ((double) pos.length * neg.length);
    }

    static double round(double v, int digits) {
        if (!Double.isFinite(v)) return v;
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    // ------------------------------------------------------------------ outputs

    /** DIR/recall.json, DIR/recall.md (table), DIR/recall-hit-rate.png, DIR/recall-hit-rate-any-width.png. */
    static void write(ObjectNode root, String text, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("recall.json"), text + "\n");
        StringBuilder md = new StringBuilder();
        md.append("# Recall benchmark\n\n");
        md.append("`./ltm bench recall` — ")
                .append(root.get("date").asText())
                .append(", ")
                .append(root.get("cpu").asText())
                .append(" (")
                .append(root.get("cores").asInt())
                .append(" cores), load average at start ")
                .append(root.get("loadAverageAtStart").asText())
                .append(", at end ")
                .append(root.get("loadAverageAtEnd").asText())
                .append("; corpus ")
                .append(root.get("corpusFiles").asInt())
                .append(" files, digest ")
                .append(root.get("corpusDigest").asText())
                .append("; encoder ")
                .append(root.get("encoder").asText())
                .append("; ")
                .append(root.get("needles").asInt())
                .append(" needles, ")
                .append(root.get("unrelatedQuestions").asInt())
                .append(" unrelated questions; budget ")
                .append(root.get("budgetBytes").asLong())
                .append(" bytes per key (the memory's state: B at float16 and the term filter); top-")
                .append(root.get("topK").asInt())
                .append(" ranges, hit = a range no wider than ")
                .append(root.get("maxWidth").asDouble() * 100)
                .append("% of the stream overlaps the needle; clipped = every range ")
                .append(
                        "cut to its central 1% of the stream. Needles lie before the last 2L tokens (in the memory's long-term ")
                .append("part), so the recent-tokens baseline cannot hit by construction. Natural questions: ")
                .append("\"Which change fixed CVE-…?\" / \"Which change closed bug #…?\" about ids named at most ")
                .append(NaturalQuestions.MAX_OCCURRENCES)
                .append(" times in the stream's changelogs, spread over it; hit = a range no wider than 1% overlaps")
                .append(" an event that names the id.\n\n");
        md.append(
                "| length (tokens) | method | retention | hit rate | hit rate, any width | hit rate, clipped to 1% | top-1 hit | mean width | coverage (chance, any width) | score AUC | score needle / unrelated | natural questions: hit rate / top-1 / AUC | µs per query | state bytes |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (JsonNode r : root.get("results")) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %,d | %s | %s | %.2f | %.2f | %.2f | %.2f | %.4f | %.4f | %.2f | %.2f / %.2f | %s | %,.0f | %,d |%n",
                    r.get("tokens").asLong(),
                    r.get("method").asText(),
                    r.get("retention").asText(),
                    r.get("hitRate").asDouble(),
                    r.get("hitRateAnyWidth").asDouble(),
                    r.get("hitRateClipped").asDouble(),
                    r.get("hitRateTop1").asDouble(),
                    r.get("meanWidth").asDouble(),
                    r.get("coverage").asDouble(),
                    r.get("scoreAuc").asDouble(),
                    r.get("scoreAnswerable").asDouble(),
                    r.get("scoreUnrelated").asDouble(),
                    r.get("naturalQuestions").asInt() == 0
                            ? "none in this stream"
                            : String.format(
                                    Locale.ROOT,
                                    "%.2f / %.2f / %.2f (%d)",
                                    r.get("naturalHitRate").asDouble(),
                                    r.get("naturalHitRateTop1").asDouble(),
                                    r.get("naturalScoreAuc").asDouble(),
                                    r.get("naturalQuestions").asInt()),
                    r.get("queryMicros").asDouble(),
                    r.get("stateBytes").asLong()));
        }
        Files.writeString(dir.resolve("recall.md"), md.toString());
        plot(root, dir.resolve("recall-hit-rate.png"), "hitRate", "Needle hit rate (top-3, width ≤ 1% of stream)");
        plot(
                root,
                dir.resolve("recall-hit-rate-any-width.png"),
                "hitRateAnyWidth",
                "Needle hit rate (top-3, any width)");
        plot(
                root,
                dir.resolve("recall-hit-rate-clipped.png"),
                "hitRateClipped",
                "Needle hit rate (top-3, each cut to 1% of stream)");
        plot(
                root,
                dir.resolve("recall-natural-hit-rate.png"),
                "naturalHitRate",
                "Natural questions hit rate (top-3, width ≤ 1% of stream)");
    }

    private static void plot(ObjectNode root, Path file, String field, String title) throws IOException {
        BenchPlot.byLength(root, file, field, title, "stream length (tokens, log scale)", "hit rate", 0, 1);
    }
}
