package io.ltm.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.ltm.model.internal.Half;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NoveltyScoreTest {
    private static final int D = 384;
    private static final long LONG_TERM = 0x5eed_1d5L;

    /** A summary's bytes: int K, long tokens, long the long-term record's id, K positions, K·d float16 unit keys. */
    private static byte[] summary(float[][] keys, float[] positions) {
        return summary(keys, positions, true);
    }

    /** {@code named}: false for the form written before summaries named their long-term record (no id). */
    private static byte[] summary(float[][] keys, float[] positions, boolean named) {
        int header = named ? 20 : 12;
        ByteBuffer bb = ByteBuffer.allocate(header + keys.length * (4 + 2 * D)).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(keys.length).putLong(1000);
        if (named) bb.putLong(LONG_TERM);
        for (float p : positions) bb.putFloat(p);
        for (float[] k : keys) for (float v : Novelty.unit(k)) bb.putShort(Half.fromFloat(v));
        return bb.array();
    }

    private static float[] randn(Random rng) {
        float[] v = new float[D];
        for (int j = 0; j < D; j++) v[j] = (float) rng.nextGaussian();
        return v;
    }

    /** max cosine over the keys as stored (float16) and the recent means, in float64; {cosine, index or -1}. */
    private static double[] reference(float[] u, byte[] bytes, List<float[]> recent) {
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int k = bb.getInt(0);
        double best = Double.NEGATIVE_INFINITY, at = -1;
        for (int i = 0; i < k; i++) {
            double dot = 0;
            for (int j = 0; j < D; j++) dot += u[j] * (double) Half.toFloat(bb.getShort(20 + 4 * k + 2 * (i * D + j)));
            if (dot > best) {
                best = dot;
                at = i;
            }
        }
        for (float[] r : recent) {
            double dot = 0;
            for (int j = 0; j < D; j++) dot += u[j] * (double) r[j];
            if (dot > best) {
                best = dot;
                at = -1;
            }
        }
        return new double[] {best, at};
    }

    @Test
    void scoresAreTheBestCosineOverTheKeysAndTheRecentEventsAsInFloat64() {
        Random rng = new Random(5);
        for (int k : new int[] {1, 3, 64}) {
            float[][] keys = new float[k][];
            float[] positions = new float[k];
            for (int i = 0; i < k; i++) {
                keys[i] = randn(rng);
                positions[i] = (i + 0.5f) / k;
            }
            byte[] bytes = summary(keys, positions);
            Novelty.Summary s = Novelty.Summary.decode(bytes, D);
            for (int trial = 0; trial < 20; trial++) {
                // near one key, or near a recent event, or unrelated
                float[] near = trial % 3 == 0 ? keys[rng.nextInt(k)] : randn(rng);
                float[] q = near.clone();
                for (int j = 0; j < D; j++) q[j] += (float) (0.3 * rng.nextGaussian());
                float[] u = Novelty.unit(q);
                List<float[]> recent = new ArrayList<>();
                for (int r = 0; r < 5; r++) recent.add(Novelty.unit(trial % 3 == 1 && r == 2 ? near : randn(rng)));
                double[] ref = reference(u, bytes, recent);
                Novelty.Score score = Novelty.score(u, s, recent);
                assertThat(score.bestCosine()).isCloseTo(ref[0], offset(2e-6));
                assertThat(score.novelty()).isCloseTo(1 - ref[0], offset(2e-6));
                if (ref[1] < 0) assertThat(score.nearestT()).isNaN();
                else assertThat(score.nearestT()).isEqualTo(positions[(int) ref[1]]);
            }
        }
    }

    @Test
    void aSummaryNamesItsLongTermRecordAndOneWrittenBeforeThatNamesNone() {
        Random rng = new Random(9);
        for (int k : new int[] {0, 1, 3, 64}) {
            float[][] keys = new float[k][];
            float[] positions = new float[k];
            for (int i = 0; i < k; i++) {
                keys[i] = randn(rng);
                positions[i] = (i + 0.5f) / k;
            }
            Novelty.Summary named = Novelty.Summary.decode(summary(keys, positions, true), D);
            Novelty.Summary unnamed = Novelty.Summary.decode(summary(keys, positions, false), D);
            assertThat(named.longTerm()).as("K = %d", k).isEqualTo(LONG_TERM);
            assertThat(unnamed.longTerm()).as("K = %d", k).isEqualTo(ShortTermIndex.UNKNOWN);
            assertThat(unnamed)
                    .as("K = %d", k)
                    .usingRecursiveComparison()
                    .ignoringFields("longTerm")
                    .isEqualTo(named);
            assertThat(named.keys()).isEqualTo(k);
            assertThat(named.tokens()).isEqualTo(1000);
        }
        assertThat(Novelty.Summary.decode(null, D).longTerm()).isEqualTo(ShortTermIndex.UNKNOWN);
    }
}
