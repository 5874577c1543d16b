package io.ltm.model.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashingEncoderTest {

    @Test
    void splitsIntoLowerCasedWordNumberAndPunctuationPieces() {
        EncodedText e = new HashingEncoder(64).encode("ERROR: disk sda1 full!  Größe 42%\tok");
        assertThat(e.tokens()).containsExactly("error", ":", "disk", "sda", "1", "full", "!", "größe", "42", "%", "ok");
        assertThat(e.count()).isEqualTo(11);
        assertThat(e.vectors()).hasSize(11 * 64);
        assertThat(e.dimension()).isEqualTo(64);
    }

    @Test
    void countTokensAgreesWithEncodeWithoutEncoding() {
        HashingEncoder enc = new HashingEncoder(64);
        for (String t :
                Arrays.asList("ERROR: disk sda1 full!  Größe 42%\tok", "", "  ", null, "a b c", "x\uD83D\uDE00y")) {
            assertThat(enc.countTokens(t))
                    .as(String.valueOf(t))
                    .isEqualTo(enc.encode(t).count());
        }
        // a 5 MB text of one-letter words: counted in one pass, no vectors allocated
        assertThat(enc.countTokens("a ".repeat(2_500_000))).isEqualTo(2_500_000);
    }

    @Test
    void emptyBlankAndNullTextsGiveNoTokensInOrder() {
        HashingEncoder enc = new HashingEncoder(32);
        List<String> in = new ArrayList<>(Arrays.asList("", "   \n", null, "x"));
        List<EncodedText> out = enc.encode(in);
        assertThat(out).hasSize(4);
        assertThat(out.get(0).count()).isZero();
        assertThat(out.get(1).count()).isZero();
        assertThat(out.get(2).count()).isZero();
        assertThat(out.get(3).tokens()).containsExactly("x");
    }

    @Test
    void deterministicAcrossInstancesAndBatches() {
        List<String> texts = List.of("user 17 logged in from 10.0.0.1", "Disk full on /var", "user 18 logged out");
        List<EncodedText> a = new HashingEncoder(384).encode(texts);
        List<EncodedText> b = new HashingEncoder(384).encode(texts);
        assertThat(a).isEqualTo(b);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(new HashingEncoder(384).encode(texts.get(i))).isEqualTo(a.get(i));
        }
    }

    @Test
    void stableAcrossReleases() {
        // golden values: the sign pattern of "error" must never change (stored vectors depend on it)
        float[] v = new HashingEncoder(384, 0f).pieceVector("error");
        float a = (float) (1 / Math.sqrt(384));
        StringBuilder signs = new StringBuilder();
        for (int j = 0; j < 16; j++) {
            assertThat(Math.abs(v[j])).isCloseTo(a, within(1e-7f));
            signs.append(v[j] > 0 ? '+' : '-');
        }
        assertThat(signs.toString()).isEqualTo(GOLDEN_ERROR_SIGNS);
    }

    static final String GOLDEN_ERROR_SIGNS = "++--+-+-++--++-+";

    @Test
    void sameTokenSameVectorWithoutContextAndUnitLength() {
        HashingEncoder enc = new HashingEncoder(384, 0f);
        EncodedText e = enc.encode("cat dog CAT cat");
        assertThat(e.vector(0)).containsExactly(e.vector(2));
        assertThat(e.vector(0)).containsExactly(e.vector(3));
        assertThat(e.vector(0)).containsExactly(enc.pieceVector("cat"));
        assertThat(VectorMath.dot(e.vectors(), 0, e.vectors(), 0, 384)).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void differentTokensAreNearlyOrthogonal() {
        HashingEncoder enc = new HashingEncoder(384, 0f);
        int n = 400;
        float[][] v = new float[n][];
        for (int i = 0; i < n; i++) {
            v[i] = enc.pieceVector("w" + i);
        }
        double max = 0;
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double c = Math.abs(VectorMath.cosine(v[i], v[j]));
                max = Math.max(max, c);
                sum += c;
                pairs++;
            }
        }
        // cosine of random sign vectors ~ N(0, 1/384): mean |cos| ~ 0.041, max over 80k pairs ~ 0.25
        assertThat(sum / pairs).isLessThan(0.06);
        assertThat(max).isLessThan(0.3);
    }

    @Test
    void contextMixesALittleOfTheNeighbours() {
        HashingEncoder enc = new HashingEncoder(384);
        EncodedText a = enc.encode("disk error now");
        EncodedText b = enc.encode("fatal error here");
        EncodedText lone = enc.encode("error");
        assertThat(lone.vector(0)).containsExactly(enc.pieceVector("error"));
        double same = VectorMath.cosine(a.vector(1), b.vector(1));
        assertThat(same).isBetween(0.8, 0.99);
        assertThat(VectorMath.cosine(a.vector(1), lone.vector(0))).isBetween(0.9, 0.99);
        for (int i = 0; i < a.count(); i++) {
            assertThat(VectorMath.dot(a.vectors(), i * 384, a.vectors(), i * 384, 384))
                    .isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void mixedVectorIsTheNormalisedSumOfPieceVectors() {
        for (int dim : new int[] {384, 100, 1, 64}) {
            HashingEncoder enc = new HashingEncoder(dim, 0.3f);
            EncodedText e = enc.encode("alpha beta gamma");
            float[][] u = {enc.pieceVector("alpha"), enc.pieceVector("beta"), enc.pieceVector("gamma")};
            for (int k = 0; k < 3; k++) {
                float[] x = new float[dim];
                for (int j = 0; j < dim; j++) {
                    x[j] = u[k][j] + (k > 0 ? 0.3f * u[k - 1][j] : 0f) + (k < 2 ? 0.3f * u[k + 1][j] : 0f);
                }
                VectorMath.normalize(x, 0, dim);
                float[] got = e.vector(k);
                for (int j = 0; j < dim; j++) {
                    assertThat(got[j]).as("dim %d token %d coord %d", dim, k, j).isCloseTo(x[j], within(1e-5f));
                }
            }
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new HashingEncoder(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HashingEncoder(8, 2f)).isInstanceOf(IllegalArgumentException.class);
    }
}
