package io.ltm.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node KRaft Kafka broker (broker and controller in one) running inside this JVM, on
 * 127.0.0.1 with free ports and a temporary log directory. Used by the embedded demo mode and the
 * end-to-end tests: Docker cannot run here, and Kafka's own test kit is a test-only artifact.
 *
 * <p>{@link #startSecure()} starts one whose only client listener is SASL_SSL: SCRAM-SHA-512 over TLS with a
 * throwaway self-signed certificate. The controller listener stays PLAINTEXT on 127.0.0.1 (Kafka does not offer
 * SCRAM on KRaft controller listeners: the credentials live in the metadata log that the controller serves);
 * clients never use it.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /** The SASL mechanism of {@link #startSecure()}: the strongest SCRAM that Kafka offers. */
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    /** The secure broker's own SCRAM user (inter-broker traffic and {@link #admin()}), with a random password. */
    private static final String BROKER_USER = "ltm-broker";

    private static final String SECURE_LISTENER = "SASL_SSL";

    /** Hash iterations of the SCRAM users created here (Kafka's minimum is 4096). */
    private static final int SCRAM_ITERATIONS = 8192;

    /** How long a new SCRAM user may take to reach the broker's metadata after the controller accepted it. */
    private static final long USER_VISIBLE_TIMEOUT_MS = 30_000;

    private final Path logDir;
    private final KafkaRaftServer server;
    private final String bootstrapServers;
    /** A persistent broker keeps its directory on close (the local stack of `ltm up`); a temporary one deletes it. */
    private final boolean persistent;
    /** What a client needs besides bootstrap.servers to connect as the broker's own user: empty for PLAINTEXT. */
    private final Map<String, Object> adminSecurity;
    /** The secure broker's TLS identity; null for PLAINTEXT. */
    private final SelfSignedTls tls;

    private boolean closed;

    private EmbeddedKafkaBroker(
            Path logDir,
            KafkaRaftServer server,
            String bootstrapServers,
            boolean persistent,
            Map<String, Object> adminSecurity,
            SelfSignedTls tls) {
        this.logDir = logDir;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.persistent = persistent;
        this.adminSecurity = Map.copyOf(adminSecurity);
        this.tls = tls;
    }

    /**
     * A broker whose data lives in {@code dir} and survives restarts: the directory is formatted on first use
     * only, the given ports are used every time, and {@link #close()} keeps the directory.
     */
    public static EmbeddedKafkaBroker startPersistent(Path dir, int brokerPort, int controllerPort) {
        Properties props = singleNodeProperties(dir.resolve("logs"), brokerPort, controllerPort);
        try {
            Files.createDirectories(dir);
            Path config = dir.resolve("server.properties");
            try (var out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
                props.store(out, "LTM Streams local broker");
            }
            if (!Files.exists(dir.resolve("logs").resolve("meta.properties"))) {
                format(config);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the Kafka log directory " + dir, e);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        EmbeddedKafkaBroker broker =
                new EmbeddedKafkaBroker(dir, server, "127.0.0.1:" + brokerPort, true, Map.of(), null);
        broker.awaitReady();
        return broker;
    }

    private static void format(Path config, String... extra) {
        List<String> args =
                new ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()));
        args.addAll(List.of(extra));
        // its output names the SCRAM arguments, password included: it goes nowhere
        int rc = kafka.tools.StorageTool.execute(
                args.toArray(String[]::new), new PrintStream(OutputStream.nullOutputStream()));
        if (rc != 0) {
            throw new IllegalStateException("kafka-storage format failed with exit code " + rc);
        }
    }

    /** Formats a fresh log directory and starts the broker; returns once it accepts clients. */
    public static EmbeddedKafkaBroker start() {
        return start(Map.of());
    }

    /** As {@link #start()}, with extra broker properties (they override the single-node defaults). */
    public static EmbeddedKafkaBroker start(Map<String, String> overrides) {
        Path dir = temporaryDirectory();
        int brokerPort = freePort();
        int controllerPort = freePort();
        Properties props = singleNodeProperties(dir.resolve("logs"), brokerPort, controllerPort);
        props.putAll(overrides);
        return startTemporary(dir, props, brokerPort, Map.of(), null);
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("ltm-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary Kafka log directory", e);
        }
    }

    /**
     * A temporary broker whose only client listener is SASL_SSL with SCRAM-SHA-512 and a throwaway self-signed
     * certificate (for 127.0.0.1 and localhost). Clients need {@link #clientSecurity(String, String)} with a user
     * added by {@link #addScramUser(String, String)}; {@link #admin()} connects as the broker's own user.
     */
    public static EmbeddedKafkaBroker startSecure() {
        Path dir = temporaryDirectory();
        int brokerPort = freePort();
        int controllerPort = freePort();
        Properties props = singleNodeProperties(dir.resolve("logs"), brokerPort, controllerPort);
        SelfSignedTls tls;
        try {
            tls = SelfSignedTls.create(dir.resolve("tls"));
        } catch (RuntimeException e) {
            deleteQuietly(dir);
            throw e;
        }
        String brokerPassword = SelfSignedTls.randomPassword();
        props.put(
                "listeners",
                SECURE_LISTENER + "://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", SECURE_LISTENER + "://127.0.0.1:" + brokerPort);
        props.put("inter.broker.listener.name", SECURE_LISTENER);
        props.put("listener.security.protocol.map", SECURE_LISTENER + ":SASL_SSL,CONTROLLER:PLAINTEXT");
        props.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
        props.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
        props.put(
                "listener.name." + SECURE_LISTENER.toLowerCase(java.util.Locale.ROOT) + "."
                        + SCRAM_MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
                jaasConfig(BROKER_USER, brokerPassword));
        props.put("ssl.keystore.type", SelfSignedTls.STORE_TYPE);
        props.put("ssl.keystore.location", tls.keystore.toString());
        props.put("ssl.keystore.password", tls.keystorePassword);
        props.put("ssl.key.password", tls.keystorePassword);
        // the broker is its own inter-broker client: it trusts its own certificate
        props.put("ssl.truststore.type", SelfSignedTls.STORE_TYPE);
        props.put("ssl.truststore.location", tls.truststore.toString());
        props.put("ssl.truststore.password", tls.truststorePassword);
        Map<String, Object> admin = new HashMap<>(securityProperties(tls, BROKER_USER, brokerPassword));
        // the broker's own user exists from the first metadata record on: the broker needs it to talk to itself
        return startTemporary(
                dir,
                props,
                brokerPort,
                admin,
                tls,
                "--add-scram",
                SCRAM_MECHANISM + "=[name=" + BROKER_USER + ",password=" + brokerPassword + "]");
    }

    private static EmbeddedKafkaBroker startTemporary(
            Path dir,
            Properties props,
            int brokerPort,
            Map<String, Object> adminSecurity,
            SelfSignedTls tls,
            String... formatArgs) {
        try {
            Path config = dir.resolve("server.properties");
            try (var out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
                props.store(out, "LTM Streams embedded broker");
            }
            format(config, formatArgs);
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            EmbeddedKafkaBroker broker =
                    new EmbeddedKafkaBroker(dir, server, "127.0.0.1:" + brokerPort, false, adminSecurity, tls);
            broker.awaitReady();
            return broker;
        } catch (IOException e) {
            deleteQuietly(dir);
            throw new UncheckedIOException("cannot start the embedded Kafka broker", e);
        } catch (RuntimeException e) {
            deleteQuietly(dir);
            throw e;
        }
    }

    static Properties singleNodeProperties(Path logs, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logs.toString());
        // A single node cannot replicate: every internal topic gets replication factor 1, or Streams
        // (offsets) and exactly-once (transaction log) hang waiting for replicas.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // a member killed inside a transaction blocks read_committed readers and its successor until the broker
        // aborts it: check for timed-out transactions every second, not every 10 s (Kafka's default)
        p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        return p;
    }

    private static String jaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + jaasQuote(user)
                + "\" password=\"" + jaasQuote(password) + "\";";
    }

    private static String jaasQuote(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static Map<String, String> securityProperties(SelfSignedTls tls, String user, String password) {
        return Map.of(
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
                SECURE_LISTENER,
                SaslConfigs.SASL_MECHANISM,
                SCRAM_MECHANISM,
                SaslConfigs.SASL_JAAS_CONFIG,
                jaasConfig(user, password),
                SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG,
                SelfSignedTls.STORE_TYPE,
                SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG,
                tls.truststore.toString(),
                SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG,
                tls.truststorePassword);
    }

    /**
     * The client settings (besides bootstrap.servers) that connect to this secure broker as {@code user}:
     * security.protocol, sasl.mechanism, sasl.jaas.config and the trust store of its certificate.
     */
    public Map<String, String> clientSecurity(String user, String password) {
        if (tls == null) {
            throw new IllegalStateException("a PLAINTEXT broker needs no client security: start it with startSecure()");
        }
        return securityProperties(tls, user, password);
    }

    /** The PKCS12 trust store that holds the secure broker's certificate (for clients configured by hand). */
    public Path truststore() {
        if (tls == null) {
            throw new IllegalStateException("a PLAINTEXT broker has no certificate");
        }
        return tls.truststore;
    }

    /**
     * Creates (or changes the password of) a SCRAM-SHA-512 user through the admin API, and returns once the
     * broker accepts a client that logs in as that user.
     */
    public void addScramUser(String user, String password) {
        if (tls == null) {
            throw new IllegalStateException("a PLAINTEXT broker has no SASL users: start it with startSecure()");
        }
        try (Admin admin = admin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                            user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password)))
                    .all()
                    .get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create SCRAM user " + user, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating SCRAM user " + user, e);
        }
        // the controller has the credential; the broker applies it from the metadata log a moment later
        long deadline = System.nanoTime() + USER_VISIBLE_TIMEOUT_MS * 1_000_000L;
        Map<String, Object> props = new HashMap<>(clientSecurity(user, password));
        props.putAll(adminTimeouts());
        while (true) {
            try (Admin admin = Admin.create(props)) {
                admin.describeCluster().nodes().get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof SaslAuthenticationException) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("SCRAM user " + user + " cannot log in", e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for SCRAM user " + user, e);
            }
        }
    }

    private Map<String, Object> adminTimeouts() {
        return Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                10_000,
                // must not exceed default.api.timeout.ms (default 30 s), else Admin.create throws ConfigException
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000);
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + 60_000_000_000L;
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try (Admin admin = admin()) {
                admin.describeCluster().nodes().get();
                return;
            } catch (ExecutionException | RuntimeException e) {
                last = e instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the broker", e);
            }
        }
        throw new IllegalStateException("embedded broker did not become ready within 60 s", last);
    }

    /** host:port for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** A new admin client for this broker (a secure one: as the broker's own user); the caller closes it. */
    public Admin admin() {
        Map<String, Object> props = new HashMap<>(adminSecurity);
        props.putAll(adminTimeouts());
        return Admin.create(props);
    }

    /** Creates a topic (replication factor 1); an existing topic of that name is left as it is. */
    public void createTopic(String name, int partitions) {
        createTopics(Map.of(name, partitions), Map.of());
    }

    /** Creates topics with the given partition counts and topic configs (applied to all of them). */
    public void createTopics(Map<String, Integer> partitionsByTopic, Map<String, String> topicConfig) {
        List<NewTopic> topics = new ArrayList<>();
        partitionsByTopic.forEach((n, p) -> topics.add(new NewTopic(n, p, (short) 1).configs(topicConfig)));
        try (Admin admin = admin()) {
            var result = admin.createTopics(topics);
            for (var f : result.values().values()) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "cannot create topics " + partitionsByTopic.keySet(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /** Names of all non-internal topics. */
    public Set<String> topics() {
        try (Admin admin = admin()) {
            return admin.listTopics().names().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list topics", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
        if (!persistent) {
            deleteQuietly(logDir);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: a temp dir left behind is harmless
        }
    }
}
