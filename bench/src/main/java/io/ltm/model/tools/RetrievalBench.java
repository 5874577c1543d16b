package io.ltm.model.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ltm.bench.Machine;
import io.ltm.model.AttentionHeadKind;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadOptions;
import io.ltm.model.ReadRequest;
import io.ltm.model.ReadResult;
import io.ltm.model.RetentionPolicy;
import io.ltm.model.Span;
import io.ltm.model.TokenBatch;
import io.ltm.model.TokenSource;
import io.ltm.model.encoder.EncodedText;
import io.ltm.model.encoder.Encoders;
import io.ltm.model.encoder.TextEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Retrieval quality of the zero-shot read (not a test): streams a labelled corpus into one memory and asks questions
 * whose answer location is known; prints JSON.
 *
 * <pre>
 * java -cp ... io.ltm.model.tools.RetrievalBench [--encoders minilm,hashing] [--lengths 2000,10000,50000]
 *     [--retention recency,uniform] [--temperatures T1,T2,..] [--first-epochs E1,E2,..] [--cosine-keys true|false]
 *     [--licenses DIR] [--per-question] [--out FILE]
 * </pre>
 *
 * <b>Corpus</b>: {@code /usr/share/common-licenses} (Debian base-files). Questions, the labelled documents (GPL-3,
 * Apache-2.0, MPL-2.0) and filler documents are in the resource {@code retrieval-questions.json}; an answer is the
 * paragraph (blank-line separated, whitespace collapsed) that contains a distinctive substring. Every paragraph is one
 * event ({@link TokenBatch}); every text is encoded once per encoder and the vectors are reused by all configurations.
 *
 * <p><b>Stream of target length T</b> (tokens of that encoder): the labelled documents in the order GPL-3, Apache,
 * MPL; when they do not fit in T − 768, only the answer paragraphs and their two neighbours, question by question
 * (round robin over documents) while they fit. Filler paragraphs (cycled) go before each labelled document (the rest
 * of the budget split in three) and after the last one (768 tokens, so that every answer is in the long-term part,
 * not in the short-term buffer of at most L−1 tokens).
 *
 * <p><b>Metrics</b> per (encoder, length, retention, temperature, queryTerms: whether the read gets the question's
 * token texts, which the memory's term filter matches, as a node's read of a text query does): {@code hit1} = share of questions whose top span's
 * [tokenStart, tokenEnd) overlaps the answer paragraph's tokens (or a verbatim copy of the distinctive substring in a
 * filler paragraph, see {@link #accepted}); {@code centre1} = share whose top span's centre token
 * lies in the answer paragraph; {@code width1} = mean (tokenEnd − tokenStart)/longTermTokens of the top span;
 * {@code score1} = mean top-span score (its term match with queryTerms, else its cosine) of answerable questions, {@code unrelatedScore} = of the unrelated questions,
 * {@code scoreAuc} = share of (answerable, unrelated) pairs whose answerable top score is higher; for two-place
 * questions read with spans=2: {@code hit2} = share where two different spans overlap two different places,
 * {@code width2} = mean width of the two spans. Reads are ZERO_SHOT with includeShortTerm=false.
 */
public final class RetrievalBench {
    static final int TAIL = 768;
    static final Pattern STARS = Pattern.compile("\\*+");

    private RetrievalBench() {}

    record Para(String doc, int index, String text) {}

    record Question(String id, String q, String kw, List<Place> places) {}

    record Place(String doc, String find) {}

    /** One paragraph placed in a stream: tokens [start, end). */
    record Placed(Para para, long start, long end) {}

    public static void main(String... args) throws Exception {
        List<String> encoders = List.of("minilm", "hashing");
        int[] lengths = {2000, 10000, 50000};
        List<String> retentions = List.of("recency", "uniform");
        double[] temps = null;
        int[] firstEpochs = null;
        Boolean cosine = null;
        String licenses = "/usr/share/common-licenses";
        String out = null;
        boolean perQuestion = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--encoders" -> encoders = Arrays.asList(args[++i].split(","));
                case "--lengths" ->
                    lengths = Arrays.stream(args[++i].split(","))
                            .mapToInt(Integer::parseInt)
                            .toArray();
                case "--retention" -> retentions = Arrays.asList(args[++i].split(","));
                case "--temperatures" ->
                    temps = Arrays.stream(args[++i].split(","))
                            .mapToDouble(Double::parseDouble)
                            .toArray();
                case "--first-epochs" ->
                    firstEpochs = Arrays.stream(args[++i].split(","))
                            .mapToInt(Integer::parseInt)
                            .toArray();
                case "--cosine-keys" -> cosine = Boolean.parseBoolean(args[++i]);
                case "--licenses" -> licenses = args[++i];
                case "--out" -> out = args[++i];
                case "--per-question" -> perQuestion = true;
                default ->
                    throw new IllegalArgumentException("unknown argument " + args[i] + " (use --encoders minilm,hashing"
                            + " --lengths 2000,10000,50000 --retention recency,uniform --temperatures 0.05,0.1"
                            + " --first-epochs 1,8"
                            + " --cosine-keys true|false --licenses DIR --per-question --out FILE)");
            }
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        JsonNode spec;
        try (InputStream in = RetrievalBench.class.getResourceAsStream("retrieval-questions.json")) {
            spec = json.readTree(in);
        }
        List<String> labelled = strings(spec.get("labelled"));
        List<String> filler = strings(spec.get("filler"));
        Map<String, List<Para>> docs = new LinkedHashMap<>();
        for (String d : labelled) docs.put(d, paragraphs(Path.of(licenses, d), d));
        for (String d : filler) docs.put(d, paragraphs(Path.of(licenses, d), d));
        List<Question> questions = questions(spec.get("questions"), false);
        List<Question> two = questions(spec.get("twoPlace"), false);
        List<Question> unrelated = questions(spec.get("unrelated"), true);
        Map<Question, List<Para>> answers = new HashMap<>();
        for (Question q : concat(questions, two)) answers.put(q, locate(q, docs));

        MemoryConfig base = MemoryConfig.defaults();
        ObjectNode root = json.createObjectNode();
        root.put("benchmark", "retrieval");
        root.put("started", Instant.now().toString());
        root.put("cpu", Machine.cpuModel());
        root.put("config", base.toString());
        root.put("questions", questions.size());
        root.put("twoPlaceQuestions", two.size());
        root.put("unrelatedQuestions", unrelated.size());
        ArrayNode results = root.putArray("results");
        for (String encName : encoders) {
            long t0 = System.nanoTime();
            Map<Para, EncodedText> enc = new HashMap<>();
            Map<Question, EncodedText> qenc = new HashMap<>();
            boolean hashing = encName.trim().equals("hashing");
            try (TextEncoder encoder = Encoders.byName(encName.trim(), base.dim())) {
                List<Para> all = new ArrayList<>();
                docs.values().forEach(all::addAll);
                List<EncodedText> e =
                        encoder.encode(all.stream().map(Para::text).toList());
                for (int i = 0; i < all.size(); i++) enc.put(all.get(i), e.get(i));
                List<Question> allQ = concat(concat(questions, two), unrelated);
                List<EncodedText> eq = encoder.encode(
                        allQ.stream().map(q -> hashing ? q.kw() : q.q()).toList());
                for (int i = 0; i < allQ.size(); i++) qenc.put(allQ.get(i), eq.get(i));
            }
            double encodeS = (System.nanoTime() - t0) / 1e9;
            for (int length : lengths) {
                List<Placed> stream = stream(length, labelled, filler, docs, questions, two, answers, enc);
                long total =
                        stream.isEmpty() ? 0 : stream.get(stream.size() - 1).end();
                for (String ret : retentions) {
                    RetentionPolicy policy = RetentionPolicy.valueOf(ret.trim().toUpperCase(Locale.ROOT));
                    double[] ts = temps == null ? new double[] {base.temperature()} : temps;
                    int[] fes = firstEpochs == null ? new int[] {base.firstEpoch()} : firstEpochs;
                    for (double t : ts)
                        for (int fe : fes) {
                            MemoryConfig.Builder b = base.toBuilder()
                                    .retention(policy)
                                    .temperature(t)
                                    .firstEpoch(fe);
                            if (cosine != null) b.cosineKeys(cosine);
                            MemoryConfig cfg = b.build();
                            for (boolean terms : new boolean[] {false, true}) {
                                ObjectNode r = results.addObject();
                                r.put("encoder", encName.trim());
                                r.put("length", length);
                                r.put("tokens", total);
                                r.put("retention", policy.name());
                                r.put("temperature", t);
                                r.put("firstEpoch", fe);
                                r.put("cosineKeys", cfg.cosineKeys());
                                r.put("queryTerms", terms);
                                r.put("encodeSeconds", Math.round(encodeS * 10) / 10.0);
                                run(cfg, stream, questions, two, unrelated, answers, enc, qenc, terms, r, perQuestion);
                                System.err.println(r.toString());
                            }
                        }
                }
            }
        }
        String text = json.writeValueAsString(root);
        if (out != null) Files.writeString(Path.of(out), text + "\n");
        System.out.println(text);
    }

    private static void run(
            MemoryConfig cfg,
            List<Placed> stream,
            List<Question> questions,
            List<Question> two,
            List<Question> unrelated,
            Map<Question, List<Para>> answers,
            Map<Para, EncodedText> enc,
            Map<Question, EncodedText> qenc,
            boolean terms,
            ObjectNode r,
            boolean perQuestion) {
        Map<Para, Placed> where = new HashMap<>();
        for (Placed p : stream) where.putIfAbsent(p.para(), p);
        long t0 = System.nanoTime();
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = MemoryState.empty(cfg);
            for (Placed p : stream) {
                EncodedText e = enc.get(p.para());
                if (e.count() == 0) continue;
                s = ltm.absorb(
                        s,
                        new TokenBatch(
                                e.vectors(),
                                e.count(),
                                e.tokens(),
                                new TokenSource(
                                        "bench",
                                        0,
                                        p.start(),
                                        0,
                                        p.para().doc() + "#" + p.para().index())));
            }
            double absorbS = (System.nanoTime() - t0) / 1e9;
            long lt = s.longTermTokens();
            r.put("longTermTokens", lt);
            r.put("contractions", s.contractions());
            r.put("absorbSeconds", Math.round(absorbS * 100) / 100.0);
            ArrayNode pq = perQuestion ? r.putArray("perQuestion") : null;
            int n = 0, hit = 0, centre = 0;
            double width = 0;
            List<Double> scores = new ArrayList<>();
            for (Question q : questions) {
                if (!where.containsKey(answers.get(q).get(0))) continue;
                List<Placed> acc = accepted(q, stream);
                EncodedText e = qenc.get(q);
                ReadResult rr = read(ltm, s, e, 1, terms);
                n++;
                if (rr.spans().isEmpty()) {
                    scores.add(0.0);
                    continue;
                }
                Span sp = rr.spans().get(0);
                long mid = (sp.tokenStart() + sp.tokenEnd()) / 2;
                boolean h = false, c = false;
                for (Placed a : acc) {
                    h |= overlaps(sp, a);
                    c |= mid >= a.start() && mid < a.end();
                }
                double w = (sp.tokenEnd() - sp.tokenStart()) / (double) lt;
                if (h) hit++;
                if (c) centre++;
                width += w;
                scores.add(score(sp, terms));
                if (pq != null) {
                    ObjectNode o = pq.addObject();
                    o.put("id", q.id())
                            .put("answer", ranges(acc))
                            .put("hit", h)
                            .put("span", sp.tokenStart() + "-" + sp.tokenEnd())
                            .put("mu", round(sp.mu()))
                            .put("sigma", round(sp.sigma()))
                            .put("score", round(sp.score()))
                            .put("weight", round(sp.weight()))
                            .put("termMatch", round(sp.termMatch()));
                }
            }
            r.put("n1", n);
            r.put("hit1", n == 0 ? 0 : round((double) hit / n));
            r.put("centre1", n == 0 ? 0 : round((double) centre / n));
            r.put("width1", n == 0 ? 0 : round(width / n));
            r.put("score1", round(mean(scores)));
            List<Double> un = new ArrayList<>();
            for (Question q : unrelated) {
                EncodedText e = qenc.get(q);
                ReadResult rr = read(ltm, s, e, 1, terms);
                un.add(rr.spans().isEmpty() ? 0.0 : score(rr.spans().get(0), terms));
            }
            r.put("unrelatedScore", round(mean(un)));
            int better = 0;
            for (double a : scores) for (double u : un) if (a > u) better++;
            r.put(
                    "scoreAuc",
                    scores.isEmpty() || un.isEmpty() ? 0 : round(better / (double) (scores.size() * un.size())));
            int n2 = 0, hit2 = 0;
            double width2 = 0;
            for (Question q : two) {
                int present = 0;
                for (Para p : answers.get(q)) if (where.containsKey(p)) present++;
                if (present < 2) continue;
                List<Placed> places = accepted(q, stream);
                EncodedText e = qenc.get(q);
                ReadResult rr = read(ltm, s, e, 2, terms);
                n2++;
                List<Span> sp = rr.spans();
                boolean h = false;
                for (int i = 0; i < sp.size(); i++)
                    for (int j = 0; j < sp.size(); j++)
                        if (i != j)
                            for (int x = 0; x < places.size(); x++)
                                for (int y = 0; y < places.size(); y++)
                                    if (x != y
                                            && overlaps(sp.get(i), places.get(x))
                                            && overlaps(sp.get(j), places.get(y))) h = true;
                if (h) hit2++;
                double w = 0;
                for (Span x : sp) w += (x.tokenEnd() - x.tokenStart()) / (double) lt;
                width2 += sp.isEmpty() ? 0 : w / sp.size();
                if (pq != null) {
                    ObjectNode o = pq.addObject();
                    o.put("id", q.id()).put("hit", h);
                    o.put("answers", ranges(places));
                    StringBuilder ss = new StringBuilder();
                    for (Span x : sp)
                        ss.append(x.tokenStart())
                                .append('-')
                                .append(x.tokenEnd())
                                .append(" (")
                                .append(round(x.score()))
                                .append(") ");
                    o.put("spans", ss.toString().trim());
                }
            }
            r.put("n2", n2);
            r.put("hit2", n2 == 0 ? 0 : round((double) hit2 / n2));
            r.put("width2", n2 == 0 ? 0 : round(width2 / n2));
        }
    }

    /**
     * Every paragraph of the stream that contains one of the question's distinctive substrings: the labelled answer,
     * and verbatim copies in filler documents (GPL-2 and LGPL-2.1 repeat GPL-3's warranty and liability sentences,
     * MPL-1.1 MPL-2.0's statute clause, ...), which answer the question just as well.
     */
    /** A zero-shot read of k spans without the short-term buffer, with the question's token texts when terms. */
    private static ReadResult read(LongTermMemory ltm, MemoryState s, EncodedText e, int k, boolean terms) {
        return ltm.read(new ReadRequest(
                null,
                s,
                e.vectors(),
                e.count(),
                new ReadOptions(k, false, false, AttentionHeadKind.ZERO_SHOT),
                terms ? e.tokens() : null));
    }

    /** A span's score: its term match when the read had the question's texts, else its cosine. */
    private static double score(Span sp, boolean terms) {
        return terms ? sp.termMatch() : sp.score();
    }

    static List<Placed> accepted(Question q, List<Placed> stream) {
        List<Placed> out = new ArrayList<>();
        for (Placed p : stream)
            for (Place pl : q.places())
                if (p.para().text().contains(pl.find())) {
                    out.add(p);
                    break;
                }
        return out;
    }

    private static String ranges(List<Placed> ps) {
        StringBuilder b = new StringBuilder();
        for (Placed p : ps) b.append(p.start()).append('-').append(p.end()).append(' ');
        return b.toString().trim();
    }

    /** Span [tokenStart, tokenEnd) (at least one token) overlaps the paragraph's [start, end). */
    static boolean overlaps(Span s, Placed a) {
        long end = Math.max(s.tokenEnd(), s.tokenStart() + 1);
        return s.tokenStart() < a.end() && end > a.start();
    }

    /** See the class comment. */
    static List<Placed> stream(
            int length,
            List<String> labelled,
            List<String> filler,
            Map<String, List<Para>> docs,
            List<Question> questions,
            List<Question> two,
            Map<Question, List<Para>> answers,
            Map<Para, EncodedText> enc) {
        int full = 0;
        for (String d : labelled) for (Para p : docs.get(d)) full += enc.get(p).count();
        int budget = Math.max(0, length - TAIL);
        java.util.Set<Para> chosen = new java.util.HashSet<>();
        if (full <= budget) {
            for (String d : labelled) chosen.addAll(docs.get(d));
        } else {
            // answer paragraphs with their two neighbours, question by question, round robin over the documents
            Map<String, List<Para>> byDoc = new LinkedHashMap<>();
            for (String d : labelled) byDoc.put(d, new ArrayList<>());
            for (Question q : concat(questions, two))
                for (Para p : answers.get(q)) byDoc.get(p.doc()).add(p);
            int used = 0;
            boolean progress = true;
            for (int round = 0; progress; round++) {
                progress = false;
                for (String d : labelled) {
                    List<Para> l = byDoc.get(d);
                    if (round >= l.size()) continue;
                    progress = true;
                    Para p = l.get(round);
                    List<Para> ps = docs.get(d);
                    int cost = 0;
                    List<Para> add = new ArrayList<>();
                    for (int i = Math.max(0, p.index() - 1); i <= Math.min(ps.size() - 1, p.index() + 1); i++)
                        if (!chosen.contains(ps.get(i))) {
                            add.add(ps.get(i));
                            cost += enc.get(ps.get(i)).count();
                        }
                    if (used + cost <= budget) {
                        chosen.addAll(add);
                        used += cost;
                    }
                }
            }
        }
        int lab = 0;
        for (Para p : chosen) lab += enc.get(p).count();
        List<Para> fill = new ArrayList<>();
        for (String d : filler) fill.addAll(docs.get(d));
        int[] cursor = {0};
        int fillBefore = Math.max(0, length - TAIL - lab) / labelled.size();
        List<Placed> out = new ArrayList<>();
        long[] pos = {0};
        for (String d : labelled) {
            addFiller(out, pos, fill, cursor, fillBefore, enc);
            for (Para p : docs.get(d))
                if (chosen.contains(p)) {
                    int c = enc.get(p).count();
                    out.add(new Placed(p, pos[0], pos[0] + c));
                    pos[0] += c;
                }
        }
        addFiller(out, pos, fill, cursor, Math.max(TAIL, (int) (length - pos[0])), enc);
        return out;
    }

    private static void addFiller(
            List<Placed> out, long[] pos, List<Para> fill, int[] cursor, int tokens, Map<Para, EncodedText> enc) {
        int added = 0;
        while (added < tokens) {
            Para p = fill.get(cursor[0]++ % fill.size());
            int c = enc.get(p).count();
            if (c == 0) continue;
            out.add(new Placed(p, pos[0], pos[0] + c));
            pos[0] += c;
            added += c;
        }
    }

    /** Paragraphs: blank-line separated, lines of asterisks blank, a leading/trailing '*' box border stripped, whitespace collapsed. */
    static List<Para> paragraphs(Path file, String doc) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<Para> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : (text + "\n\n").split("\n", -1)) {
            String s = line.strip();
            if (STARS.matcher(s).matches()) s = "";
            if (s.startsWith("*")) s = s.substring(1).strip();
            if (s.endsWith("*")) s = s.substring(0, s.length() - 1).strip();
            if (s.isEmpty()) {
                if (cur.length() > 0) {
                    out.add(new Para(doc, out.size(), cur.toString()));
                    cur.setLength(0);
                }
            } else {
                if (cur.length() > 0) cur.append(' ');
                cur.append(s.replaceAll("\\s+", " "));
            }
        }
        return out;
    }

    private static List<Para> locate(Question q, Map<String, List<Para>> docs) {
        List<Para> out = new ArrayList<>();
        for (Place pl : q.places()) {
            Para found = null;
            for (Para p : docs.get(pl.doc())) {
                if (p.text().contains(pl.find())) {
                    if (found != null)
                        throw new IllegalStateException(q.id() + ": '" + pl.find() + "' is not unique in " + pl.doc());
                    found = p;
                }
            }
            if (found == null)
                throw new IllegalStateException(q.id() + ": '" + pl.find() + "' not found in " + pl.doc());
            out.add(found);
        }
        return out;
    }

    private static List<Question> questions(JsonNode a, boolean noAnswer) {
        List<Question> out = new ArrayList<>();
        for (JsonNode q : a) {
            List<Place> places = new ArrayList<>();
            if (q.has("places"))
                for (JsonNode p : q.get("places"))
                    places.add(new Place(p.get("doc").asText(), p.get("find").asText()));
            else if (!noAnswer)
                places.add(new Place(q.get("doc").asText(), q.get("find").asText()));
            out.add(new Question(
                    q.get("id").asText(), q.get("q").asText(), q.get("kw").asText(), places));
        }
        return out;
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : a) out.add(n.asText());
        return out;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static double mean(List<Double> v) {
        double s = 0;
        for (double x : v) s += x;
        return v.isEmpty() ? 0 : s / v.size();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
