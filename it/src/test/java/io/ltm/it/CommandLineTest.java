package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ltm.schemas.registry.LocalRegistry;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.embedded.EmbeddedKafkaBroker;

/**
 * The command line as a user runs it against an existing cluster: `run --with-workers` in one process,
 * `produce` and `query` in others, all configured by one properties file plus an environment override.
 */
class CommandLineTest {

    @TempDir
    Path dir;

    @Test
    void runProduceQueryAndForgetAgainstARunningCluster() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             LocalRegistry registry = LocalRegistry.start()) {
            Path config = dir.resolve("ltm.properties");
            Files.writeString(config, String.join("\n",
                    LtmConfig.BOOTSTRAP_SERVERS + "=" + broker.bootstrapServers(),
                    LtmConfig.SCHEMA_REGISTRY_URL + "=" + registry.url(),
                    LtmConfig.APPLICATION_ID + "=cli-" + UUID.randomUUID(),
                    LtmConfig.STATE_DIR + "=" + dir.resolve("state"),
                    LtmConfig.MEMORY_DIM + "=32",
                    LtmConfig.MEMORY_BASIS_SIZE + "=32",
                    LtmConfig.MEMORY_BASIS_WIDTHS + "=0.02,0.05",
                    LtmConfig.MEMORY_CONTRACTION_LENGTH + "=16",
                    LtmConfig.MEMORY_SAMPLES + "=16",
                    LtmConfig.MEMORY_STICKY_BINS + "=8",
                    LtmConfig.TOPIC_PARTITIONS + "=" + PARTITIONS,
                    "commit.interval.ms=50", ""));
            Map<String, String> env = Map.of(LtmConfig.envName(LtmConfig.ENCODER), "hashing");

            // no topic exists yet: `run` creates them all
            assertThat(broker.topics()).noneMatch(t -> t.startsWith("ltm."));
            Process node = start(env, dir.resolve("node.log"), "run", "--config", config.toString(), "--with-workers");
            try {
                awaitLine(node, dir.resolve("node.log"), "memory node started");
                LtmConfig defaults = new LtmConfig(Map.of());
                try (Admin admin = broker.admin()) {
                    Map<String, TopicDescription> created = admin.describeTopics(defaults.topicPartitions().keySet())
                            .allTopicNames().get();
                    assertThat(created.values()).allSatisfy(d -> assertThat(d.partitions()).hasSize(PARTITIONS));
                    ConfigResource events = new ConfigResource(ConfigResource.Type.TOPIC,
                            defaults.getString(LtmConfig.TOPIC_EVENTS));
                    Config c = admin.describeConfigs(List.of(events)).all().get().get(events);
                    assertThat(c.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).value()).isEqualTo("LogAppendTime");
                    assertThat(c.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value())
                            .isEqualTo(String.valueOf(LtmConfig.MAX_STATE_BYTES));
                }
                Path lines = dir.resolve("lines.txt");
                Files.writeString(lines, "disk sda1 is full on host alpha\nbackup finished on host beta\n"
                        + "disk sda1 is full again on host alpha\n".repeat(5));
                Result produced = run(env, "produce", "server-7", lines.toString(), "--config", config.toString());
                assertThat(produced.out()).contains("sent 7 events to key server-7");

                Result answer = null;
                for (int i = 0; i < 60; i++) {
                    answer = run(env, "query", "server-7", "disk full", "--config", config.toString(), "--timeout", "20");
                    if (answer.rc() == 0 && answer.out().contains("tokens absorbed") && !answer.out().contains(" 0 tokens")) {
                        break;
                    }
                    Thread.sleep(500);
                }
                assertThat(answer.rc()).as(answer.out()).isZero();
                assertThat(answer.out()).contains("span 1:").contains("contractions");

                assertThat(run(env, "forget", "server-7", "--config", config.toString()).rc()).isZero();
                Result gone = null;
                for (int i = 0; i < 40; i++) {
                    gone = run(env, "query", "server-7", "disk full", "--config", config.toString());
                    if (gone.out().contains("no memory for key")) {
                        break;
                    }
                    Thread.sleep(250);
                }
                assertThat(gone.out()).contains("no memory for key 'server-7'");
                assertThat(gone.rc()).isEqualTo(1);
            } finally {
                node.destroy(); // SIGTERM: the shutdown hook closes the node and the workers
                assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(Files.readString(dir.resolve("node.log"))).contains("memory node started");
        }
    }

    @Test
    void runStopsAtOnceWithOneLineWhenTheKeyedTopicsAreNotCoPartitioned() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            LtmConfig defaults = new LtmConfig(Map.of());
            broker.createTopic(defaults.getString(LtmConfig.TOPIC_TOKENS), 2);
            broker.createTopic(defaults.getString(LtmConfig.TOPIC_QUERIES), 3);
            Path config = dir.resolve("mismatch.properties");
            Files.writeString(config, LtmConfig.BOOTSTRAP_SERVERS + "=" + broker.bootstrapServers() + "\n"
                    + LtmConfig.STATE_DIR + "=" + dir.resolve("state") + "\n");
            Result r = run(Map.of(LtmConfig.envName(LtmConfig.ENCODER), "hashing"), "run", "--config", config.toString());
            assertThat(r.rc()).isNotZero();
            assertThat(r.lines()).as(r.out()).hasSize(1);
            assertThat(r.out()).contains("not co-partitioned").contains("ltm.tokens has 2")
                    .contains("ltm.queries has 3");
            assertThat(r.seconds()).as("fails fast").isLessThan(FAST_SECONDS);
            // nothing was created before the check stopped it
            assertThat(broker.topics()).doesNotContain(defaults.getString(LtmConfig.TOPIC_EVENTS));
        }
    }

    @Test
    void produceOfAMissingFileIsOneLineNotAStackTrace() throws Exception {
        Result r = run(Map.of(), "produce", "k", dir.resolve("no-such.txt").toString());
        assertThat(r.rc()).isNotZero();
        assertThat(r.lines()).as(r.out()).containsExactly("ltm produce: no such file: " + dir.resolve("no-such.txt"));
    }

    @Test
    void anUnreachableClusterIsOneLineWithinTheTimeout() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        int timeout = 3;
        Result r = run(Map.of(LtmConfig.envName(LtmConfig.BOOTSTRAP_SERVERS), "127.0.0.1:" + port),
                "query", "k", "anything", "--timeout", String.valueOf(timeout));
        assertThat(r.rc()).isNotZero();
        assertThat(r.lines()).as(r.out()).hasSize(1);
        assertThat(r.out()).startsWith("ltm query: cannot reach Kafka at 127.0.0.1:" + port)
                .contains("within " + timeout + " s");
        assertThat(r.seconds()).as("JVM start plus the timeout").isLessThan(timeout + FAST_SECONDS);
    }

    @Test
    void aBadFlagPrintsTheUsage() throws Exception {
        Result r = run(Map.of(), "produce", "k", "--no-such-flag");
        assertThat(r.rc()).isEqualTo(USAGE_EXIT);
        assertThat(r.out()).contains("Unknown option: '--no-such-flag'").contains("Usage: ltm produce");
        assertThat(r.out()).doesNotContain("\tat ");
    }

    /** Slack for a JVM to start and stop on a busy 2-core machine. */
    private static final int FAST_SECONDS = 15;
    /** picocli's exit code for a command line it cannot parse. */
    private static final int USAGE_EXIT = 2;
    private static final int PARTITIONS = 3;

    private record Result(int rc, String out, double seconds) {
        List<String> lines() {
            return out.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    private static void awaitLine(Process p, Path log, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
                return;
            }
            assertThat(p.isAlive()).as(Files.exists(log) ? Files.readString(log) : "no output").isTrue();
            Thread.sleep(200);
        }
        throw new AssertionError("no '" + text + "' in " + log);
    }

    private Result run(Map<String, String> env, String... args) throws Exception {
        Path log = dir.resolve("cmd-" + UUID.randomUUID() + ".log");
        long t0 = System.nanoTime();
        Process p = start(env, log, args);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8), (System.nanoTime() - t0) / 1e9);
    }

    private static Process start(Map<String, String> env, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "io.ltm.topology.cli.LtmCli"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }
}
