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
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node KRaft Kafka broker (broker and controller in one) running inside this JVM, on
 * 127.0.0.1 with free ports and a temporary log directory. Used by the embedded demo mode and the
 * end-to-end tests: Docker cannot run here, and Kafka's own test kit is a test-only artifact.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private final Path logDir;
    private final KafkaRaftServer server;
    private final String bootstrapServers;
    /** A persistent broker keeps its directory on close (the local stack of `ltm up`); a temporary one deletes it. */
    private final boolean persistent;

    private boolean closed;

    private EmbeddedKafkaBroker(Path logDir, KafkaRaftServer server, String bootstrapServers, boolean persistent) {
        this.logDir = logDir;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.persistent = persistent;
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
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir, server, "127.0.0.1:" + brokerPort, true);
        broker.awaitReady();
        return broker;
    }

    private static void format(Path config) {
        int rc = kafka.tools.StorageTool.execute(
                new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()},
                new PrintStream(OutputStream.nullOutputStream()));
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
        Path dir;
        try {
            dir = Files.createTempDirectory("ltm-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary Kafka log directory", e);
        }
        int brokerPort = freePort();
        int controllerPort = freePort();
        Properties props = singleNodeProperties(dir.resolve("logs"), brokerPort, controllerPort);
        props.putAll(overrides);
        try {
            Path config = dir.resolve("server.properties");
            try (var out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
                props.store(out, "LTM Streams embedded broker");
            }
            format(config);
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir, server, "127.0.0.1:" + brokerPort, false);
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
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        return p;
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

    /** A new admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                10_000,
                // must not exceed default.api.timeout.ms (default 30 s), else Admin.create throws ConfigException
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000));
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
