package io.ltm.topology.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.MemoryConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node bench's denominator: the update alone, repeated, at its fastest repeat. */
class UpdateRateTest {

    @Test
    void theRateIsTheFastestOfThreeRepeatsOfTheSameTokens() {
        MemoryConfig cfg = MemoryConfig.builder().dim(16).build();
        Map<String, Object> r = UpdateRate.measure(cfg, 2, 3L * cfg.contractionLength());

        assertThat(r.get("tokens")).isEqualTo(6L * cfg.contractionLength());
        assertThat(r.get("repeats")).isEqualTo(3);
        @SuppressWarnings("unchecked")
        List<Double> perRepeat = (List<Double>) r.get("cpuSecPerRepeat");
        assertThat(perRepeat).hasSize(3);
        double fastest =
                perRepeat.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertThat((double) r.get("cpuSec")).isEqualTo(fastest);
    }
}
