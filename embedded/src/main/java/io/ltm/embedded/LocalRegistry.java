package io.ltm.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, Confluent-compatible schema registry (Apicurio Registry 2.4.2.Final, built by module {@code registry})
 * running as a child process on 127.0.0.1 with a free port; state is in memory. Used by tests and the embedded mode.
 *
 * <p>The runner jar is found via system property {@code ltm.registry.jar}, environment variable
 * {@code LTM_REGISTRY_JAR}, or by searching upward from the working directory for
 * {@code registry/target/quarkus-app/quarkus-run.jar} (the module's fast-jar layout) or
 * {@code registry/target/*-runner.jar} (an uber-jar build). The child is started through {@code /bin/sh} with a watchdog that kills it
 * when this JVM's pipe to it closes, so it dies with its parent even on {@code kill -9}; a shutdown hook also
 * stops it on a normal exit.
 *
 * <p>{@link #startWithBasicAuth(String)} makes every route answer 401 unless the request carries HTTP basic auth
 * with the given {@code user:password} (the registry module's {@code BasicAuthFilter}); the credentials reach the
 * child through its environment, not its command line.
 */
public final class LocalRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalRegistry.class);
    public static final String JAR_PROPERTY = "ltm.registry.jar";
    public static final String JAR_ENV = "LTM_REGISTRY_JAR";
    public static final String API_PATH = "/apis/ccompat/v7";
    /** The registry's basic auth credentials (user:password), read by the registry module's BasicAuthFilter. */
    static final String BASIC_AUTH_ENV = "LTM_REGISTRY_BASIC_AUTH_USER_INFO";

    private static final int TAIL_LINES = 40;
    /** The compatibility level the registry is set to at start (Apicurio's own default is NONE). */
    public static final String DEFAULT_COMPATIBILITY = "BACKWARD";

    private final Process process;
    private final int port;
    private final Deque<String> tail;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private LocalRegistry(Process process, int port, Deque<String> tail) {
        this.process = process;
        this.port = port;
        this.tail = tail;
        this.shutdownHook = new Thread(this::stopProcess, "ltm-registry-stop-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a registry with the default timeout (60 s, or system property {@code ltm.registry.startup.timeout.ms}). */
    public static LocalRegistry start() {
        return start(defaultTimeout());
    }

    private static Duration defaultTimeout() {
        return Duration.ofMillis(Long.getLong("ltm.registry.startup.timeout.ms", 60_000));
    }

    public static LocalRegistry start(Duration timeout) {
        return start(timeout, null);
    }

    /**
     * A registry that answers only requests with HTTP basic auth {@code userInfo} ({@code user:password}, what
     * clients give as {@code basic.auth.user.info}); otherwise as {@link #start()}.
     */
    public static LocalRegistry startWithBasicAuth(String userInfo) {
        if (userInfo == null || userInfo.indexOf(':') <= 0) {
            throw new IllegalArgumentException("basic auth credentials must be user:password");
        }
        return start(defaultTimeout(), userInfo);
    }

    private static LocalRegistry start(Duration timeout, String userInfo) {
        Path jar = findRunnerJar();
        RuntimeException first = null;
        for (int attempt = 0; attempt < 2; attempt++) { // a second try covers losing the free port to a race
            try {
                return start(jar, freePort(), List.of(), timeout, userInfo);
            } catch (RuntimeException e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        throw first;
    }

    /**
     * A registry on a fixed port whose schemas survive restarts: Apicurio 2.4.2 keeps its state in an H2 database,
     * in memory by default; here it is an H2 file database under {@code storageDir}, so a schema keeps its id
     * (the id that every stored record carries) across restarts.
     */
    public static LocalRegistry startPersistent(Path storageDir, int port, Duration timeout) {
        try {
            Files.createDirectories(storageDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + storageDir + ": " + e, e);
        }
        String url = "jdbc:h2:file:" + storageDir.toAbsolutePath().resolve("registry");
        return start(
                findRunnerJar(),
                port,
                List.of(
                        "-Dquarkus.datasource.jdbc.url=" + url,
                        // one local client: the default pool of 20 connections only costs memory
                        "-Dquarkus.datasource.jdbc.min-size=1",
                        "-Dquarkus.datasource.jdbc.initial-size=1"),
                timeout,
                null);
    }

    private static LocalRegistry start(Path jar, int port, List<String> jvmArgs, Duration timeout, String userInfo) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(
                "/bin/sh",
                "-c",
                // fd 3 keeps our pipe; background jobs get /dev/null as stdin, so the watchdog reads fd 3.
                // When this JVM dies (or close() closes the pipe) read returns and the registry gets SIGTERM.
                "exec 3<&0; \"$@\" </dev/null & c=$!; { read _ <&3; kill $c 2>/dev/null; } & wait $c",
                "ltm-registry",
                java,
                "-Xmx" + System.getProperty("ltm.registry.xmx", "256m"),
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.log.level=" + System.getProperty("ltm.registry.log.level", "WARN"),
                "-Dquarkus.banner.enabled=false"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // never inherited: only a registry started with credentials demands them
        pb.environment().remove(BASIC_AUTH_ENV);
        if (userInfo != null) {
            pb.environment().put(BASIC_AUTH_ENV, userInfo);
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot start the schema registry (" + String.join(" ", cmd) + "): " + e, e);
        }
        Deque<String> tail = new ArrayDeque<>();
        Thread pump = new Thread(
                () -> {
                    try (BufferedReader r =
                            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            synchronized (tail) {
                                tail.addLast(line);
                                if (tail.size() > TAIL_LINES) tail.removeFirst();
                            }
                            LOG.debug("[registry:{}] {}", port, line);
                        }
                    } catch (IOException ignored) {
                        // process gone
                    }
                },
                "ltm-registry-output-" + port);
        pump.setDaemon(true);
        pump.start();
        LocalRegistry reg = new LocalRegistry(p, port, tail);
        long t0 = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        try {
            while (true) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("the schema registry process exited with code " + p.exitValue()
                            + " before answering on port " + port + "; last output:\n" + reg.lastOutput());
                }
                if (answers(reg.url() + "/subjects", userInfo)) break;
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the schema registry did not answer on " + reg.url()
                            + "/subjects within " + timeout.toMillis() + " ms; last output:\n" + reg.lastOutput());
                }
                Thread.sleep(100);
            }
            // Apicurio's default is NONE; ours is Compatibility.LTM_DEFAULT in module schemas, which this module
            // cannot use (schemas' tests start this registry), so LocalRegistryTest checks that the two agree
            setGlobalCompatibility(reg.url(), DEFAULT_COMPATIBILITY, userInfo);
            LOG.info(
                    "schema registry (Apicurio, {}) ready at {} in {} ms",
                    jar,
                    reg.url(),
                    (System.nanoTime() - t0) / 1_000_000);
            return reg;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reg.close();
            throw new IllegalStateException("interrupted while starting the schema registry", e);
        } catch (RuntimeException e) {
            reg.close();
            throw e;
        }
    }

    private static void setGlobalCompatibility(String url, String level, String userInfo) {
        try {
            HttpURLConnection c = connection(url + "/config", userInfo);
            c.setRequestMethod("PUT");
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/vnd.schemaregistry.v1+json");
            c.getOutputStream().write(("{\"compatibility\":\"" + level + "\"}").getBytes(StandardCharsets.UTF_8));
            try {
                if (c.getResponseCode() != 200) {
                    throw new IllegalStateException("the schema registry answered " + c.getResponseCode()
                            + " to setting its compatibility to " + level);
                }
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("setting the schema registry's compatibility failed", e);
        }
    }

    private static HttpURLConnection connection(String url, String userInfo) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(2000);
        if (userInfo != null) {
            c.setRequestProperty(
                    "Authorization",
                    "Basic " + java.util.Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
        }
        return c;
    }

    private static boolean answers(String url, String userInfo) {
        try {
            HttpURLConnection c = connection(url, userInfo);
            try {
                return c.getResponseCode() == 200;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    /** Base URL of the Confluent-compatible API: {@code http://127.0.0.1:PORT/apis/ccompat/v7}. */
    public String url() {
        return "http://127.0.0.1:" + port + API_PATH;
    }

    public int port() {
        return port;
    }

    /** Whether the server process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The pid of the registry JVM (the child of the watchdog shell), or -1 if it is not known. */
    public long registryPid() {
        return process.descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("java")).orElse(false))
                .mapToLong(ProcessHandle::pid)
                .findFirst()
                .orElse(-1);
    }

    /** The last lines the server printed. */
    public String lastOutput() {
        synchronized (tail) {
            return String.join("\n", tail);
        }
    }

    @Override
    public void close() {
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
    }

    private synchronized void stopProcess() {
        if (closed) return;
        closed = true;
        List<ProcessHandle> children = process.descendants().toList();
        try {
            process.getOutputStream().close(); // watchdog: SIGTERM to the registry
        } catch (IOException ignored) {
            // already closed
        }
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                LOG.warn("schema registry on port {} did not stop in 10 s, killing it", port);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** A port free on the loopback interface now (the registry's own, or one a test keeps unused). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port: " + e, e);
        }
    }

    /** Locates the Apicurio runner jar (see the class comment). */
    public static Path findRunnerJar() {
        String explicit = System.getProperty(JAR_PROPERTY);
        String source = "system property " + JAR_PROPERTY;
        if (explicit == null || explicit.isBlank()) {
            explicit = System.getenv(JAR_ENV);
            source = "environment variable " + JAR_ENV;
        }
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(source + " points to " + p + ", which is not a file");
            }
            return p;
        }
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path target = dir.resolve("registry").resolve("target");
            Path fastJar = target.resolve("quarkus-app").resolve("quarkus-run.jar");
            if (Files.isRegularFile(fastJar)) return fastJar;
            if (Files.isDirectory(target)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(target, "*-runner.jar")) {
                    for (Path p : ds) return p;
                } catch (IOException ignored) {
                    // keep searching
                }
            }
        }
        throw new IllegalStateException("Apicurio registry runner jar not found: set -D" + JAR_PROPERTY + "=... or "
                + JAR_ENV
                + ", or build it with `mvn -pl registry package` (or `mvn install` at the root), which writes "
                + "registry/target/quarkus-app/quarkus-run.jar (searched upward from " + start
                + " for registry/target/quarkus-app/quarkus-run.jar or registry/target/*-runner.jar)");
    }
}
