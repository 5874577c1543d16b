package io.ltm.topology.picture;

import io.ltm.model.AttentionHeadKind;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadOptions;
import io.ltm.model.ReadRequest;
import io.ltm.model.Span;
import io.ltm.model.Timeline;
import io.ltm.model.TokenSource;
import io.ltm.model.internal.Basis;
import io.ltm.topology.internal.Novelty;
import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A picture of one key's memory along t ∈ [0, 1] (the one drawing used by {@code ltm inspect} and the node's HTTP page):
 * <ul>
 *   <li>where content sits: the reconstruction energy |X̄(t)|, X̄(t) = Bᵀψ(t), with the empty tail past the filled
 *       extent greyed out;</li>
 *   <li>the timeline: token index and event time under the t axis (through {@link Timeline#tokenAt} and the sources);</li>
 *   <li>for a query: the zero-shot head's attention density Σ_n a_n ψ_n(t) (a = softmax of the cosine between the query
 *       and X̄ at the basis centres over T, no attention past the filled extent, as {@code ContinuousAttention}), and the
 *       spans the engine answers, as bands μ ± σ with their scores.</li>
 * </ul>
 * PNG through java.awt (headless), HTML as a page with the PNG inline.
 */
public final class MemoryPicture {

    /** Samples of t drawn across the axis. */
    public static final int SAMPLES = 400;

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** What the picture shows, computed once (also usable as JSON). */
    public record Data(
            String key,
            long tokensAbsorbed,
            long longTermTokens,
            int shortTermTokens,
            long contractions,
            double filledUpTo,
            double[] t,
            double[] energy,
            double[] tickT,
            String[] tickTokens,
            String[] tickTimes,
            String query,
            double[] density,
            List<Span> spans) {
        public boolean hasQuery() {
            return density != null;
        }
    }

    private MemoryPicture() {}

    /**
     * Computes the picture's data. {@code query}: the query's token vectors (count × d, row-major) or null, with their
     * texts ({@code queryTokens}, nullable: the spans are then the continuous attention's alone); {@code engine}
     * answers the spans as a node's read does (may be null: no spans); {@code queryText} is shown as the caption.
     */
    public static Data of(
            String key,
            MemoryState s,
            MemoryConfig cfg,
            String queryText,
            float[] query,
            int queryCount,
            List<String> queryTokens,
            int spans,
            LongTermMemory engine) {
        Basis basis = Basis.of(cfg.basisSize(), cfg.widths());
        int d = cfg.dim();
        float[] b = s.coefficients();
        Timeline tl = s.timeline();
        double filled = b == null ? 0 : tl.filledUpTo();
        double[] t = new double[SAMPLES];
        double[] energy = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            t[i] = i / (double) (SAMPLES - 1);
            if (b != null) {
                float[] x = Novelty.signalAt(b, basis, d, t[i]);
                double ss = 0;
                for (float v : x) {
                    ss += v * (double) v;
                }
                energy[i] = Math.sqrt(ss);
            }
        }
        double[] tickT = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
        String[] tickTokens = new String[tickT.length];
        String[] tickTimes = new String[tickT.length];
        DateTimeFormatter fmt =
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
        for (int i = 0; i < tickT.length; i++) {
            double tok = b == null || tickT[i] > filled + 1e-9 ? Double.NaN : tl.tokenAt(tickT[i]);
            tickTokens[i] = Double.isNaN(tok) ? "" : String.valueOf(Math.round(tok));
            if (Double.isNaN(tok)) {
                tickTimes[i] = "";
            } else {
                TokenSource src = tl.sourceOf(Math.round(tok));
                tickTimes[i] =
                        src == null || src.timestamp() <= 0 ? "" : fmt.format(Instant.ofEpochMilli(src.timestamp()));
            }
        }
        double[] density = null;
        List<Span> found = List.of();
        if (query != null && queryCount > 0) {
            float[] q = new float[d];
            for (int i = 0; i < queryCount; i++) {
                for (int j = 0; j < d; j++) {
                    q[j] += query[i * d + j];
                }
            }
            density = new double[SAMPLES];
            if (b != null) {
                double[] a = attention(b, basis, d, q, filled, cfg.temperature());
                for (int i = 0; i < SAMPLES; i++) {
                    double p = 0;
                    for (int n = 0; n < basis.size(); n++) {
                        if (a[n] < 1e-9) {
                            continue;
                        }
                        p += a[n] * basis.psi(n, t[i]);
                    }
                    density[i] = p;
                }
                if (engine != null) {
                    found = engine.read(new ReadRequest(
                                    null,
                                    s,
                                    query,
                                    queryCount,
                                    new ReadOptions(Math.max(1, spans), false, false, AttentionHeadKind.ZERO_SHOT),
                                    queryTokens))
                            .spans();
                }
            }
        }
        return new Data(
                key,
                s.tokensAbsorbed(),
                s.longTermTokens(),
                s.shortTermCount(),
                s.contractions(),
                filled,
                t,
                energy,
                tickT,
                tickTokens,
                tickTimes,
                queryText,
                density,
                found);
    }

    /** The zero-shot head's attention over the N basis functions (cosine keys at the centres, as ContinuousAttention). */
    static double[] attention(float[] b, Basis basis, int d, float[] q, double filled, double temperature) {
        double[] c = Novelty.centres(basis);
        int s = basis.widths().length;
        double spacing = c.length > 1 ? c[1] - c[0] : 1;
        float[] qn = unit(q);
        double[] score = new double[c.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < c.length; i++) {
            if (c[i] - spacing > filled) {
                score[i] = Double.NEGATIVE_INFINITY;
                continue;
            }
            float[] k = unit(Novelty.signalAt(b, basis, d, c[i]));
            double dot = 0;
            for (int j = 0; j < d; j++) {
                dot += k[j] * qn[j];
            }
            score[i] = dot / temperature;
            max = Math.max(max, score[i]);
        }
        double[] a = new double[basis.size()];
        double sum = 0;
        for (int i = 0; i < c.length; i++) {
            double e = score[i] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(score[i] - max);
            for (int k = 0; k < s; k++) {
                a[i * s + k] = e;
                sum += e;
            }
        }
        for (int n = 0; n < a.length; n++) {
            a[n] = sum > 0 ? a[n] / sum : 0;
        }
        return a;
    }

    private static float[] unit(float[] x) {
        double ss = 0;
        for (float v : x) {
            ss += v * (double) v;
        }
        double inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
        float[] o = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            o[i] = (float) (x[i] * inv);
        }
        return o;
    }

    // ------------------------------------------------------------------ drawing

    public static final Color BACKGROUND = Color.WHITE;
    static final Color ENERGY = new Color(0x2b6cb0);
    static final Color DENSITY = new Color(0xdd6b20);
    static final Color SPAN = new Color(0xf6ad55);
    static final Color EMPTY = new Color(0xe2e8f0);
    static final Color INK = new Color(0x1a202c);
    static final Color GRID = new Color(0xcbd5e0);

    /** Left and right margins of the plot area, in pixels. */
    public static final int MARGIN_LEFT = 104;

    public static final int MARGIN_RIGHT = 20;

    /** Default size: 1000 × 360, or 1000 × 520 with a query. */
    public static BufferedImage render(Data data) {
        return render(data, 1000, data.hasQuery() ? 520 : 360);
    }

    /** x pixel of memory position t in a picture of width w. */
    public static int x(double t, int w) {
        return MARGIN_LEFT + (int) Math.round(t * (w - MARGIN_LEFT - MARGIN_RIGHT));
    }

    public static BufferedImage render(Data data, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, w, h);
            int axisH = 62;
            int top = 34;
            int panels = data.hasQuery() ? 2 : 1;
            int panelH = (h - top - axisH - 10 * panels) / panels;
            int x0 = x(0, w);
            int x1 = x(1, w);
            text(
                    g,
                    String.format(
                            Locale.ROOT,
                            "%s: %,d tokens (%,d long-term, %d short-term, exact), %d contractions",
                            data.key(),
                            data.tokensAbsorbed(),
                            data.longTermTokens(),
                            data.shortTermTokens(),
                            data.contractions()),
                    8,
                    20,
                    14,
                    true);
            // panel 1: content
            int p1 = top;
            panel(g, data, x0, x1, p1, panelH, w);
            curve(g, data.t(), data.energy(), p1, panelH, w, ENERGY, true);
            text(g, "content |X\u0304(t)|", 6, p1 + 14, 12, false);
            // panel 2: the query's attention and spans
            if (data.hasQuery()) {
                int p2 = p1 + panelH + 10;
                panel(g, data, x0, x1, p2, panelH, w);
                Graphics2D gs = (Graphics2D) g.create();
                gs.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.45f));
                gs.setColor(SPAN);
                int rank = 0;
                for (Span s : data.spans()) {
                    int a = x(Math.max(0, s.mu() - s.sigma()), w);
                    int b = x(Math.min(1, s.mu() + s.sigma()), w);
                    gs.fillRect(a, p2, Math.max(2, b - a), panelH);
                }
                gs.dispose();
                curve(g, data.t(), data.density(), p2, panelH, w, DENSITY, false);
                for (Span s : data.spans()) {
                    rank++;
                    text(
                            g,
                            String.format(Locale.ROOT, "#%d %.2f", rank, s.score()),
                            x(s.mu(), w) - 18,
                            p2 + 14 + 13 * ((rank - 1) % 3),
                            11,
                            true);
                }
                text(g, "attention", 6, p2 + 14, 12, false);
                String q = data.query() == null ? "" : data.query();
                text(
                        g,
                        "query: " + (q.length() > 100 ? q.substring(0, 100) + "..." : q),
                        6,
                        p2 + panelH - 4 + 0,
                        11,
                        false);
            }
            // axis: t, token index, event time
            int ay = h - axisH;
            g.setColor(INK);
            g.drawLine(x0, ay, x1, ay);
            for (int i = 0; i < data.tickT().length; i++) {
                int x = x(data.tickT()[i], w);
                g.drawLine(x, ay, x, ay + 4);
                text(g, String.format(Locale.ROOT, "%.1f", data.tickT()[i]), x - 8, ay + 16, 11, false);
                text(g, data.tickTokens()[i], x - 14, ay + 31, 11, false);
                if (i % 2 == 0) {
                    text(g, data.tickTimes()[i], Math.max(x0 - 4, Math.min(w - 96, x - 44)), ay + 46, 10, false);
                }
            }
            text(g, "t", 6, ay + 16, 11, true);
            text(g, "token", 6, ay + 31, 11, true);
            text(g, "time (UTC)", 6, ay + 46, 11, true);
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void panel(Graphics2D g, Data data, int x0, int x1, int top, int h, int w) {
        if (data.filledUpTo() < 1) {
            int xf = x(Math.max(0, data.filledUpTo()), w);
            g.setColor(EMPTY);
            g.fillRect(xf, top, x1 - xf, h);
            if (x1 - xf > 60) {
                text(
                        g,
                        data.longTermTokens() == 0 ? "no long-term memory yet" : "empty",
                        xf + 6,
                        top + h / 2,
                        11,
                        false);
            }
        }
        g.setColor(GRID);
        g.setStroke(new BasicStroke(1));
        g.drawRect(x0, top, x1 - x0, h);
    }

    private static void curve(Graphics2D g, double[] t, double[] v, int top, int h, int w, Color c, boolean fill) {
        double max = 0;
        for (double y : v) {
            max = Math.max(max, y);
        }
        if (max <= 0) {
            return;
        }
        Polygon poly = new Polygon();
        poly.addPoint(x(t[0], w), top + h);
        List<int[]> pts = new ArrayList<>();
        for (int i = 0; i < t.length; i++) {
            int x = x(t[i], w);
            int y = top + h - (int) Math.round(v[i] / max * (h - 6));
            poly.addPoint(x, y);
            pts.add(new int[] {x, y});
        }
        poly.addPoint(x(t[t.length - 1], w), top + h);
        g.setColor(fill ? new Color(c.getRed(), c.getGreen(), c.getBlue(), 110) : c);
        if (fill) {
            g.fillPolygon(poly);
        }
        g.setColor(c);
        g.setStroke(new BasicStroke(fill ? 1.5f : 2f));
        for (int i = 1; i < pts.size(); i++) {
            g.drawLine(pts.get(i - 1)[0], pts.get(i - 1)[1], pts.get(i)[0], pts.get(i)[1]);
        }
    }

    /** Text, or nothing where the JVM has no fonts (a bare headless machine): the plot stays readable without labels. */
    private static void text(Graphics2D g, String s, int x, int y, int size, boolean bold) {
        if (s == null || s.isEmpty()) {
            return;
        }
        try {
            g.setColor(INK);
            g.setFont(new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, size));
            g.drawString(s, x, y);
        } catch (RuntimeException | Error e) {
            // no usable font
        }
    }

    /** The picture as PNG bytes. */
    public static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] png(Data data) {
        return png(render(data));
    }

    /** A self-contained HTML page: the PNG inline, and the spans as a table. */
    public static String html(Data data) {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>LTM memory of ")
                .append(escape(data.key()))
                .append("</title></head><body style=\"font-family:sans-serif\">\n");
        b.append(fragment(data));
        b.append("</body></html>\n");
        return b.toString();
    }

    /** The picture (inline PNG) and the spans table, for embedding in a page. */
    public static String fragment(Data data) {
        StringBuilder b = new StringBuilder();
        b.append("<h2>").append(escape(data.key())).append("</h2>\n");
        b.append("<img id=\"picture\" alt=\"memory of ")
                .append(escape(data.key()))
                .append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png(data)))
                .append("\">\n");
        if (data.hasQuery()) {
            b.append("<p>query: <b id=\"query\">").append(escape(data.query())).append("</b></p>\n");
            b.append(
                    "<table id=\"spans\" border=\"1\" cellpadding=\"4\"><tr><th>#</th><th>t = &mu; &plusmn; &sigma;</th>"
                            + "<th>score</th><th>weight</th><th>tokens</th><th>from</th><th>to</th></tr>\n");
            int i = 0;
            for (Span s : data.spans()) {
                b.append(String.format(
                        Locale.ROOT,
                        "<tr><td>%d</td><td>%.3f &plusmn; %.3f</td><td>%.2f</td><td>%.2f</td><td>%d&ndash;%d</td><td>%s</td><td>%s</td></tr>%n",
                        ++i,
                        s.mu(),
                        s.sigma(),
                        s.score(),
                        s.weight(),
                        s.tokenStart(),
                        s.tokenEnd(),
                        escape(source(s.from())),
                        escape(source(s.to()))));
            }
            b.append("</table>\n");
        }
        return b.toString();
    }

    private static String source(TokenSource s) {
        if (s == null || s.offset() < 0) {
            return "";
        }
        return s.topic() + "-" + s.partition() + "@" + s.offset()
                + (s.timestamp() > 0 ? " " + Instant.ofEpochMilli(s.timestamp()) : "");
    }

    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
