package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.schemas.EncodedTokens;
import io.ltm.testutils.it.LocalCluster;
import io.ltm.testutils.it.TopicReader;
import io.ltm.topology.api.LtmClient;
import io.ltm.topology.api.LtmConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encode worker is killed (SIGKILL, a separate JVM) in the middle of a stream of small transactions and
 * restarted with the same instance id: every event ends up encoded exactly once on the tokens topic, as a
 * read_committed consumer (the memory node) sees it. Then a third instance with the same id takes over, and the
 * second, fenced, exits instead of staying up with nothing to do.
 */
class WorkerCrashTest {

    private static final int EVENTS = 3000;
    /** Events sent after a third instance with the same id started. */
    private static final int MORE = 50;

    @TempDir
    Path tmp;

    @Test
    void aWorkerKilledMidStreamAndRestartedLosesAndDuplicatesNothing() throws Exception {
        try (LocalCluster cluster = LocalCluster.start()) {
            Map<String, Object> m = cluster.node("crash")
                    .set(LtmConfig.ENCODER, "hashing")
                    .set(LtmConfig.MEMORY_DIM, 16)
                    .set(LtmConfig.WORKER_MAX_BATCH_RECORDS, 5)
                    .entries();
            LtmConfig config = new LtmConfig(m);
            cluster.createTopics(config.topicPartitions());
            try (LtmClient client = new LtmClient(config)) {
                for (int i = 0; i < EVENTS; i++) {
                    client.sendTextAsync("key-" + (i % 7), "event number " + i + " of the stream", String.valueOf(i));
                }
                client.flush();
            }

            Process first = startWorker(m, "first.log");
            List<EncodedTokens> encoded;
            try (TopicReader<EncodedTokens> reader = new TopicReader<>(
                    cluster.bootstrapServers(),
                    config.getString(LtmConfig.TOPIC_TOKENS),
                    EncodedTokens.class,
                    config.serdeConfig())) {
                int atKill = reader.awaitCount(EVENTS / 10, Duration.ofSeconds(90));
                first.destroyForcibly().waitFor();
                assertThat(atKill).as("killed before the worker finished").isLessThan(EVENTS);

                Process second = startWorker(m, "second.log");
                Process third = null;
                try {
                    reader.awaitCount(EVENTS, Duration.ofSeconds(120));
                    // a third instance with the same id takes over: the second, fenced, exits (status 1) instead of
                    // staying up with nothing to do, and the third encodes what comes next
                    third = startWorker(m, "third.log");
                    try (LtmClient client = new LtmClient(config)) {
                        for (int i = EVENTS; i < EVENTS + MORE; i++) {
                            client.sendTextAsync(
                                    "key-" + (i % 7), "event number " + i + " of the stream", String.valueOf(i));
                        }
                        client.flush();
                    }
                    reader.awaitCount(EVENTS + MORE, Duration.ofSeconds(120));
                    assertThat(second.waitFor(60, TimeUnit.SECONDS))
                            .as("the fenced worker exits")
                            .isTrue();
                    assertThat(second.exitValue()).isEqualTo(1);
                    reader.poll(Duration.ofSeconds(2));
                } finally {
                    for (Process p : new Process[] {second, third}) {
                        if (p != null) {
                            p.destroy();
                            p.waitFor();
                        }
                    }
                }
                encoded = reader.values();
            }
            Map<String, Long> seen = encoded.stream()
                    .collect(Collectors.groupingBy(t -> t.getSource().getSourceId(), Collectors.counting()));
            assertThat(seen).hasSize(EVENTS + MORE);
            assertThat(seen.values()).allMatch(n -> n == 1);
        }
    }

    private Process startWorker(Map<String, Object> config, String log) throws Exception {
        return LtmCommand.of("worker", "--role", "encode", "--instance-id", "crash-test")
                .settings(config)
                .start(tmp.resolve(log));
    }
}
