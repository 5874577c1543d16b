package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.embedded.EmbeddedKafkaBroker;
import io.ltm.embedded.LocalRegistry;
import io.ltm.it.LtmCommand.Result;
import io.ltm.topology.api.LtmConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
            Files.writeString(
                    config,
                    String.join(
                            "\n",
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
                            "commit.interval.ms=50",
                            ""));
            Map<String, String> env = Map.of(LtmConfig.envName(LtmConfig.ENCODER), "hashing");

            // no topic exists yet: `run` creates them all
            assertThat(broker.topics()).noneMatch(t -> t.startsWith("ltm."));
            Process node = LtmCommand.of("run", "--config", config.toString(), "--with-workers")
                    .env(env)
                    .start(dir.resolve("node.log"));
            try {
                LtmCommand.awaitLine(node, dir.resolve("node.log"), "memory node started");
                LtmConfig defaults = new LtmConfig(Map.of());
                try (Admin admin = broker.admin()) {
                    Map<String, TopicDescription> created = admin.describeTopics(
                                    defaults.topicPartitions().keySet())
                            .allTopicNames()
                            .get();
                    assertThat(created.values())
                            .allSatisfy(d -> assertThat(d.partitions()).hasSize(PARTITIONS));
                    ConfigResource events =
                            new ConfigResource(ConfigResource.Type.TOPIC, defaults.getString(LtmConfig.TOPIC_EVENTS));
                    Config c =
                            admin.describeConfigs(List.of(events)).all().get().get(events);
                    assertThat(c.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).value())
                            .isEqualTo("LogAppendTime");
                    assertThat(c.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value())
                            .isEqualTo(String.valueOf(LtmConfig.MAX_STATE_BYTES));
                }
                Path lines = dir.resolve("lines.txt");
                Files.writeString(
                        lines,
                        "disk sda1 is full on host alpha\nbackup finished on host beta\n"
                                + "disk sda1 is full again on host alpha\n".repeat(5));
                Result produced = run(env, "produce", "server-7", lines.toString(), "--config", config.toString());
                assertThat(produced.out()).contains("sent 7 events to key server-7");

                Result answer = null;
                for (int i = 0; i < 60; i++) {
                    answer = run(
                            env, "query", "server-7", "disk full", "--config", config.toString(), "--timeout", "20");
                    if (answer.rc() == 0
                            && answer.out().contains("tokens absorbed")
                            && !answer.out().contains(" 0 tokens")) {
                        break;
                    }
                    Thread.sleep(500);
                }
                assertThat(answer.rc()).as(answer.out()).isZero();
                assertThat(answer.out()).contains("span 1:").contains("contractions");

                assertThat(run(env, "forget", "server-7", "--config", config.toString())
                                .rc())
                        .isZero();
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
            Files.writeString(
                    config,
                    LtmConfig.BOOTSTRAP_SERVERS + "=" + broker.bootstrapServers() + "\n" + LtmConfig.STATE_DIR + "="
                            + dir.resolve("state") + "\n");
            Result r =
                    run(Map.of(LtmConfig.envName(LtmConfig.ENCODER), "hashing"), "run", "--config", config.toString());
            assertThat(r.rc()).isNotZero();
            assertThat(r.lines()).as(r.out()).hasSize(1);
            assertThat(r.out())
                    .contains("not co-partitioned")
                    .contains("ltm.tokens has 2")
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
        Result r = run(
                Map.of(LtmConfig.envName(LtmConfig.BOOTSTRAP_SERVERS), "127.0.0.1:" + port),
                "query",
                "k",
                "anything",
                "--timeout",
                String.valueOf(timeout));
        assertThat(r.rc()).isNotZero();
        assertThat(r.lines()).as(r.out()).hasSize(1);
        assertThat(r.out())
                .startsWith("ltm query: cannot reach Kafka at 127.0.0.1:" + port)
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

    @Test
    void upProduceWithEventTimesQueryDownUpAndTheMemoryIsIntact() throws Exception {
        // the commands run where a user would: in a directory whose ./.ltm is the stack, with no --config
        Map<String, String> env = Map.of(
                LocalRegistry.JAR_ENV,
                LocalRegistry.findRunnerJar().toAbsolutePath().toString());
        Path data = dir.resolve(".ltm");
        List<String> log = List.of(
                "2024-05-01 10:22:33 status installed libc6:amd64 2.36-9",
                "2024-05-01 10:22:35 configure openssh-server:amd64 1:9.2p1-2 <none>",
                "2024-05-01 10:23:01 remove cowsay:all 3.03+dfsg2-8 <none>",
                "2024-05-01 10:24:10 upgrade tzdata:all 2024a-0 2024a-1",
                "2024-05-01 10:25:59 purge cowsay:all 3.03+dfsg2-8 <none>");
        Path file = dir.resolve("dpkg.log");
        Files.writeString(file, String.join("\n", log) + "\n");
        try {
            Result up = runIn(
                    dir,
                    env,
                    "up",
                    "--encoder",
                    "hashing",
                    "-D" + LtmConfig.MEMORY_CONTRACTION_LENGTH + "=8",
                    "-D" + LtmConfig.MEMORY_SAMPLES + "=8",
                    "-D" + LtmConfig.TOPIC_PARTITIONS + "=2",
                    "-Dcommit.interval.ms=50");
            assertThat(up.rc()).as(up.out()).isZero();
            assertThat(up.out()).contains("local stack up");
            assertThat(Files.readString(data.resolve("stack.properties"))).contains(LtmConfig.ENCODER + "=hashing");
            assertThat(runIn(dir, env, "up").out()).contains("already running");

            Result produced = runIn(
                    dir,
                    env,
                    "produce",
                    "host-1",
                    file.toString(),
                    "--time-regex",
                    "^(\\S+ \\S+)",
                    "--time-format",
                    "yyyy-MM-dd HH:mm:ss",
                    "--time-zone",
                    "UTC");
            assertThat(produced.out()).as(produced.out()).contains("sent 5 events to key host-1");

            Result first = stableAnswer(env, "openssh-server configure");
            assertThat(first.out()).contains("contractions").contains("span 1:");
            // each span names when its events happened (their own times, not the time of sending) and
            // prints their original lines, read back from the events topic
            List<String> printed = first.lines().stream()
                    .filter(l -> l.startsWith("      | "))
                    .map(l -> l.substring(8))
                    .filter(l -> !l.startsWith("... ("))
                    .toList();
            assertThat(printed).isNotEmpty();
            assertThat(printed)
                    .allSatisfy(l ->
                            assertThat(log).anySatisfy(o -> assertThat(o).startsWith(l.replace("...", ""))));
            assertThat(first.out()).containsPattern("2024-05-01T10:2\\d:\\d\\dZ");
            assertThat(first.out())
                    .doesNotContain(String.valueOf(java.time.Year.now().getValue()) + "-");

            Result json = runIn(dir, env, "query", "host-1", "openssh-server configure", "--json");
            assertThat(json.rc()).as(json.out()).isZero();
            var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
            assertThat(tree.get("found").asBoolean()).isTrue();
            assertThat(tree.get("spans").get(0).get("from").get("timestamp").asText())
                    .startsWith("2024-05-01T10:2");

            Result down = runIn(dir, env, "down");
            assertThat(down.out()).as(down.out()).contains("stopped");
            Result stopped = runIn(dir, env, "query", "host-1", "openssh");
            assertThat(stopped.rc()).isEqualTo(1);
            assertThat(stopped.lines())
                    .as(stopped.out())
                    .containsExactly("ltm query: the local stack in " + data + " is not running: ./ltm up starts it");

            Result other = runIn(dir, env, "up", "--encoder", "minilm");
            assertThat(other.rc()).isEqualTo(1);
            assertThat(other.lines())
                    .as(other.out())
                    .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .contains("already has its settings in " + data.resolve("stack.properties"));

            Result again = runIn(dir, env, "up");
            assertThat(again.rc()).as(again.out()).isZero();
            Result second = runIn(dir, env, "query", "host-1", "openssh-server configure");
            assertThat(second.rc()).as(second.out()).isZero();
            assertThat(second.out()).as("the memory after a restart").isEqualTo(first.out());
        } finally {
            Result down = runIn(dir, env, "down");
            if (down.rc() != 0 && Files.exists(data.resolve("stack.pid"))) {
                // never leave a service behind a failed test
                ProcessHandle.of(Long.parseLong(
                                Files.readString(data.resolve("stack.pid")).strip()))
                        .ifPresent(ProcessHandle::destroyForcibly);
            }
            assertThat(down.rc()).as(down.out()).isZero();
        }
        assertThat(Files.exists(data.resolve("stack.pid"))).isFalse();
    }

    /** Asks until two answers in a row are the same: the memory has absorbed every event. */
    private Result stableAnswer(Map<String, String> env, String question) throws Exception {
        Result last = null;
        for (int i = 0; i < 30; i++) {
            Result r = runIn(dir, env, "query", "host-1", question, "--timeout", "20");
            if (r.rc() == 0
                    && last != null
                    && r.out().equals(last.out())
                    && r.out().contains("span 1:")) {
                return r;
            }
            last = r;
            Thread.sleep(500);
        }
        throw new AssertionError("no stable answer; last: " + (last == null ? "none" : last.out()));
    }

    private Result runIn(Path cwd, Map<String, String> env, String... args) throws Exception {
        return LtmCommand.of(args).env(env).in(cwd).run(newLog(), Duration.ofSeconds(300));
    }

    private Result run(Map<String, String> env, String... args) throws Exception {
        return LtmCommand.of(args).env(env).run(newLog(), Duration.ofSeconds(120));
    }

    private Path newLog() {
        return dir.resolve("cmd-" + UUID.randomUUID() + ".log");
    }

    /** Slack for a JVM to start and stop on a busy 2-core machine. */
    private static final int FAST_SECONDS = 15;
    /** picocli's exit code for a command line it cannot parse. */
    private static final int USAGE_EXIT = 2;

    private static final int PARTITIONS = 3;
}
