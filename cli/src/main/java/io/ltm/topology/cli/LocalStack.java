package io.ltm.topology.cli;

import io.ltm.embedded.EmbeddedKafkaBroker;
import io.ltm.embedded.LocalRegistry;
import io.ltm.model.encoder.TextEncoder;
import io.ltm.topology.api.AttentionMode;
import io.ltm.topology.api.EncoderChoice;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import io.ltm.topology.api.TopicProvisioner;
import io.ltm.topology.api.UserFacingException;
import io.ltm.topology.worker.AttentionWorker;
import io.ltm.topology.worker.EncodeWorker;
import io.ltm.topology.worker.RereadWorker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ltm up} / {@code ltm down}: the embedded broker, the registry, the memory node and the encode worker as
 * one local service in a background JVM, with every piece of state under one data directory so that memories
 * survive a restart:
 * <ul>
 * <li>{@code DIR/stack.properties}: the configuration (fixed ports, state dir, encoder), an ordinary
 * {@code --config} file that the other commands find on their own;</li>
 * <li>{@code DIR/kafka}: the broker's log dirs and its server.properties (with the controller port);</li>
 * <li>{@code DIR/registry}: the registry's schemas (an H2 file database), so schema ids never change;</li>
 * <li>{@code DIR/state}: the memory node's RocksDB stores;</li>
 * <li>{@code DIR/logs/stack.log}: the service's output; {@code DIR/stack.pid} and {@code DIR/stack.ready}.</li>
 * </ul>
 */
final class LocalStack {

    static final Path DEFAULT_DIR = Path.of(".ltm");
    static final String CONFIG_FILE = "stack.properties";
    static final String PID_FILE = "stack.pid";
    static final String READY_FILE = "stack.ready";
    static final String LOG_FILE = "stack.log";
    /** The background JVM's command; hidden from the usage, a person runs {@code up}. */
    static final String SERVE = "stack-serve";

    static final String APPLICATION_ID = "ltm-local";
    /** Marks the service's own lines in its log. */
    private static final String SAY_PREFIX = " [ltm stack] ";

    private LocalStack() {}

    static Path dir(Path data) {
        return (data == null ? DEFAULT_DIR : data).toAbsolutePath().normalize();
    }

    /**
     * The configuration file of the local stack that a client command uses when it gets no {@code --config}:
     * the one in {@code data} (which must exist), else {@code ./.ltm/stack.properties} if there is one, else null.
     * Fails with one line when that stack is not running, instead of waiting for the cluster's timeout.
     */
    static Path clientConfig(Path data) {
        Path dir = dir(data);
        Path file = dir.resolve(CONFIG_FILE);
        if (!Files.exists(file)) {
            if (data != null) {
                throw new UserFacingException(
                        "no local stack in " + dir + " (./ltm up --data " + data + " creates one)");
            }
            return null;
        }
        if (runningPid(dir).isEmpty()) {
            throw new UserFacingException("the local stack in " + dir + " is not running: ./ltm up"
                    + (data == null ? "" : " --data " + data) + " starts it");
        }
        return file;
    }

    /** The pid of the running service of {@code dir}, if there is one (a stale pid file is ignored). */
    static Optional<ProcessHandle> runningPid(Path dir) {
        Path pidFile = dir.resolve(PID_FILE);
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(
                    Files.readString(pidFile, StandardCharsets.UTF_8).strip());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        // a pid is reused after its process ended: only a live JVM running this stack's service counts
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(LocalStack::isService);
    }

    private static boolean isService(ProcessHandle h) {
        Path cmdline = Path.of("/proc", String.valueOf(h.pid()), "cmdline");
        try {
            // ProcessHandle.Info cuts long command lines (the classpath alone is long); /proc has all of it
            return new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).contains("\0" + SERVE + "\0");
        } catch (IOException | UnsupportedOperationException noProc) {
            return h.info().commandLine().map(c -> c.contains(SERVE)).orElse(true);
        }
    }

    static Properties read(Path file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return p;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    private static int port(String hostPort) {
        return Integer.parseInt(
                hostPort.substring(hostPort.lastIndexOf(':') + 1).trim());
    }

    @Command(
            name = "up",
            description = "Start a local stack in the background (embedded Kafka broker, schema "
                    + "registry, memory node, encode worker) with its data under --data; returns once it answers. "
                    + "produce, query and forget then find it without --config.")
    static final class Up implements Callable<Integer> {
        @Option(names = "--data", description = "data directory (default ./.ltm)")
        Path data;

        @Option(names = "--encoder", description = "text encoder of a new stack: minilm (default) or hashing")
        String encoder;

        @Option(
                names = {"-c", "--config"},
                description = "more settings for a new stack (a properties file)")
        Path config;

        @Option(names = "-D", description = "one more setting for a new stack, e.g. -Dltm.memory.contraction.length=64")
        Map<String, String> overrides = Map.of();

        @Option(names = "--timeout", description = "seconds to wait for the stack to answer (default ${DEFAULT-VALUE})")
        int timeoutSeconds = 300;

        @Override
        public Integer call() throws Exception {
            Path dir = dir(data);
            Path file = dir.resolve(CONFIG_FILE);
            Optional<ProcessHandle> running = runningPid(dir);
            if (running.isPresent()) {
                System.out.println("the local stack in " + dir + " is already running (pid "
                        + running.get().pid() + ")");
                return 0;
            }
            if (Files.exists(file)) {
                if (encoder != null || config != null || !overrides.isEmpty()) {
                    // the memories were built with these settings: changing them silently would mix encodings
                    throw new UserFacingException("the local stack in " + dir + " already has its settings in " + file
                            + "; edit that file, or use another --data directory");
                }
            } else {
                create(dir, file);
            }
            LtmConfig cfg = LtmConfig.load(file, System.getenv(), Map.of()); // a bad value stops here, in one line
            Path jar = registryJar();
            Path logs = Files.createDirectories(dir.resolve("logs"));
            Files.deleteIfExists(dir.resolve(READY_FILE));
            Process p = spawn(dir, jar, logs.resolve(LOG_FILE));
            System.out.println("starting the local stack in " + dir + " (pid " + p.pid() + "; log "
                    + logs.resolve(LOG_FILE) + ") ...");
            awaitReady(p, dir, logs.resolve(LOG_FILE));
            Duration left = Duration.ofSeconds(30);
            // an independent check of what the service announced: the cluster answers and the topics exist
            LtmCli.requireCluster(
                    cfg,
                    left,
                    LtmConfig.TOPIC_EVENTS,
                    LtmConfig.TOPIC_QUERIES,
                    LtmConfig.TOPIC_CONTROL,
                    LtmConfig.TOPIC_RESPONSES);
            System.out.println("local stack up: Kafka " + cfg.getString(LtmConfig.BOOTSTRAP_SERVERS) + ", registry "
                    + cfg.getString(LtmConfig.SCHEMA_REGISTRY_URL) + ", node http://"
                    + cfg.getString(LtmConfig.HTTP_HOST)
                    + ":" + cfg.getInt(LtmConfig.HTTP_PORT) + ", encoder " + cfg.getString(LtmConfig.ENCODER)
                    + "; settings in " + file + "; ./ltm down stops it");
            return 0;
        }

        /** A new stack: free ports chosen now and kept for good, absolute paths, the user's settings. */
        private void create(Path dir, Path file) throws IOException {
            Map<String, String> props = new TreeMap<>();
            props.put(LtmConfig.BOOTSTRAP_SERVERS, "127.0.0.1:" + freePort());
            props.put(LtmConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:" + freePort() + LocalRegistry.API_PATH);
            props.put(LtmConfig.APPLICATION_ID, APPLICATION_ID);
            props.put(LtmConfig.STATE_DIR, dir.resolve("state").toString());
            props.put(LtmConfig.HTTP_PORT, String.valueOf(freePort()));
            props.put(LtmConfig.ENCODER, encoder == null ? EncoderChoice.MINILM.configValue() : encoder);
            if (config != null) {
                read(config).forEach((k, v) -> props.put(k.toString(), v.toString()));
            }
            props.putAll(overrides);
            new LtmConfig(props); // validate before anything is written
            Files.createDirectories(dir);
            StringBuilder b = new StringBuilder("# The local stack of `ltm up` (created " + java.time.Instant.now()
                    + "). Ports are fixed: the data under this directory refers to them.\n"
                    + "# Any ltm command reads this file with --data " + dir + " (or by itself when run from "
                    + dir.getParent() + ").\n");
            props.forEach((k, v) ->
                    b.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
            Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
        }

        private static Path registryJar() {
            try {
                return LocalRegistry.findRunnerJar().toAbsolutePath();
            } catch (IllegalStateException e) {
                throw new UserFacingException(e.getMessage());
            }
        }

        /** The service JVM: this JVM's classpath and memory settings, its own session so Ctrl-C here spares it. */
        private static Process spawn(Path dir, Path registryJar, Path log) throws IOException {
            List<String> cmd = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
                cmd.add("/usr/bin/setsid");
            }
            cmd.add(ProcessHandle.current()
                    .info()
                    .command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString()));
            for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (a.startsWith("-Xmx") || a.startsWith("-Xms")) {
                    cmd.add(a);
                }
            }
            cmd.addAll(List.of(
                    "-D" + LocalRegistry.JAR_PROPERTY + "=" + registryJar,
                    "-Dorg.slf4j.simpleLogger.log.state.change.logger=warn", // a line per partition per start
                    "-cp",
                    System.getProperty("java.class.path"),
                    LtmCli.class.getName(),
                    SERVE,
                    "--data",
                    dir.toString()));
            return new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        }

        private void awaitReady(Process p, Path dir, Path log) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (!Files.exists(dir.resolve(READY_FILE))) {
                if (!p.isAlive()) {
                    throw new UserFacingException(
                            "the local stack stopped while starting: " + lastLine(log) + " (see " + log + ")");
                }
                if (System.nanoTime() > deadline) {
                    p.destroy();
                    p.waitFor(60, TimeUnit.SECONDS);
                    throw new UserFacingException("the local stack did not answer within " + timeoutSeconds
                            + " s and was stopped (see " + log + ")");
                }
                Thread.sleep(200);
            }
        }

        private static String lastLine(Path log) throws IOException {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank() && !l.startsWith("\tat "))
                    .toList();
            if (lines.isEmpty()) {
                return "no output";
            }
            String last = lines.get(lines.size() - 1).strip();
            int own = last.indexOf(SAY_PREFIX);
            return own >= 0 ? last.substring(own + SAY_PREFIX.length()) : last;
        }
    }

    @Command(
            name = "down",
            description = "Stop the local stack started by `ltm up` (SIGTERM, then wait); its data "
                    + "stays for the next `up`.")
    static final class Down implements Callable<Integer> {
        @Option(names = "--data", description = "data directory (default ./.ltm)")
        Path data;

        @Option(names = "--timeout", description = "seconds to wait for it to stop (default ${DEFAULT-VALUE})")
        int timeoutSeconds = 120;

        @Override
        public Integer call() throws Exception {
            Path dir = dir(data);
            Optional<ProcessHandle> running = runningPid(dir);
            if (running.isEmpty()) {
                System.out.println("no local stack running in " + dir);
                return 0;
            }
            ProcessHandle h = running.get();
            h.destroy(); // SIGTERM: the service's shutdown hook closes workers, node, registry, broker in order
            try {
                h.onExit().get(timeoutSeconds, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new UserFacingException("the local stack (pid " + h.pid() + ") did not stop within "
                        + timeoutSeconds + " s; see " + dir.resolve("logs").resolve(LOG_FILE));
            }
            System.out.println("local stack in " + dir + " stopped (pid " + h.pid() + ")");
            return 0;
        }
    }

    /** The background service itself (started by {@code up}). */
    @Command(name = SERVE, hidden = true, description = "The local stack's service (started by `ltm up`).")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--data", required = true)
        Path data;

        @Override
        public Integer call() throws Exception {
            Path dir = dir(data);
            Files.writeString(
                    dir.resolve(PID_FILE),
                    String.valueOf(ProcessHandle.current().pid()));
            try {
                serve(dir);
                return 0;
            } catch (Exception e) {
                e.printStackTrace();
                // the last line of the log is what `up` shows the user
                Throwable root = e;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                say("failed to start: " + (root == e ? "" : e.getMessage() + ": ") + root);
                return LtmCli.EXIT_USER_ERROR;
            }
        }

        private void serve(Path dir) throws Exception {
            LtmConfig cfg = LtmConfig.load(dir.resolve(CONFIG_FILE), System.getenv(), Map.of());
            say("starting the broker and the registry (data in " + dir + ")");
            Path kafkaDir = dir.resolve("kafka");
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startPersistent(
                    kafkaDir, port(cfg.getString(LtmConfig.BOOTSTRAP_SERVERS)), controllerPort(kafkaDir));
            LocalRegistry registry = LocalRegistry.startPersistent(
                    dir.resolve("registry"),
                    URI.create(cfg.getString(LtmConfig.SCHEMA_REGISTRY_URL)).getPort(),
                    Duration.ofSeconds(120));
            TopicProvisioner.Topics topics = TopicProvisioner.ensure(cfg);
            say("loading the " + cfg.getString(LtmConfig.ENCODER) + " encoder");
            TextEncoder encoder = LtmCli.encoder(cfg);
            MemoryNode node = MemoryNode.start(cfg, encoder, topics.retentionMs());
            node.awaitRunning(Duration.ofSeconds(240));
            // a fixed instance id: a restarted stack fences any transaction its predecessor left open
            EncodeWorker enc = new EncodeWorker(cfg, encoder, "local");
            enc.start();
            AttentionWorker att = null;
            if (cfg.attentionMode() == AttentionMode.WORKER) {
                att = new AttentionWorker(cfg, encoder, "local");
                att.start();
            }
            RereadWorker reread = new RereadWorker(cfg, encoder, "local");
            reread.start();
            Map<String, AutoCloseable> closeInOrder = new LinkedHashMap<>();
            closeInOrder.put("reread worker", reread);
            closeInOrder.put("attention worker", att);
            closeInOrder.put("encode worker", enc);
            closeInOrder.put("memory node", () -> {
                // Streams stays in its group on close, for a quick rejoin of the same member; the next `up` is a new
                // member that would wait out the old one's session timeout (45 s) before RUNNING: leave instead
                node.streams()
                        .close(org.apache.kafka.streams.CloseOptions.groupMembershipOperation(
                                        org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                                .withTimeout(Duration.ofSeconds(30)));
                node.close();
            });
            closeInOrder.put("encoder", encoder);
            closeInOrder.put("registry", registry);
            closeInOrder.put("broker", broker); // last: the others commit to it while closing
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                say("stopping");
                                try {
                                    Files.deleteIfExists(dir.resolve(READY_FILE));
                                } catch (IOException ignored) {
                                    // the pid check in `up` still tells a dead stack from a live one
                                }
                                closeInOrder.forEach((name, r) -> {
                                    try {
                                        if (r != null) {
                                            r.close();
                                        }
                                    } catch (Exception e) {
                                        say("error while closing the " + name + ": " + e);
                                    }
                                });
                                try {
                                    Files.deleteIfExists(dir.resolve(PID_FILE));
                                } catch (IOException ignored) {
                                    // a stale pid file is recognised by the process check
                                }
                                say("stopped");
                            },
                            "ltm-stack-stop"));
            Files.writeString(
                    dir.resolve(READY_FILE),
                    String.valueOf(ProcessHandle.current().pid()));
            say("ready: Kafka " + broker.bootstrapServers() + ", registry " + registry.url() + ", node http port "
                    + node.httpPort());
            Thread.currentThread().join(); // until SIGTERM runs the hook above
        }

        /** The controller port recorded at the first start (in the broker's own server.properties), else a new one. */
        private static int controllerPort(Path kafkaDir) {
            Path props = kafkaDir.resolve("server.properties");
            if (Files.exists(props)) {
                String voters = read(props).getProperty("controller.quorum.voters", "");
                if (!voters.isBlank()) {
                    return port(voters);
                }
            }
            return freePort();
        }

        private static void say(String s) {
            System.out.println(java.time.Instant.now() + SAY_PREFIX + s);
        }
    }
}
