package io.ltm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Reads from a {@link ReadyMemory} (keys computed once per memory version, the query's work in plain Java) give what
 * the per-query DJL read gives; the cache hands out a ready memory only for the version it was built from.
 */
class ReadyMemoryTest {
    static final double TOL = 1e-5;
    private static final double BATCH_SHAPE_TOL = 1e-4;

    static MemoryState grown(LongTermMemory ltm, MemoryConfig cfg, int batches, int count, Random rng) {
        MemoryState s = MemoryState.empty(cfg);
        for (int i = 0; i < batches; i++) {
            s = ltm.absorb(
                    s,
                    new TokenBatch(
                            MathPropertiesTest.randn(count * cfg.dim(), rng),
                            count,
                            null,
                            new TokenSource("in", 0, i, 1000L + i, "e" + i)));
        }
        return s;
    }

    private static List<Span> aboveUnderflow(List<Span> spans) {
        return spans.stream().filter(s -> s.weight() >= 1e-30).toList();
    }

    /**
     * Largest differences between two reads: {spans' μ, σ and weight; context, relative (its entries are sums of N
     * rows); histogram; spans' scores}.
     */
    static double[] compare(ReadResult a, ReadResult b) {
        // a mode of float32 underflow (with T = 0.002 all attention is on one place, and a young epoch's empty tail):
        // its profile values are denormals whose rounding depends on the order of summation in either implementation,
        // so one may find it where the other's values rounded to zero
        List<Span> as = aboveUnderflow(a.spans()), bs = aboveUnderflow(b.spans());
        assertThat(as).hasSameSizeAs(bs);
        double span = 0, ctx = 0, hist = 0, score = 0;
        for (int j = 0; j < as.size(); j++) {
            Span x = as.get(j), y = bs.get(j);
            span = Math.max(span, Math.max(Math.abs(x.mu() - y.mu()), Math.abs(x.sigma() - y.sigma())));
            span = Math.max(span, Math.abs(x.weight() - y.weight()));
            score = Math.max(score, Math.abs(x.score() - y.score()));
            assertThat(x.tokenStart()).isEqualTo(y.tokenStart());
            assertThat(x.tokenEnd()).isEqualTo(y.tokenEnd());
        }
        if (a.context() != null) {
            double scale = 0;
            for (float v : b.context()) scale = Math.max(scale, Math.abs(v));
            for (int j = 0; j < a.context().length; j++)
                ctx = Math.max(ctx, Math.abs(a.context()[j] - b.context()[j]) / Math.max(1e-30, scale));
        }
        if (a.attentionHistogram() != null) {
            double total = 0;
            for (double v : b.attentionHistogram()) total += v;
            for (int j = 0; j < a.attentionHistogram().length; j++)
                hist = Math.max(hist, Math.abs(a.attentionHistogram()[j] - b.attentionHistogram()[j]) / total);
        } else {
            assertThat(b.attentionHistogram()).isNull();
        }
        assertThat(a.shortTermHits()).isEqualTo(b.shortTermHits());
        return new double[] {span, ctx, hist, score};
    }

    /**
     * The zero-shot long-term context in float64 throughout (keys Ψ(centres)·B, softmax, moments, r, Bᵀr), from the
     * pooled query; the yardstick for both float32 implementations.
     */
    static double[] contextF64(MemoryConfig cfg, MemoryState s, float[] query, int count) {
        io.ltm.model.internal.Basis basis = io.ltm.model.internal.Basis.of(cfg.basisSize(), cfg.widths());
        int n = basis.size(), d = cfg.dim(), sw = cfg.widths().length;
        float[] b = s.coefficients();
        double[] q = new double[d];
        for (int i = 0; i < count; i++) for (int j = 0; j < d; j++) q[j] += query[i * d + j] / (double) count;
        double[] score = new double[n];
        if (cfg.cosineKeys()) {
            int c = n / sw;
            double[] centres = new double[c];
            for (int i = 0; i < c; i++) centres[i] = basis.mu(i * sw);
            double[] psi = basis.psi(centres);
            double qn = 0;
            for (double v : q) qn += v * v;
            qn = Math.sqrt(qn);
            for (int i = 0; i < c; i++) {
                double[] x = new double[d];
                for (int k = 0; k < n; k++) for (int j = 0; j < d; j++) x[j] += psi[i * n + k] * b[k * d + j];
                double xx = 0, xq = 0;
                for (int j = 0; j < d; j++) {
                    xx += x[j] * x[j];
                    xq += x[j] * q[j];
                }
                for (int t = 0; t < sw; t++)
                    score[i * sw + t] = xq / Math.max(1e-30, Math.sqrt(xx) * qn) / cfg.temperature();
            }
        } else {
            for (int k = 0; k < n; k++) {
                double xq = 0;
                for (int j = 0; j < d; j++) xq += b[k * d + j] * q[j];
                score[k] = xq / (Math.sqrt(d) * cfg.temperature());
            }
        }
        // basis functions centred past the filled extent (the empty tail of a uniform epoch) get no attention
        int centres = n / sw;
        double spacing = centres > 1 ? 1.0 / (centres - 1) : 1.0;
        double filled = s.timeline().filledUpTo();
        for (int k = 0; k < n; k++) if (basis.mu(k) - spacing > filled) score[k] = Double.NEGATIVE_INFINITY;
        double mx = Double.NEGATIVE_INFINITY, sum = 0, m1 = 0, m2 = 0;
        for (double v : score) mx = Math.max(mx, v);
        double[] a = new double[n];
        for (int k = 0; k < n; k++) {
            a[k] = Math.exp(score[k] - mx);
            sum += a[k];
        }
        for (int k = 0; k < n; k++) {
            a[k] /= sum;
            m1 += a[k] * basis.mu(k);
            m2 += a[k] * (basis.mu(k) * basis.mu(k) + basis.sigma(k) * basis.sigma(k));
        }
        double s2 = Math.max(m2 - m1 * m1, cfg.sigma2Min());
        double[] r = basis.expectedPsi(new double[] {m1}, new double[] {s2});
        double[] ctx = new double[d];
        for (int k = 0; k < n; k++) for (int j = 0; j < d; j++) ctx[j] += r[k] * b[k * d + j];
        return ctx;
    }

    /** max |x - ref| / max |ref|. */
    static double relative(float[] x, double[] ref) {
        double scale = 0, diff = 0;
        for (double v : ref) scale = Math.max(scale, Math.abs(v));
        for (int j = 0; j < ref.length; j++) diff = Math.max(diff, Math.abs(x[j] - ref[j]));
        return diff / Math.max(1e-30, scale);
    }

    @Test
    void cachedHostReadsEqualTheDeviceReads() {
        List<MemoryConfig> cfgs = List.of(
                EngineTest.small(true),
                EngineTest.small(false).toBuilder().cosineKeys(false).build(),
                MemoryConfig.builder().sticky(true).build(), // the defaults: N = 512, d = 384
                MemoryConfig.builder()
                        .sticky(false)
                        .retention(RetentionPolicy.UNIFORM)
                        .widths(0.01, 0.02, 0.05)
                        .basisSize(300)
                        .dim(48)
                        .build());
        Random rng = new Random(11);
        for (MemoryConfig cfg : cfgs) {
            double[] worst = new double[4];
            double worstHost = 0, worstDev = 0, worstLtm = 0;
            try (LongTermMemory host = LongTermMemory.create(cfg, Device.cpu());
                    LongTermMemory dev = LongTermMemory.create(cfg, Device.cpu())) {
                assertThat(host.hostReads()).isTrue();
                dev.setHostReads(false);
                host.setReadyCache(new ReadyMemoryCache(1L << 30));
                MemoryState s = grown(host, cfg, 3, cfg.contractionLength() + 37, rng);
                for (int i = 0; i < 12; i++) {
                    float[] q = MathPropertiesTest.randn(2 * cfg.dim(), rng);
                    if (i % 3 == 1) { // a query that matches a stretch of the memory: a sharp attention
                        float[] b = s.coefficients();
                        int row = rng.nextInt(cfg.basisSize());
                        System.arraycopy(b, row * cfg.dim(), q, 0, cfg.dim());
                        System.arraycopy(b, row * cfg.dim(), q, cfg.dim(), cfg.dim());
                    }
                    ReadOptions o = new ReadOptions(1 + i % 4, true, i % 2 == 0, AttentionHeadKind.ZERO_SHOT);
                    ReadResult a = host.read("k", s, q, 2, o);
                    ReadResult b = dev.read(s, q, 2, o);
                    double[] w = compare(a, b);
                    for (int j = 0; j < 4; j++) worst[j] = Math.max(worst[j], w[j]);
                    if (!o.includeShortTerm()) {
                        worstLtm = Math.max(worstLtm, w[1]);
                        double[] ref = contextF64(cfg, s, q, 2);
                        worstHost = Math.max(worstHost, relative(a.context(), ref));
                        worstDev = Math.max(worstDev, relative(b.context(), ref));
                    }
                }
                assertThat(host.readyCache().misses()).isEqualTo(1);
                assertThat(host.readyCache().hits()).isEqualTo(11);
            }
            System.out.printf(
                    "host vs device reads, %s: spans %.2e, their scores %.2e, context %.2e (relative), histogram "
                            + "%.2e; long-term context alone %.2e; vs float64: host %.2e, device %.2e%n",
                    cfg, worst[0], worst[3], worst[1], worst[2], worstLtm, worstHost, worstDev);
            // spans: the same within 1e-5 of the axis, 2e-5 with broad widths (they make the ridge coefficients large
            // and alternating, and the device's float32 keys cancel: 1.5e-5 to 1.6e-5 at widths 0.01-0.05, whether
            // the device's own context error against float64 was 1.2e-5 or, with B refit more exactly, 6e-6)
            double spanTol = Arrays.stream(cfg.widths()).max().orElseThrow() > 0.01 ? 2 * TOL : TOL;
            assertThat(worst[0]).isLessThan(spanTol);
            // span scores: cosines within 1e-4; where a span lies just past a young epoch's content, Bᵀ E[ψ] is the
            // fading edge of the fit, whose float32 sum on the device cancels (4.4e-5 at widths 0.01-0.05)
            assertThat(worst[3]).isLessThan(1e-4);
            // the long-term context: closer to float64 than 1e-5 (relative to its largest entry), and no farther from
            // the
            // device read than the device read is from float64 (plus 1e-5): the device's keys are a float32 sum that
            // cancels (ridge coefficients alternate in sign), and its σ² is m2 − μ² in float32; T amplifies both
            assertThat(worstHost).isLessThan(TOL);
            assertThat(worstLtm).isLessThan(worstDev + TOL);
            // with the short-term part the context is a softmax(cos/T) mix of two contexts: it passes a difference of
            // the long-term context on, multiplied by about |c_LTM − c_STM|/T
            assertThat(worst[1]).isLessThan(5e-4);
            // histogram: within 2e-5 of the total mass (1.04e-5 at T = 0.002, where the device's float32 keys move a by
            // 1/T = 500 times their rounding)
            assertThat(worst[2]).isLessThan(2 * TOL);
        }
    }

    @Test
    void theRecurrenceOfExpectedPsiIsTheClosedForm() {
        for (double[] widths : new double[][] {{0.005, 0.01}, {0.01, 0.02, 0.05}, {0.3}}) {
            for (int n : new int[] {512, 300, 6}) {
                io.ltm.model.internal.Basis basis = io.ltm.model.internal.Basis.of(n, widths);
                io.ltm.model.internal.ExpectedPsi psi = new io.ltm.model.internal.ExpectedPsi(basis);
                for (double m : new double[] {0, 1e-3, 0.25, 0.5, 0.77777, 1}) {
                    for (double s2 : new double[] {1e-4, 3e-3, 0.08}) {
                        float[] r = psi.expected(m, s2);
                        double[] ref = basis.expectedPsi(new double[] {m}, new double[] {s2});
                        for (int k = 0; k < basis.size(); k++) {
                            double v = s2 + basis.sigma(k) * basis.sigma(k), dm = m - basis.mu(k);
                            if (dm * dm / v * -0.5 > io.ltm.model.internal.ExpectedPsi.CUTOFF_EXPONENT)
                                assertThat((double) r[k]).isCloseTo(ref[k], offset(1e-6 * ref[k]));
                            else assertThat(r[k]).isZero();
                        }
                    }
                }
            }
        }
    }

    @Test
    void batchedCachedReadsEqualSingleUncachedReads() {
        MemoryConfig cfg = EngineTest.small(true);
        Random rng = new Random(12);
        try (LongTermMemory ltm = LongTermMemory.create(cfg, Device.cpu());
                LongTermMemory plain = LongTermMemory.create(cfg, Device.cpu())) {
            ltm.setReadyCache(new ReadyMemoryCache(1L << 30));
            List<ReadRequest> reqs = new ArrayList<>();
            for (int k = 0; k < 6; k++) {
                MemoryState s = grown(ltm, cfg, 1 + k % 3, 70, rng);
                reqs.add(new ReadRequest(
                        "key" + k,
                        s,
                        MathPropertiesTest.randn(cfg.dim(), rng),
                        1,
                        new ReadOptions(1 + k % 3, true, true, AttentionHeadKind.ZERO_SHOT)));
            }
            for (int round = 0; round < 2; round++) {
                List<ReadResult> batch = ltm.readBatch(reqs);
                for (int k = 0; k < reqs.size(); k++) {
                    ReadRequest r = reqs.get(k);
                    double[] w = compare(batch.get(k), plain.read(r.state(), r.query(), r.queryCount(), r.options()));
                    for (double v : w)
                        assertThat(v).isLessThan(1e-6); // the same host arithmetic: identical up to rounding
                }
            }
            assertThat(ltm.readyCache().size()).isEqualTo(6);
            assertThat(ltm.readyCache().misses()).isEqualTo(6);
            assertThat(ltm.readyCache().hits()).isEqualTo(6);
        }
    }

    @Test
    void readsOfOneMemoryInABatchShareItsPassesAndGiveExactlyTheSingleReads() {
        // 21 dimensions: the scores' partial sums have a tail past the last multiple of 8
        for (MemoryConfig cfg : List.of(
                EngineTest.small(true),
                EngineTest.small(true).toBuilder().dim(21).build())) {
            readsInABatchGiveExactlyTheSingleReads(cfg);
        }
    }

    @Test
    void aReadThatDoesNotAskForTheContextFindsTheSameSpansWithoutIt() {
        // the context's Gaussian is wide and the spans' narrow: without the context the pass over B skips most rows,
        // and the spans, their scores and the histogram come out bit for bit the same
        MemoryConfig cfg = MemoryConfig.builder().sticky(true).build();
        Random rng = new Random(19);
        try (LongTermMemory ltm = LongTermMemory.create(cfg, Device.cpu())) {
            ltm.setReadyCache(new ReadyMemoryCache(1L << 30));
            MemoryState s = grown(ltm, cfg, 3, cfg.contractionLength() + 37, rng); // the defaults: N = 512, d = 384
            for (int i = 0; i < 4; i++) {
                float[] q = MathPropertiesTest.randn(2 * cfg.dim(), rng);
                ReadResult with =
                        ltm.read("k", s, q, 2, new ReadOptions(1 + i, true, false, AttentionHeadKind.ZERO_SHOT));
                ReadResult without =
                        ltm.read("k", s, q, 2, new ReadOptions(1 + i, false, false, AttentionHeadKind.ZERO_SHOT));
                assertThat(with.context()).isNotNull();
                assertThat(without.context()).isNull();
                assertThat(without.spans()).isNotEmpty().isEqualTo(with.spans());
                assertThat(without.attentionHistogram()).isEqualTo(with.attentionHistogram());
            }
        }
    }

    @Test
    void deviceReadsOfABatchThatSharesMemoriesGiveTheSingleReads() {
        // the device read uploads each distinct memory once and indexes the reads into them: 7 reads of 3 memories,
        // with both key forms, agree with the reads made one at a time
        for (MemoryConfig cfg : List.of(
                EngineTest.small(true),
                EngineTest.small(false).toBuilder().cosineKeys(false).build())) {
            Random rng = new Random(17);
            try (LongTermMemory dev = LongTermMemory.create(cfg, Device.cpu())) {
                dev.setHostReads(false);
                List<MemoryState> memories =
                        List.of(grown(dev, cfg, 2, 70, rng), grown(dev, cfg, 3, 70, rng), grown(dev, cfg, 1, 70, rng));
                List<ReadRequest> reqs = new ArrayList<>();
                for (int i = 0; i < 7; i++) {
                    reqs.add(new ReadRequest(
                            "key" + i % 3,
                            memories.get(i % 3),
                            MathPropertiesTest.randn(cfg.dim(), rng),
                            1,
                            new ReadOptions(1 + i % 3, true, i % 2 == 0, AttentionHeadKind.ZERO_SHOT)));
                }
                List<ReadResult> batch = dev.readBatch(reqs);
                for (int i = 0; i < reqs.size(); i++) {
                    double[] w = compare(
                            batch.get(i), dev.readBatch(List.of(reqs.get(i))).get(0));
                    // float32 products of other shapes (batched over 7 reads or 1) round differently
                    for (double v : w) assertThat(v).isLessThan(BATCH_SHAPE_TOL);
                }
                assertThat(batch.get(0).context()).isNotEqualTo(batch.get(3).context()); // one memory, two queries
            }
        }
    }

    private static void readsInABatchGiveExactlyTheSingleReads(MemoryConfig cfg) {
        Random rng = new Random(13);
        try (LongTermMemory ltm = LongTermMemory.create(cfg, Device.cpu())) {
            ltm.setReadyCache(new ReadyMemoryCache(1L << 30));
            List<MemoryState> memories = List.of(grown(ltm, cfg, 2, 70, rng), grown(ltm, cfg, 3, 70, rng));
            List<ReadRequest> reqs = new ArrayList<>();
            for (int i = 0; i < 7; i++) { // interleaved: 4 reads of one memory, 3 of the other, varying spans
                reqs.add(new ReadRequest(
                        "key" + i % 2,
                        memories.get(i % 2),
                        MathPropertiesTest.randn(cfg.dim(), rng),
                        1,
                        new ReadOptions(1 + i % 3, true, false, AttentionHeadKind.ZERO_SHOT)));
            }
            List<ReadResult> batch = ltm.readBatch(reqs);
            for (int i = 0; i < reqs.size(); i++) {
                ReadResult single = ltm.readBatch(List.of(reqs.get(i))).get(0);
                assertThat(batch.get(i).spans()).isNotEmpty().isEqualTo(single.spans());
                assertThat(batch.get(i).context()).isEqualTo(single.context());
                assertThat(batch.get(i).attentionHistogram()).isNotNull().isEqualTo(single.attentionHistogram());
            }
            assertThat(batch.get(0).context())
                    .isNotEqualTo(batch.get(2).context()); // distinct queries, distinct answers
        }
    }

    @Test
    void aNewVersionOfTheMemoryInvalidatesTheCachedOne() {
        MemoryConfig cfg = EngineTest.small(false);
        Random rng = new Random(13);
        try (LongTermMemory ltm = LongTermMemory.create(cfg, Device.cpu());
                LongTermMemory dev = LongTermMemory.create(cfg, Device.cpu())) {
            dev.setHostReads(false);
            ReadyMemoryCache cache = new ReadyMemoryCache(1L << 30);
            ltm.setReadyCache(cache);
            MemoryState v1 = grown(ltm, cfg, 1, 64, rng);
            float[] q = MathPropertiesTest.randn(cfg.dim(), rng);
            ReadOptions o = new ReadOptions(2, true, false, AttentionHeadKind.ZERO_SHOT);
            ltm.read("k", v1, q, 1, o);
            ReadyMemory r1 = cache.get("k", v1, s -> {
                throw new AssertionError("must be cached");
            });
            assertThat(r1.isFor(v1)).isTrue();
            // short-term tokens and read statistics do not make a new version
            MemoryState more =
                    ltm.absorb(v1, new TokenBatch(MathPropertiesTest.randn(10 * cfg.dim(), rng), 10, null, null));
            assertThat(r1.isFor(more)).isTrue();
            // a contraction does
            MemoryState v2 =
                    ltm.absorb(more, new TokenBatch(MathPropertiesTest.randn(64 * cfg.dim(), rng), 64, null, null));
            assertThat(v2.contractions()).isEqualTo(v1.contractions() + 1);
            assertThat(r1.isFor(v2)).isFalse();
            // a stored version (counters and the fingerprint of B's log, as a codec reads them) is recognised
            // without decoding B; another fingerprint makes it another B
            long f2 = v2.coefficientLog().fingerprint();
            StoredVersion stored = new StoredVersion(
                    cfg.basisSize(), cfg.dim(), v2.contractions(), v2.longTermTokens(), v2.updatedAt(), f2);
            assertThat(ltm.ready(v2).isFor(stored)).isTrue();
            assertThat(r1.isFor(stored)).isFalse();
            StoredVersion otherB = new StoredVersion(
                    cfg.basisSize(), cfg.dim(), v2.contractions(), v2.longTermTokens(), v2.updatedAt(), f2 + 1);
            assertThat(ltm.ready(v2).isFor(otherB)).isFalse();
            ReadResult a = ltm.read("k", v2, q, 1, o);
            double[] wa = compare(a, dev.read(v2, q, 1, o));
            assertThat(Math.max(wa[0], wa[3])).isLessThan(TOL);
            assertThat(cache.size()).isEqualTo(1);
            assertThat(cache.get("k", v2, s -> {
                                throw new AssertionError("must be cached");
                            })
                            .isFor(v2))
                    .isTrue();
            // a forgotten key that grew again to the same counters is another memory
            MemoryState other = grown(ltm, cfg, 2, 64, new Random(99)).withUpdatedAt(v2.updatedAt());
            assertThat(other.contractions()).isEqualTo(v2.contractions());
            assertThat(other.longTermTokens()).isEqualTo(v2.longTermTokens());
            assertThat(cache.get("k", v2, s -> null).isFor(other)).isFalse();
            ReadResult b = ltm.read("k", other, q, 1, o);
            double[] wb = compare(b, dev.read(other, q, 1, o));
            assertThat(Math.max(wb[0], wb[3])).isLessThan(TOL);
        }
    }

    @Test
    void theCacheKeepsToItsByteBoundAndTheMostReadStay() {
        MemoryConfig cfg = EngineTest.small(false);
        Random rng = new Random(14);
        try (LongTermMemory ltm = LongTermMemory.create(cfg, Device.cpu())) {
            MemoryState s = grown(ltm, cfg, 1, 64, rng);
            long one = ltm.ready(s).bytes();
            long keys = 4L * cfg.basisSize() / 2 * cfg.dim(); // cosine keys: one per centre of two widths
            assertThat(one).isEqualTo(4L * cfg.basisSize() * cfg.dim() + keys);
            ReadyMemoryCache cache = new ReadyMemoryCache(3 * one);
            ltm.setReadyCache(cache);
            float[] q = MathPropertiesTest.randn(cfg.dim(), rng);
            for (String k : List.of("a", "b", "c")) ltm.read(k, s, q, 1, ReadOptions.defaults());
            ltm.read("a", s, q, 1, ReadOptions.defaults()); // a is now read more often than the others
            ltm.read("d", s, q, 1, ReadOptions.defaults()); // evicts one of b, c and d
            assertThat(cache.size()).isEqualTo(3);
            assertThat(cache.bytes()).isEqualTo(3 * one);
            assertThat(cache.evictions()).isEqualTo(1);
            long misses = cache.misses();
            ltm.read("a", s, q, 1, ReadOptions.defaults());
            assertThat(cache.misses()).isEqualTo(misses);
            for (String k : List.of("b", "c", "d")) ltm.read(k, s, q, 1, ReadOptions.defaults());
            assertThat(cache.misses()).isGreaterThan(misses);
            assertThat(cache.bytes()).isLessThanOrEqualTo(3 * one);
            ReadyMemoryCache off = new ReadyMemoryCache(0);
            ltm.setReadyCache(off);
            ltm.read("a", s, q, 1, ReadOptions.defaults());
            assertThat(off.size()).isZero();
            assertThat(off.bytes()).isZero();
        }
    }
}
