package io.ltm.topology.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangelogVersusTokensTest {

    @Test
    void eachStoresShareOfTheTokenVectorsBytesIsPrintedAndTheyAddUpToTheWhole() {
        Map<String, Object> byStore = new LinkedHashMap<>();
        byStore.put("ltm-short-term-changelog", 186_000_000L);
        byStore.put("ltm-coefficients-changelog", 168_700_000L);
        byStore.put("ltm-terms-changelog", 4_260_000L);
        long sent = byStore.values().stream().mapToLong(v -> (long) v).sum();
        Map<String, Object> node = Map.of("changelogBytesSent", sent, "changelogBytesSentByStore", byStore);
        long tokens = 256_000, vectorBytes = tokens * 768;

        Map<String, Object> r = NodeBench.changelogVersusTokens(node, tokens, vectorBytes);

        @SuppressWarnings("unchecked")
        Map<String, Double> shares = (Map<String, Double>) r.get("ratioByStore");
        assertThat(shares).containsOnlyKeys(byStore.keySet());
        assertThat(shares.get("ltm-short-term-changelog")).isEqualTo(0.9460);
        assertThat(shares.get("ltm-terms-changelog")).isEqualTo(0.0217);
        double whole = (double) r.get("ratio");
        // the whole is rounded to three places, each share to four
        assertThat(shares.values().stream().mapToDouble(Double::doubleValue).sum())
                .isCloseTo(whole, offset(7e-4));
        assertThat(whole).isEqualTo(1.826);
    }
}
