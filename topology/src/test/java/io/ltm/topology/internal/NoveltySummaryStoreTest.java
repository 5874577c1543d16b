package io.ltm.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.NoveltyScore;
import io.ltm.testutils.NoveltyTestLogs;
import io.ltm.topology.api.LtmConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * Novelty's summaries are kept in a store without a changelog: a task that finds none (a restore, a rebalance), one
 * of another long-term record (a rolled-back transaction) or one written before summaries named their record makes
 * it again from the memory, and the event is scored as it would have been against the summary made at the
 * contraction. Each case is a processor started afresh (empty caches, as in a new task) over the stores another one
 * filled.
 */
class NoveltySummaryStoreTest {
    private static final int DIM = 64;
    private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);

    private final LtmConfig config = new LtmConfig(Map.of(
            LtmConfig.SCHEMA_REGISTRY_URL,
            "mock://novelty-store-" + UUID.randomUUID(),
            LtmConfig.APPLICATION_ID,
            "ltm-novelty-store-test",
            LtmConfig.BOOTSTRAP_SERVERS,
            "unused:9092",
            LtmConfig.MEMORY_DIM,
            DIM,
            LtmConfig.ENCODER,
            "none",
            LtmConfig.MEMORY_BASIS_SIZE,
            64,
            LtmConfig.MEMORY_CONTRACTION_LENGTH,
            64,
            LtmConfig.MEMORY_SAMPLES,
            64,
            LtmConfig.MEMORY_BASIS_WIDTHS,
            "0.02,0.04"));
    private final List<String> log = NoveltyTestLogs.packageLog(60, 5);

    /** What a processor scored for the repeated line, and the summary and long-term id stored after it. */
    private record Repeat(NoveltyScore score, byte[] summary, long longTerm) {}

    /** Processes one event; its novelty score (no record went to the dead-letter topic). */
    private static NoveltyScore process(
            MockProcessorContext<String, Object> context, IngestProcessor p, byte[] value, long offset) {
        context.resetForwards();
        context.setRecordMetadata("ltm.tokens", 0, offset);
        p.process(new Record<>(KEY, value, offset));
        List<MockProcessorContext.CapturedForward<? extends String, ?>> out = context.forwarded();
        assertThat(out).allSatisfy(f -> assertThat(f.childName()).contains(Names.SINK_NOVELTY));
        assertThat(out).hasSize(1);
        return (NoveltyScore) out.get(0).record().value();
    }

    /**
     * The log into one processor; {@code touch} (null: none) changes the novelty store, and a processor started afresh
     * then scores a line of the log again (with null, the same processor does).
     */
    private Repeat repeat(Consumer<KeyValueStore<String, byte[]>> touch) {
        MockProcessorContext<String, Object> context = MockNodeStores.context(config);
        KeyValueStore<String, byte[]> summaries = context.getStateStore(Names.STORE_NOVELTY);
        try (HashingEncoder enc = new HashingEncoder(DIM)) {
            IngestProcessor first = MockNodeStores.ingest(config, context);
            for (int i = 0; i < log.size(); i++) {
                process(context, first, TokenEvents.of(config, enc, log.get(i), i), i);
                if (i == 20) early = summaries.get("k").clone();
            }
            IngestProcessor scoring = first;
            if (touch != null) {
                touch.accept(summaries);
                scoring = MockNodeStores.ingest(config, context);
            }
            KeyValueStore<String, ShortTermIndex> index = context.getStateStore(Names.STORE_SHORT_TERM_INDEX);
            long contractions = index.get("k").contractions();
            NoveltyScore score = process(context, scoring, TokenEvents.of(config, enc, log.get(3), 99), 99);
            // buffered, not contracted: the summary stored after it is the one it was scored against
            assertThat(index.get("k").contractions()).isEqualTo(contractions);
            return new Repeat(score, summaries.get("k"), index.get("k").longTerm());
        }
    }

    /** A summary of the key's first contractions (stored after line 20 of the log). */
    private byte[] early;

    /** The summary without its long-term record's id, as summaries were written before they named it. */
    private static byte[] unnamed(byte[] summary) {
        ByteBuffer in = ByteBuffer.wrap(summary).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(summary.length - Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(in.getInt(0)).putLong(in.getLong(4));
        out.put(Arrays.copyOfRange(summary, 20, summary.length));
        return out.array();
    }

    @Test
    void aSummaryTheStoreLacksOrHoldsOfAnotherRecordIsMadeAgainWithTheSameBits() {
        Repeat plain = repeat(null);
        assertThat(plain.score().getNovelty()).isLessThan(0.3); // a line seen before is not new
        Repeat restarted = repeat(s -> {});
        Repeat missing = repeat(s -> s.delete("k"));
        Repeat stale = repeat(s -> {
            assertThat(Novelty.Summary.decode(early, DIM).tokens())
                    .isLessThan(Novelty.Summary.decode(s.get("k"), DIM).tokens());
            s.put("k", early);
        });
        Repeat legacy = repeat(s -> s.put("k", unnamed(s.get("k"))));
        for (Repeat r : List.of(restarted, missing, stale, legacy)) {
            assertThat(r.score().getNovelty()).isEqualTo(plain.score().getNovelty());
            assertThat(r.score().getBestCosine()).isEqualTo(plain.score().getBestCosine());
            assertThat(r.score().getNearestT()).isEqualTo(plain.score().getNearestT());
            assertThat(r.score().getMemoryTokens()).isEqualTo(plain.score().getMemoryTokens());
            Novelty.Summary summary = Novelty.Summary.decode(r.summary(), DIM);
            assertThat(summary.longTerm()).isEqualTo(r.longTerm());
            assertThat(summary)
                    .usingRecursiveComparison()
                    .ignoringFields("longTerm")
                    .isEqualTo(Novelty.Summary.decode(plain.summary(), DIM));
        }
    }
}
