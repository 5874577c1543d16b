package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ltm.embedded.EmbeddedKafkaBroker;
import io.ltm.embedded.LocalRegistry;
import io.ltm.it.LtmCommand.Result;
import io.ltm.it.LtmCommand.Running;
import io.ltm.topology.api.LtmConfig;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory node, the encode worker and the attention worker (separate JVMs; the attention worker reads from its
 * replicas of the node's changelogs) and the commands {@code produce} and {@code query} on a
 * broker whose only client listener is SASL_SSL (SCRAM-SHA-512, a self-signed certificate) and a schema registry
 * that demands HTTP basic auth, all configured by one properties file. Answers are found; wrong credentials stop a
 * command at once with one line; clients without credentials are refused; and no password, in any form, appears in
 * what the node, the workers or the commands printed, with Kafka's own loggers at INFO (they print every client's
 * configuration).
 */
class SecureClusterTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String KAFKA_USER = "ltm-app";
    private static final String KAFKA_PASSWORD = secret("kafka");
    private static final String REGISTRY_USER = "ltm-reg";
    private static final String REGISTRY_PASSWORD = secret("registry");
    private static final String WRONG_PASSWORD = secret("wrong");

    /** Slack for a JVM to start, fail and stop on a busy 2-core machine. */
    private static final int FAST_SECONDS = 20;

    /** Kafka's loggers at INFO: every client prints its whole configuration when it starts. */
    private static final String KAFKA_INFO = "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=info";

    @TempDir
    Path dir;

    private final List<Path> logs = new ArrayList<>();

    @Test
    void nodeWorkerAndCommandsWorkOverSaslSslAndBasicAuthAndPrintNoSecret() throws Exception {
        // the registry (a child JVM) starts while the broker does
        CompletableFuture<LocalRegistry> registryStart = CompletableFuture.supplyAsync(
                () -> LocalRegistry.startWithBasicAuth(REGISTRY_USER + ":" + REGISTRY_PASSWORD));
        EmbeddedKafkaBroker started;
        try {
            started = EmbeddedKafkaBroker.startSecure();
        } catch (RuntimeException e) {
            registryStart.thenAccept(LocalRegistry::close);
            throw e;
        }
        try (EmbeddedKafkaBroker broker = started;
                LocalRegistry registry = registryStart.join()) {
            broker.addScramUser(KAFKA_USER, KAFKA_PASSWORD);
            Map<String, String> security = broker.clientSecurity(KAFKA_USER, KAFKA_PASSWORD);
            String truststorePassword = security.get(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG);
            Properties p = new Properties();
            p.putAll(security);
            p.put(LtmConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
            p.put(LtmConfig.SCHEMA_REGISTRY_URL, registry.url());
            p.put("basic.auth.credentials.source", "USER_INFO");
            p.put("basic.auth.user.info", REGISTRY_USER + ":" + REGISTRY_PASSWORD);
            p.put(LtmConfig.APPLICATION_ID, "secure-" + UUID.randomUUID());
            p.put(LtmConfig.STATE_DIR, dir.resolve("state").toString());
            p.put(LtmConfig.ENCODER, "hashing");
            p.put(LtmConfig.MEMORY_DIM, "32");
            p.put(LtmConfig.MEMORY_BASIS_SIZE, "32");
            p.put(LtmConfig.MEMORY_BASIS_WIDTHS, "0.02,0.05");
            p.put(LtmConfig.MEMORY_CONTRACTION_LENGTH, "16");
            p.put(LtmConfig.MEMORY_SAMPLES, "16");
            p.put(LtmConfig.MEMORY_STICKY_BINS, "8");
            p.put(LtmConfig.TOPIC_PARTITIONS, "2");
            p.put("commit.interval.ms", "50");
            // queries are read by the attention worker from its replicas of the node's changelogs: its own consumer
            p.put(LtmConfig.ATTENTION_MODE, "worker");
            Path config = write(p, "ltm.properties");

            Process node = start("node", List.of(KAFKA_INFO), "run", "--config", config.toString());
            Process worker =
                    start("worker", List.of(KAFKA_INFO), "worker", "--role", "encode", "--config", config.toString());
            Process attend = start(
                    "attend-worker", List.of(KAFKA_INFO), "worker", "--role", "attend", "--config", config.toString());
            try {
                LtmCommand.awaitLine(node, dir.resolve("node.log"), "memory node started");
                LtmCommand.awaitLine(worker, dir.resolve("worker.log"), "encode worker secure-encode started");
                LtmCommand.awaitLine(attend, dir.resolve("attend-worker.log"), "attend worker secure-attend started");

                Path lines = dir.resolve("lines.txt");
                Files.writeString(
                        lines,
                        "disk sda1 is full on host alpha\nbackup finished on host beta\n"
                                + "disk sda1 is full again on host alpha\n".repeat(5));
                Result produced = run(
                        List.of(KAFKA_INFO), "produce", "server-7", lines.toString(), "--config", config.toString());
                assertThat(produced.out()).as(produced.out()).contains("sent 7 events to key server-7");

                Result answer = null;
                for (int i = 0; i < 40; i++) {
                    answer = run(
                            List.of(KAFKA_INFO),
                            "query",
                            "server-7",
                            "disk full",
                            "--config",
                            config.toString(),
                            "--timeout",
                            "20");
                    if (answer.rc() == 0 && answer.out().contains("span 1:")) {
                        break;
                    }
                    Thread.sleep(500);
                }
                assertThat(answer.rc()).as(answer.out()).isZero();
                // the spans' original lines, read back from the events topic by the command's own consumer
                assertThat(answer.out()).contains("span 1:").contains("disk sda1 is full");

                // a wrong Kafka password and a wrong registry password, each in its own command, at once
                Properties wrongKafka = new Properties();
                wrongKafka.putAll(p);
                wrongKafka.put(
                        SaslConfigs.SASL_JAAS_CONFIG,
                        security.get(SaslConfigs.SASL_JAAS_CONFIG).replace(KAFKA_PASSWORD, WRONG_PASSWORD));
                Properties wrongRegistry = new Properties();
                wrongRegistry.putAll(p);
                wrongRegistry.put("basic.auth.user.info", REGISTRY_USER + ":" + WRONG_PASSWORD);
                Running refusing = launch(
                        List.of(),
                        "query",
                        "server-7",
                        "disk full",
                        "--config",
                        write(wrongKafka, "wrong-kafka.properties").toString());
                Running denying = launch(
                        List.of(),
                        "query",
                        "server-7",
                        "disk full",
                        "--config",
                        write(wrongRegistry, "wrong-registry.properties").toString());
                Result refused = refusing.result(Duration.ofSeconds(120));
                Result denied = denying.result(Duration.ofSeconds(120));
                assertThat(refused.rc()).as(refused.out()).isEqualTo(1);
                assertThat(refused.lastLine())
                        .as(refused.out())
                        .startsWith("ltm query: Kafka at " + broker.bootstrapServers() + " refused the connection")
                        .contains("invalid credentials with SASL mechanism SCRAM-SHA-512");
                assertThat(refused.out()).doesNotContain("\tat ");
                assertThat(refused.seconds()).as("fails fast").isLessThan(FAST_SECONDS);

                assertThat(denied.rc()).as(denied.out()).isEqualTo(1);
                assertThat(denied.lines())
                        .as(denied.out())
                        .containsExactly("ltm query: the schema registry at " + registry.url()
                                + " refused our credentials (HTTP 401): set basic.auth.user.info=user:password "
                                + "(README, Security)");
                assertThat(denied.seconds()).as("fails fast").isLessThan(FAST_SECONDS);
            } finally {
                for (Process proc : new Process[] {attend, worker, node}) {
                    proc.destroy(); // SIGTERM: the shutdown hook closes the clients
                    assertThat(proc.waitFor(60, TimeUnit.SECONDS)).isTrue();
                }
            }

            refusedWithoutCredentials(broker, registry, truststorePassword);

            // Kafka printed the clients' configurations, with the secrets hidden
            String nodeLog = Files.readString(dir.resolve("node.log"), StandardCharsets.UTF_8);
            assertThat(nodeLog).contains("sasl.jaas.config = [hidden]").contains("ssl.truststore.password = [hidden]");
            List<String> secrets = List.of(
                    KAFKA_PASSWORD,
                    REGISTRY_PASSWORD,
                    WRONG_PASSWORD,
                    truststorePassword,
                    Base64.getEncoder()
                            .encodeToString(
                                    (REGISTRY_USER + ":" + REGISTRY_PASSWORD).getBytes(StandardCharsets.UTF_8)));
            assertThat(logs).hasSizeGreaterThanOrEqualTo(6);
            for (Path log : logs) {
                String text = Files.readString(log, StandardCharsets.UTF_8);
                for (String s : secrets) {
                    assertThat(text)
                            .as("%s must not contain a secret", log.getFileName())
                            .doesNotContain(s);
                }
            }
        }
    }

    /** Clients that do not log in get nothing: no TLS, TLS without SASL, and HTTP without basic auth. */
    private static void refusedWithoutCredentials(
            EmbeddedKafkaBroker broker, LocalRegistry registry, String truststorePassword) throws Exception {
        Map<String, Object> plain = new HashMap<>();
        plain.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        plain.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        plain.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        try (Admin admin = Admin.create(plain)) {
            // a PLAINTEXT client's requests are never answered: the broker waits for a TLS handshake
            assertThatThrownBy(() -> admin.listTopics().names().get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        }
        Map<String, Object> tlsOnly = new HashMap<>(plain);
        tlsOnly.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        tlsOnly.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        tlsOnly.put(
                SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, broker.truststore().toString());
        tlsOnly.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, truststorePassword);
        try (Admin admin = Admin.create(tlsOnly)) {
            // TLS without a SASL login: the broker closes the connection, the client never gets metadata
            assertThatThrownBy(() -> admin.listTopics().names().get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        }
        Map<String, Object> untrusted = new HashMap<>(broker.clientSecurity(KAFKA_USER, KAFKA_PASSWORD));
        untrusted.remove(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG);
        untrusted.remove(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG);
        untrusted.remove(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG);
        untrusted.putAll(plain);
        try (Admin admin = Admin.create(untrusted)) {
            // the right password, but a client that does not trust the certificate never sends it
            assertThatThrownBy(() -> admin.listTopics().names().get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SslAuthenticationException.class);
        }
        HttpURLConnection c = (HttpURLConnection)
                URI.create(registry.url() + "/subjects").toURL().openConnection();
        try {
            assertThat(c.getResponseCode()).isEqualTo(401);
            assertThat(c.getHeaderField("WWW-Authenticate")).startsWith("Basic");
        } finally {
            c.disconnect();
        }
    }

    private static String secret(String what) {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return what + "-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private Path write(Properties p, String name) throws IOException {
        Path f = dir.resolve(name);
        try (var out = Files.newBufferedWriter(f, StandardCharsets.UTF_8)) {
            p.store(out, null);
        }
        return f;
    }

    private Result run(List<String> jvmArgs, String... args) throws Exception {
        return launch(jvmArgs, args).result(Duration.ofSeconds(120));
    }

    private Running launch(List<String> jvmArgs, String... args) throws IOException {
        return command(jvmArgs, args).launch(newLog("cmd-" + logs.size()));
    }

    private Process start(String name, List<String> jvmArgs, String... args) throws IOException {
        return command(jvmArgs, args).start(newLog(name));
    }

    private static LtmCommand command(List<String> jvmArgs, String... args) {
        LtmCommand c = LtmCommand.of(args).jvm(jvmArgs.toArray(String[]::new));
        if (args[0].equals("worker")) {
            c.args("--instance-id", "secure-" + args[2]); // args: worker --role ROLE
        }
        return c;
    }

    /** Every process's log, checked for secrets at the end. */
    private Path newLog(String name) {
        Path log = dir.resolve(name + ".log");
        logs.add(log);
        return log;
    }
}
