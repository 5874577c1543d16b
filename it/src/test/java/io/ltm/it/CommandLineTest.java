package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

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
                    "commit.interval.ms=50", ""));
            broker.createTopics(new LtmConfig(Map.of()).topicPartitions(), Map.of());
            Map<String, String> env = Map.of(LtmConfig.envName(LtmConfig.ENCODER), "hashing");

            Process node = start(env, dir.resolve("node.log"), "run", "--config", config.toString(), "--with-workers");
            try {
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

    private record Result(int rc, String out) {
    }

    private Result run(Map<String, String> env, String... args) throws Exception {
        Path log = dir.resolve("cmd-" + UUID.randomUUID() + ".log");
        Process p = start(env, log, args);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
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
