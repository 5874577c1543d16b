package io.ltm.topology.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ltm.model.encoder.EncodedText;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.model.encoder.TextEncoder;
import io.ltm.schemas.DeadLetter;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.TokenEvent;
import io.ltm.schemas.registry.SchemaRegistryUnavailableException;
import io.ltm.topology.TestFixtures;
import io.ltm.topology.api.LtmConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class EncodeWorkerTest {

    /** The hashing encoder, recording every text that reached a model call. */
    private static final class RecordingEncoder implements TextEncoder {
        final HashingEncoder inner = new HashingEncoder(TestFixtures.DIM);
        final List<String> encoded = new ArrayList<>();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public int dimension() {
            return inner.dimension();
        }

        @Override
        public int countTokens(String text) {
            return inner.countTokens(text);
        }

        @Override
        public List<EncodedText> encode(List<String> texts) {
            encoded.addAll(texts);
            // a model that returns no usable result for one text of a batch (here: "poison")
            List<EncodedText> out = new ArrayList<>(inner.encode(texts));
            for (int i = 0; i < texts.size(); i++) if (texts.get(i).equals("poison")) out.set(i, null);
            return out;
        }

        @Override
        public void close() {}
    }

    private final RecordingEncoder encoder = new RecordingEncoder();
    private final WorkerHarness h = new WorkerHarness(TestFixtures.config("encode-" + UUID.randomUUID(), Map.of()));
    private final EncodeWorker worker = new EncodeWorker(h.config, encoder, h.consumer, () -> h.producer);

    private static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] event(String text) {
        return h.serialize(
                TokenEvent.class,
                "ltm.events",
                TokenEvent.newBuilder().setText(text).build());
    }

    private byte[] query(MemoryQuery q) {
        return h.serialize(MemoryQuery.class, "ltm.query-requests", q);
    }

    @Test
    void aFiveMegabyteTextEventIsDeadLetteredWithoutEncodingAndTheEventBehindItIsEncoded() {
        String huge = "a ".repeat(2_500_000);
        int pieceLimit = h.config.getInt(LtmConfig.INGEST_MAX_TOKENS);
        List<ProducerRecord<String, byte[]>> out = worker.process(h.add("ltm.events", key("k"), event(huge))
                .add("ltm.events", key("k"), event("a ".repeat(pieceLimit + 1).substring(0, 2 * pieceLimit + 1)))
                .add("ltm.events", key("k"), event("the disk is full"))
                .batch());
        List<DeadLetter> dead = h.values(out, "ltm.dlq", DeadLetter.class);
        assertThat(dead).hasSize(2);
        assertThat(dead.get(0).getErrorMessage()).contains("characters");
        assertThat(dead.get(0).getTruncated()).isTrue();
        assertThat(dead.get(0).getValueSize()).isGreaterThan(5_000_000);
        assertThat(dead.get(1).getErrorMessage()).contains("word pieces");
        List<EncodedTokens> tokens = h.values(out, "ltm.tokens", EncodedTokens.class);
        assertThat(tokens)
                .singleElement()
                .satisfies(t -> assertThat(t.getTokens()).containsExactly("the", "disk", "is", "full"));
        assertThat(encoder.encoded).containsExactly("the disk is full"); // the oversized texts never reached the model
    }

    @Test
    void aRecordThatFailsAfterTheBatchedEncodeIsDeadLetteredAloneAndTheOthersGoOn() {
        List<ProducerRecord<String, byte[]>> out = worker.process(h.add("ltm.events", key("k"), event("poison"))
                .add("ltm.events", key("k"), event("fresh news"))
                .batch());
        assertThat(h.values(out, "ltm.dlq", DeadLetter.class))
                .singleElement()
                .satisfies(d -> assertThat(d.getOffset()).isZero());
        assertThat(h.values(out, "ltm.tokens", EncodedTokens.class))
                .singleElement()
                .satisfies(t -> assertThat(t.getTokens()).containsExactly("fresh", "news"));
    }

    @Test
    void aKeyWithANulCharacterIsDeadLetteredHere() {
        List<ProducerRecord<String, byte[]>> out =
                worker.process(h.add("ltm.events", key("bad\u0000key"), event("hello"))
                        .add("ltm.events", key("good"), event("hello"))
                        .batch());
        assertThat(h.values(out, "ltm.dlq", DeadLetter.class))
                .singleElement()
                .satisfies(d -> assertThat(d.getErrorMessage()).contains("NUL"));
        assertThat(out.stream().filter(r -> r.topic().equals("ltm.tokens")).map(ProducerRecord::key))
                .containsExactly("good");
    }

    @Test
    void aRejectedQueryIsAnsweredWithAnErrorSoItsCallerDoesNotWaitForATimeout() {
        MemoryQuery empty =
                MemoryQuery.newBuilder().setQueryId("q-empty").setKey("k").build();
        MemoryQuery huge = MemoryQuery.newBuilder()
                .setQueryId("q-huge")
                .setKey("k")
                .setText("a ".repeat(2_500_000))
                .build();
        MemoryQuery good = MemoryQuery.newBuilder()
                .setQueryId("q-good")
                .setKey("k")
                .setText("what happened")
                .build();
        List<ProducerRecord<String, byte[]>> out = worker.process(h.add("ltm.query-requests", key("k"), query(empty))
                .add("ltm.query-requests", key("k"), query(huge))
                .add("ltm.query-requests", key("k"), query(good))
                .batch());
        assertThat(h.values(out, "ltm.dlq", DeadLetter.class)).hasSize(2);
        List<MemoryResponse> answers = h.values(out, "ltm.responses", MemoryResponse.class);
        assertThat(answers).extracting(MemoryResponse::getQueryId).containsExactly("q-empty", "q-huge");
        assertThat(answers).allSatisfy(r -> {
            assertThat(r.getFound()).isFalse();
            assertThat(r.getError()).startsWith("query rejected");
        });
        assertThat(answers.get(1).getError()).contains("characters");
        assertThat(h.values(out, "ltm.queries", MemoryQuery.class))
                .singleElement()
                .satisfies(q -> assertThat(q.getVectors().getCount()).isEqualTo(2));
    }

    @Test
    void aRegistryThatDoesNotAnswerFailsTheBatchForARetryInsteadOfDeadLetteringIt() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: connection refused
        }
        Map<String, Object> cfg = TestFixtures.smallConfig("unused");
        cfg.putAll(Map.of(LtmConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:" + port, "max.retries", 0));
        WorkerHarness down = new WorkerHarness(new LtmConfig(cfg));
        EncodeWorker w = new EncodeWorker(down.config, encoder, down.consumer, () -> down.producer);
        byte[] wellFormed = {0, 0, 0, 0, 13, 0, 0};
        assertThatThrownBy(() ->
                        w.process(down.add("ltm.events", key("k"), wellFormed).batch()))
                .isInstanceOf(SchemaRegistryUnavailableException.class);
    }
}
