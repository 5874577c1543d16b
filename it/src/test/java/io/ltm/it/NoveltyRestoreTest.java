package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.CoefficientPrecision;
import io.ltm.model.encoder.EncodedText;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.NoveltyScore;
import io.ltm.schemas.SourcePosition;
import io.ltm.testutils.NoveltyTestLogs;
import io.ltm.testutils.SmallMemory;
import io.ltm.testutils.it.LocalCluster;
import io.ltm.testutils.it.MemoryProgress;
import io.ltm.testutils.it.NodeSettings;
import io.ltm.testutils.it.TopicReader;
import io.ltm.topology.api.LtmClient;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import io.ltm.topology.codec.MemoryStateCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Novelty's summaries have no changelog: a node that restores the memories from the changelogs into a state directory
 * of its own has none, makes them again from the memory, and scores the next event as the node that made them at the
 * contractions would have. Two keys get the same events; the first node scores a repeated line of one, then stops; a
 * second node, with an empty state directory, restores both and scores the same line of the other.
 */
class NoveltyRestoreTest {
    static final SmallMemory MEMORY = SmallMemory.END_TO_END;
    static final String WROTE = "scored-by-the-writer";
    static final String RESTORED = "scored-after-a-restore";
    static final long PROBE = 1_000;

    @TempDir
    Path tmp;

    @Test
    void aNodeThatRestoredTheMemoryScoresTheNextEventAsTheNodeThatWroteIt() throws Exception {
        List<String> log = NoveltyTestLogs.packageLog(60, 5);
        try (LocalCluster cluster = LocalCluster.start();
                HashingEncoder encoder = new HashingEncoder(MEMORY.dim())) {
            NodeSettings settings = cluster.node("novelty-restore")
                    .stateUnder(tmp)
                    .partitions(1)
                    .memory(MEMORY)
                    .set(LtmConfig.NOVELTY_ENABLED, true);
            LtmConfig first = new LtmConfig(settings.entries());
            cluster.createTopics(first.topicPartitions());
            LtmConfig second = new LtmConfig(settings.stateUnder(tmp).entries());
            assertThat(second.getString(LtmConfig.STATE_DIR)).isNotEqualTo(first.getString(LtmConfig.STATE_DIR));
            NoveltyScore wrote;
            long tokens = 0;
            try (TopicReader<NoveltyScore> scores = new TopicReader<>(
                            cluster.bootstrapServers(),
                            first.getString(LtmConfig.TOPIC_NOVELTY),
                            NoveltyScore.class,
                            first.serdeConfig());
                    LtmClient client = new LtmClient(first)) {
                try (MemoryNode node = MemoryNode.start(first, encoder)) {
                    node.awaitRunning(Duration.ofSeconds(60));
                    for (int i = 0; i < log.size(); i++) {
                        tokens += send(client, encoder, WROTE, log.get(i), i);
                        send(client, encoder, RESTORED, log.get(i), i);
                    }
                    send(client, encoder, WROTE, log.get(3), PROBE);
                    client.flush();
                    wrote = scores.await(
                            s -> probe(s, WROTE), "the writer's score of the probe", Duration.ofSeconds(60));
                    MemoryProgress.awaitTokens(node::describe, RESTORED, tokens, Duration.ofSeconds(60));
                }
                assertThat(wrote.getNovelty())
                        .as("a line seen before is not new")
                        .isLessThan(0.3);
                try (MemoryNode node = MemoryNode.start(second, encoder)) {
                    node.awaitRunning(Duration.ofSeconds(60));
                    send(client, encoder, RESTORED, log.get(3), PROBE);
                    client.flush();
                    NoveltyScore restored = scores.await(
                            s -> probe(s, RESTORED), "the restored score of the probe", Duration.ofSeconds(60));
                    assertThat(restored.getNovelty()).isEqualTo(wrote.getNovelty());
                    assertThat(restored.getBestCosine()).isEqualTo(wrote.getBestCosine());
                    assertThat(restored.getNearestT()).isEqualTo(wrote.getNearestT());
                    assertThat(restored.getMemoryTokens())
                            .isEqualTo(wrote.getMemoryTokens())
                            .isEqualTo(tokens);
                    System.out.printf(
                            "NOVELTY RESTORE: the probe scored %.6f (best cosine %.6f at t = %s, %d tokens in memory) by"
                                    + " the node that wrote the summaries and by one that restored the memory%n",
                            restored.getNovelty(),
                            restored.getBestCosine(),
                            restored.getNearestT(),
                            restored.getMemoryTokens());
                }
            }
        }
    }

    private static boolean probe(NoveltyScore s, String key) {
        return s.getKey().equals(key) && s.getSource().getOffset() == PROBE;
    }

    /** The line as one token event of the key; returns its token count. */
    private static int send(LtmClient client, HashingEncoder encoder, String key, String line, long offset) {
        EncodedText e = encoder.encode(line);
        client.sendTokens(
                key,
                EncodedTokens.newBuilder()
                        .setVectors(MemoryStateCodec.block(
                                e.vectors(), e.count(), MEMORY.dim(), CoefficientPrecision.FLOAT32))
                        .setSource(SourcePosition.newBuilder()
                                .setTopic("novelty-restore-source")
                                .setPartition(0)
                                .setOffset(offset)
                                .setTimestamp(Instant.ofEpochMilli(offset))
                                .build())
                        .build());
        return e.count();
    }
}
