package io.ltm.model.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A line chart as a PNG with the JDK alone ({@link BufferedImage} and {@link ImageIO}, headless): one line per series
 * over shared x values (log scale when asked), y in [yMin, yMax]. NaN points are skipped.
 */
final class BenchPlot {
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)
    };

    private BenchPlot() {}

    static void lines(
            Path out,
            String title,
            String xLabel,
            String yLabel,
            double[] xs,
            boolean logX,
            double yMin,
            double yMax,
            LinkedHashMap<String, double[]> series)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        int w = 820, h = 520, left = 70, right = 210, top = 40, bottom = 60;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            int pw = w - left - right, ph = h - top - bottom;
            double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY;
            for (double x : xs) {
                double v = logX ? Math.log10(x) : x;
                x0 = Math.min(x0, v);
                x1 = Math.max(x1, v);
            }
            if (x1 - x0 < 1e-9) {
                x0 -= 0.5;
                x1 += 0.5;
            }
            double pad = (x1 - x0) * 0.05;
            x0 -= pad;
            x1 += pad;
            final double fx0 = x0, fx1 = x1;
            java.util.function.DoubleUnaryOperator px =
                    x -> left + ((logX ? Math.log10(x) : x) - fx0) / (fx1 - fx0) * pw;
            java.util.function.DoubleUnaryOperator py = y -> top + (1 - (y - yMin) / (yMax - yMin)) * ph;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            // grid and y ticks
            for (int i = 0; i <= 5; i++) {
                double y = yMin + (yMax - yMin) * i / 5;
                int yy = (int) py.applyAsDouble(y);
                g.setColor(new Color(0xdddddd));
                g.drawLine(left, yy, left + pw, yy);
                g.setColor(Color.DARK_GRAY);
                g.drawString(String.format(java.util.Locale.ROOT, "%.2f", y), left - 40, yy + 4);
            }
            for (double x : xs) {
                int xx = (int) px.applyAsDouble(x);
                g.setColor(new Color(0xdddddd));
                g.drawLine(xx, top, xx, top + ph);
                g.setColor(Color.DARK_GRAY);
                String s = label(x);
                g.drawString(s, xx - g.getFontMetrics().stringWidth(s) / 2, top + ph + 18);
            }
            g.setColor(Color.BLACK);
            g.drawRect(left, top, pw, ph);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, left, top - 14);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(xLabel, left + pw / 2 - g.getFontMetrics().stringWidth(xLabel) / 2, h - 18);
            Graphics2D gr = (Graphics2D) g.create();
            gr.rotate(-Math.PI / 2);
            gr.drawString(yLabel, -(top + ph / 2 + gr.getFontMetrics().stringWidth(yLabel) / 2), 18);
            gr.dispose();
            int i = 0;
            for (Map.Entry<String, double[]> e : series.entrySet()) {
                Color c = COLORS[i % COLORS.length];
                g.setColor(c);
                g.setStroke(new BasicStroke(2f));
                double[] ys = e.getValue();
                int lx = -1, ly = -1;
                for (int j = 0; j < xs.length && j < ys.length; j++) {
                    if (Double.isNaN(ys[j])) {
                        lx = -1;
                        continue;
                    }
                    int xx = (int) px.applyAsDouble(xs[j]), yy = (int) py.applyAsDouble(ys[j]);
                    g.fillOval(xx - 4, yy - 4, 8, 8);
                    if (lx >= 0) g.drawLine(lx, ly, xx, yy);
                    lx = xx;
                    ly = yy;
                }
                int ky = top + 10 + 20 * i;
                g.drawLine(left + pw + 15, ky, left + pw + 40, ky);
                g.fillOval(left + pw + 24, ky - 4, 8, 8);
                g.setColor(Color.BLACK);
                g.drawString(e.getKey(), left + pw + 46, ky + 4);
                i++;
            }
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", out.toFile());
    }

    /**
     * One line per method (and retention) of a bench's {@code results}: {@code field} against {@code length}, the
     * x axis in log scale.
     */
    static void byLength(
            ObjectNode root,
            Path out,
            String field,
            String title,
            String xLabel,
            String yLabel,
            double yMin,
            double yMax)
            throws IOException {
        List<Integer> lengths = new ArrayList<>();
        LinkedHashMap<String, List<double[]>> pts = new LinkedHashMap<>();
        for (JsonNode r : root.get("results")) {
            int len = r.get("length").asInt();
            if (!lengths.contains(len)) lengths.add(len);
            String key = r.get("method").asText()
                    + ("none".equals(r.get("retention").asText())
                            ? ""
                            : " (" + r.get("retention").asText() + ")");
            pts.computeIfAbsent(key, k -> new ArrayList<>())
                    .add(new double[] {len, r.get(field).asDouble()});
        }
        double[] xs = lengths.stream().mapToDouble(Integer::doubleValue).toArray();
        LinkedHashMap<String, double[]> series = new LinkedHashMap<>();
        for (var e : pts.entrySet()) {
            double[] ys = new double[xs.length];
            Arrays.fill(ys, Double.NaN);
            for (double[] p : e.getValue()) ys[lengths.indexOf((int) p[0])] = p[1];
            series.put(e.getKey(), ys);
        }
        lines(out, title, xLabel, yLabel, xs, true, yMin, yMax, series);
    }

    private static String label(double x) {
        if (x >= 1e6 && x % 1e6 == 0) return (long) (x / 1e6) + "M";
        if (x >= 1e3 && x % 1e3 == 0) return (long) (x / 1e3) + "k";
        return String.valueOf((long) x);
    }
}
