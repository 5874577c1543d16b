package io.ltm.model.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.net.URISyntaxException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Replays every vector file (shared ones and fresh ones with other parameters) through VerifyReference. */
class VerifyReferenceTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "tiny.json",
                "tiny-sticky.json",
                "gpt2.json",
                "gpt2-sticky.json",
                "sorting.json",
                "fresh-3widths-sticky.json",
                "fresh-oddL-f32pos.json",
                "fresh-M300-sticky.json",
                "fresh-tiny-withinbin-uniform.json"
            })
    void fileConformsWithinTolerance(String name) throws Exception {
        ObjectNode r = VerifyReference.verify(file(name));
        System.out.println(name + ": max_error=" + r.get("max_error").asDouble() + " pass="
                + r.get("pass").asBoolean());
        assertThat(r.get("errors").size()).isGreaterThan(20);
        for (String key :
                new String[] {"basis_psi", "B_after", "Xbar_probe", "mu", "sigma2", "r", "context", "Z", "KL"}) {
            assertThat(r.get("errors").has(key)).as(key).isTrue();
        }
        if (!name.contains("withinbin-uniform")) {
            assertThat(r.get("errors").has("engine_B_after")).isTrue();
            assertThat(r.get("errors").has("engine_Z")).isTrue();
        }
        if (r.get("config").get("sticky").asBoolean())
            assertThat(r.get("errors").has("histogram")).isTrue();
        assertThat(r.get("max_error").asDouble()).isLessThanOrEqualTo(VerifyReference.TOLERANCE);
        assertThat(r.get("pass").asBoolean()).isTrue();
    }

    static File file(String name) throws URISyntaxException {
        return new File(
                VerifyReferenceTest.class.getResource("/vectors/" + name).toURI());
    }
}
