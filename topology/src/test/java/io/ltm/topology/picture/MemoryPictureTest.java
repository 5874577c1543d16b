package io.ltm.topology.picture;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.RetentionPolicy;
import io.ltm.model.TokenBatch;
import io.ltm.model.TokenSource;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The drawing: size, content where the memory has content, the empty tail, the query's attention where the answer is. */
class MemoryPictureTest {

    static final int D = 16;
    static MemoryConfig cfg;
    static LongTermMemory engine;
    static MemoryState state;
    static float[] planted;

    @BeforeAll
    static void memory() {
        cfg = MemoryConfig.builder()
                .dim(D)
                .basisSize(64)
                .widths(0.02, 0.04)
                .contractionLength(32)
                .samples(32)
                .retention(RetentionPolicy.UNIFORM)
                .sticky(false)
                .build();
        engine = LongTermMemory.create(cfg, Device.cpu());
        Random r = new Random(5);
        planted = new float[D];
        for (int j = 0; j < D; j++) {
            planted[j] = (float) r.nextGaussian();
        }
        MemoryState s = MemoryState.empty(cfg);
        float[] cur = new float[D];
        // 64 tokens of a slow random walk, 32 tokens of one planted direction, 64 more of the walk, 5 short-term
        for (int i = 0; i < 165; i++) {
            float[] v = new float[D];
            if (i >= 64 && i < 96) {
                v = planted.clone();
            } else {
                for (int j = 0; j < D; j++) {
                    cur[j] = (float) (0.9 * cur[j] + 0.3 * r.nextGaussian());
                }
                v = cur.clone();
            }
            s = engine.absorb(
                    s,
                    new TokenBatch(
                            v, 1, null, new TokenSource("ltm.events", 0, i, 1_700_000_000_000L + i * 60_000L, null)));
        }
        state = s;
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void thePngHasTheExpectedSizeAndContentWhereTheMemoryHasContent() throws Exception {
        MemoryPicture.Data data = MemoryPicture.of("k", state, cfg, null, null, 0, null, 1, engine);
        byte[] png = MemoryPicture.png(data);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(img.getWidth()).isEqualTo(1000);
        assertThat(img.getHeight()).isEqualTo(360);
        assertThat(data.shortTermTokens()).isEqualTo(5);
        int top = 34;
        int bottom = top + (360 - 34 - 62 - 10);
        // content: the filled part of the energy panel has the energy colour in many columns
        double filled = data.filledUpTo();
        assertThat(filled).isGreaterThan(0.2);
        int coloured = 0;
        int columns = 0;
        for (int x = MemoryPicture.x(0.02, 1000); x < MemoryPicture.x(filled - 0.02, 1000); x += 5) {
            columns++;
            if (columnHas(img, x, top + 2, bottom - 2, MemoryPicture.ENERGY)) {
                coloured++;
            }
        }
        assertThat(coloured).isGreaterThan(columns * 9 / 10);
        if (filled < 0.9) {
            // the empty tail is drawn as such, without content
            int x = MemoryPicture.x((filled + 1) / 2, 1000);
            assertThat(columnHas(img, x, top + 20, bottom - 20, MemoryPicture.ENERGY))
                    .isFalse();
            assertThat(new java.awt.Color(img.getRGB(x, top + (bottom - top) / 4)))
                    .isEqualTo(MemoryPicture.EMPTY);
        }
        // the background is white outside the plot
        assertThat(img.getRGB(999, 300) & 0xffffff).isEqualTo(0xffffff);
    }

    @Test
    void aQueryAddsItsAttentionWhereThePlantedContentIs() throws Exception {
        MemoryPicture.Data data = MemoryPicture.of("k", state, cfg, "the planted stretch", planted, 1, null, 2, engine);
        byte[] png = MemoryPicture.png(data);
        java.nio.file.Files.write(java.nio.file.Path.of("target", "memory-picture-with-query.png"), png); // to look at
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(img.getHeight()).isEqualTo(520);
        // the density's peak lies on the planted tokens 64..95
        int arg = 0;
        for (int i = 1; i < data.density().length; i++) {
            if (data.density()[i] > data.density()[arg]) {
                arg = i;
            }
        }
        double tok = state.timeline().tokenAt(data.t()[arg]);
        assertThat(tok).isBetween(56.0, 104.0);
        assertThat(data.spans()).isNotEmpty();
        assertThat(data.spans().get(0).tokenStart()).isLessThan(100);
        assertThat(data.spans().get(0).tokenEnd()).isGreaterThan(60);
        // the attention curve is drawn at the peak, in the second panel
        int panelH = (520 - 34 - 62 - 20) / 2;
        int p2 = 34 + panelH + 10;
        assertThat(columnHas(img, MemoryPicture.x(data.t()[arg], 1000), p2, p2 + panelH, MemoryPicture.DENSITY))
                .isTrue();
        assertThat(MemoryPicture.html(data))
                .contains("data:image/png;base64,")
                .contains("the planted stretch")
                .contains("<table id=\"spans\"");
    }

    /** A pixel of the energy curve or its fill (blue), or of the attention curve (orange), in column x. */
    private static boolean columnHas(BufferedImage img, int x, int y0, int y1, java.awt.Color c) {
        boolean blue = c.equals(MemoryPicture.ENERGY);
        for (int y = y0; y <= y1; y++) {
            java.awt.Color p = new java.awt.Color(img.getRGB(x, y));
            boolean hit =
                    blue ? p.getBlue() > p.getRed() + 40 : p.getRed() > 180 && p.getGreen() < 150 && p.getBlue() < 100;
            if (hit) {
                return true;
            }
        }
        return false;
    }
}
