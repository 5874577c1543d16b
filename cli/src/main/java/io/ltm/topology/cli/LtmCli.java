package io.ltm.topology.cli;

import io.ltm.model.encoder.TextEncoder;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.QueryOptions;
import io.ltm.topology.api.AttentionMode;
import io.ltm.topology.api.LtmClient;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import io.ltm.topology.api.RegistryCheck;
import io.ltm.topology.api.TopicProvisioner;
import io.ltm.topology.api.UserFacingException;
import io.ltm.topology.worker.AttentionWorker;
import io.ltm.topology.worker.EncodeWorker;
import io.ltm.topology.worker.RereadWorker;
import io.ltm.topology.worker.TransactionalLoop;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code ./ltm} command line. */
@Command(
        name = "ltm",
        mixinStandardHelpOptions = true,
        version = "LTM Streams 0.1.0",
        description = "Kafka-native long-term memory (the infinity-former's continuous memory) per key of a stream.",
        subcommands = {
            DemoCommand.class,
            LocalStack.Up.class,
            LocalStack.Down.class,
            LocalStack.Serve.class,
            LtmCli.Run.class,
            LtmCli.Worker.class,
            LtmCli.Produce.class,
            LtmCli.Query.class,
            LtmCli.Forget.class,
            InspectCommand.class,
            WatchCommand.class,
            LtmCli.VerifyReference.class,
            BenchCommand.class,
            LtmCli.Config.class
        })
public final class LtmCli implements Runnable {

    /** Exit code of a command that stopped on an error the user can fix (picocli uses 2 for bad usage). */
    static final int EXIT_USER_ERROR = 1;

    public static void main(String[] args) {
        int rc = new CommandLine(new LtmCli())
                .setExecutionExceptionHandler(LtmCli::onError)
                .execute(args);
        System.exit(rc);
    }

    /**
     * Errors the user can fix (cluster unreachable, no such file, a bad config value, no answer in time) are one
     * line on stderr and a non-zero exit, never a stack trace; anything else is a bug and keeps its stack trace.
     */
    static int onError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        String line = userMessage(e);
        if (line == null) {
            throw e;
        }
        cmd.getErr().println("ltm " + cmd.getCommandName() + ": " + line);
        return EXIT_USER_ERROR;
    }

    /** The one-line message of a user error, or null when {@code e} is not one. */
    static String userMessage(Throwable e) {
        if (e instanceof UserFacingException || e instanceof org.apache.kafka.common.config.ConfigException) {
            return e.getMessage();
        }
        if (e instanceof org.apache.kafka.common.errors.TimeoutException) {
            // the cluster answered the start-up checks, then stopped answering
            return "Kafka did not answer in time: " + e.getMessage();
        }
        if (e instanceof java.io.UncheckedIOException u) {
            return u.getMessage() + ": " + ioMessage(u.getCause());
        }
        if (e instanceof java.io.IOException io) {
            return ioMessage(io);
        }
        return null;
    }

    private static String ioMessage(java.io.IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + e.getMessage();
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + e.getMessage();
        }
        return e.getMessage();
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Options shared by the commands that talk to a cluster. */
    static class ConfigOption {
        @Option(
                names = {"-c", "--config"},
                description = "Properties file (see `ltm config`); LTM_* environment " + "variables override it.")
        Path file;

        @Option(names = "-D", description = "Override one key, e.g. -Dltm.attention.mode=worker")
        Map<String, String> overrides = Map.of();

        LtmConfig load() {
            return LtmConfig.load(file, System.getenv(), overrides);
        }
    }

    /**
     * The client commands' configuration: {@code --config FILE}, or the local stack of {@code ltm up}
     * ({@code --data DIR}, else {@code ./.ltm} when it exists), else defaults and the environment.
     */
    static class ClientConfigOption extends ConfigOption {
        @Option(
                names = "--data",
                description = "use the local stack of `ltm up --data DIR` (default: ./.ltm when it "
                        + "exists and no --config is given)")
        Path data;

        @Override
        LtmConfig load() {
            if (file != null && data != null) {
                throw new UserFacingException("--config and --data both name a configuration: give one of them");
            }
            Path f = file != null ? file : LocalStack.clientConfig(data);
            return LtmConfig.load(f, System.getenv(), overrides);
        }
    }

    /**
     * For the short commands (produce, query, forget): fail with one line unless the cluster answers and the
     * topics they use exist, instead of clients that retry and log until their own timeouts.
     */
    static void requireCluster(LtmConfig cfg, Duration timeout, String... topicKeys) {
        TopicProvisioner.awaitReachable(cfg, timeout);
        TopicProvisioner.requireTopics(
                cfg,
                timeout,
                java.util.Arrays.stream(topicKeys).map(cfg::getString).toList());
        RegistryCheck.requireAccess(cfg);
    }

    static TextEncoder encoder(LtmConfig config) {
        return config.encoder().create(config.getInt(LtmConfig.MEMORY_DIM));
    }

    static void awaitShutdown(AutoCloseable... resources) {
        CountDownLatch done = new CountDownLatch(1);
        closeAtShutdown(() -> {}, done::countDown, resources);
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** At JVM shutdown (Ctrl-C): {@code before}, then closes the resources in order (nulls skipped), then {@code after}. */
    private static void closeAtShutdown(Runnable before, Runnable after, AutoCloseable... resources) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            before.run();
            for (AutoCloseable r : resources) {
                try {
                    if (r != null) {
                        r.close();
                    }
                } catch (Exception e) {
                    System.err.println("error while closing: " + e);
                }
            }
            after.run();
        }));
    }

    /**
     * Waits for Ctrl-C, which closes the worker and the encoder (exit 0), or for the worker to stop on its own: fenced
     * by a newer instance with the same id, or ended by an Error (exit 1, so that a supervisor sees it; the clients are
     * closed on the way out).
     */
    static int awaitWorker(TransactionalLoop loop, AutoCloseable encoder) {
        AtomicBoolean closing = new AtomicBoolean();
        closeAtShutdown(() -> closing.set(true), () -> {}, loop, encoder);
        try {
            loop.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        if (closing.get()) {
            return 0;
        }
        System.err.println(
                loop.fenced()
                        ? "the worker was fenced by a newer instance with the same --instance-id; exiting"
                        : "the worker's loop ended (see the log); exiting");
        return 1;
    }

    @Command(name = "run", description = "Run a memory node against any Kafka cluster and schema registry.")
    static final class Run implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption config = new ConfigOption();

        @Option(
                names = "--with-workers",
                description = "Also run an encode worker, a reread worker (two-stage "
                        + "reads) and, in worker mode, an attention worker in this process.")
        boolean withWorkers;

        @Override
        public Integer call() {
            LtmConfig cfg = config.load();
            TopicProvisioner.Topics topics = TopicProvisioner.ensure(cfg); // before the slow encoder load: fail fast
            RegistryCheck.requireAccess(cfg);
            TextEncoder encoder = encoder(cfg);
            MemoryNode node = MemoryNode.start(cfg, encoder, topics.retentionMs());
            List<AutoCloseable> resources = new ArrayList<>(List.of(node));
            if (withWorkers) {
                String id = UUID.randomUUID().toString();
                EncodeWorker enc = new EncodeWorker(cfg, encoder, id);
                enc.start();
                resources.add(enc);
                if (cfg.attentionMode() == AttentionMode.WORKER) {
                    AttentionWorker att = new AttentionWorker(cfg, encoder, id);
                    att.start();
                    resources.add(att);
                }
                RereadWorker reread = new RereadWorker(cfg, encoder, id);
                reread.start();
                resources.add(reread);
            }
            resources.add(encoder);
            System.out.println("memory node started"
                    + (node.httpPort() > 0
                            ? ", http://" + cfg.getString(LtmConfig.HTTP_HOST) + ":" + node.httpPort()
                            : "")
                    + "; Ctrl-C stops it");
            awaitShutdown(resources.toArray(AutoCloseable[]::new));
            return 0;
        }
    }

    @Command(
            name = "worker",
            description = "Run a worker: role encode (TokenEvent -> EncodedTokens), attend "
                    + "(AttentionRequest -> MemoryResponse) or reread (RereadRequest -> MemoryResponse with the best events "
                    + "re-read from the log), batched, exactly once; GPU when present.")
    static final class Worker implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption config = new ConfigOption();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--role", required = true, description = "encode, attend or reread")
        String role;

        @Option(
                names = "--instance-id",
                description = "Stable id of this worker instance (its transactional id); "
                        + "a restarted instance with the same id fences its predecessor at once. Default: random.")
        String instanceId = UUID.randomUUID().toString();

        @Override
        public Integer call() {
            if (!EncodeWorker.ROLE.equals(role)
                    && !AttentionWorker.ROLE.equals(role)
                    && !RereadWorker.ROLE.equals(role)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--role must be encode, attend or reread, not " + role);
            }
            LtmConfig cfg = config.load();
            TopicProvisioner.ensure(cfg); // before the slow encoder load: fail fast
            RegistryCheck.requireAccess(cfg);
            TextEncoder encoder = encoder(cfg);
            TransactionalLoop loop = switch (role) {
                case EncodeWorker.ROLE -> new EncodeWorker(cfg, encoder, instanceId);
                case AttentionWorker.ROLE -> new AttentionWorker(cfg, encoder, instanceId);
                case RereadWorker.ROLE -> new RereadWorker(cfg, encoder, instanceId);
                default -> throw new IllegalStateException("role checked above: " + role);
            };
            loop.start();
            System.out.println(role + " worker " + instanceId + " started; Ctrl-C stops it");
            return awaitWorker(loop, encoder);
        }
    }

    @Command(
            name = "produce",
            description = "Send text events to a key, one event per line of FILE (or stdin). "
                    + "Each event's time is now, or read from the line (--time-regex, --json-lines): spans report it.")
    static final class Produce implements Callable<Integer> {
        @CommandLine.Mixin
        ClientConfigOption config = new ClientConfigOption();

        @Parameters(index = "0", description = "memory key (with --json-lines: of the lines without a \"key\")")
        String key;

        @Parameters(index = "1", arity = "0..1", description = "file of lines; - or absent for stdin")
        String file;

        @Option(
                names = "--time-regex",
                description = "regular expression that finds the event's time in a line (its "
                        + "first group, else the whole match); a line without one continues the event before it (a stack "
                        + "trace's lines), e.g. '^(\\S+ \\S+)' for dpkg.log")
        String timeRegex;

        @Option(
                names = "--time-format",
                description = "java.time DateTimeFormatter pattern of that time, e.g. "
                        + "'yyyy-MM-dd HH:mm:ss' (default: ISO-8601)")
        String timeFormat;

        @Option(
                names = "--time-zone",
                description = "zone of times written without one (default: this machine's, " + "${DEFAULT-VALUE})")
        String timeZone = java.time.ZoneId.systemDefault().getId();

        @Option(
                names = "--json-lines",
                description = "each line is a JSON object {\"text\": ..., \"time\": ..., "
                        + "\"key\": ...}; time (ISO-8601, --time-format, or epoch milliseconds) and key are optional")
        boolean jsonLines;

        @Override
        public Integer call() throws Exception {
            boolean stdin = file == null || "-".equals(file);
            if (!stdin && !Files.isReadable(Path.of(file))) {
                throw new UserFacingException((Files.exists(Path.of(file)) ? "cannot read " : "no such file: ") + file);
            }
            EventLines parser = new EventLines(key, timeRegex, timeFormat, timeZone, jsonLines); // bad options: now
            LtmConfig cfg = config.load();
            requireCluster(cfg, Duration.ofMillis(cfg.getLong(LtmConfig.STARTUP_TIMEOUT_MS)), LtmConfig.TOPIC_EVENTS);
            int n = 0;
            java.util.Set<String> keys = new java.util.TreeSet<>();
            try (LtmClient client = new LtmClient(cfg);
                    BufferedReader in = stdin
                            ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                            : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
                String line;
                int lineNo = 0;
                while ((line = in.readLine()) != null) {
                    lineNo++;
                    EventLines.Event e;
                    try {
                        e = parser.parse(line);
                    } catch (IllegalArgumentException bad) {
                        client.flush();
                        throw new UserFacingException("line " + lineNo + " of " + (stdin ? "stdin" : file) + ": "
                                + bad.getMessage()
                                + (n == 0 ? "; nothing was sent" : "; the " + n + " events before it were sent"));
                    }
                    if (e != null) {
                        client.sendTextAsync(e.key(), e.text(), null, e.time());
                        keys.add(e.key());
                        n++;
                    }
                }
                client.flush();
            }
            System.out.println("sent " + n + " events to key"
                    + (keys.size() > 1
                            ? "s " + String.join(", ", keys)
                            : " " + (keys.isEmpty() ? key : keys.iterator().next())));
            return 0;
        }
    }

    @Command(name = "query", description = "Ask a question of a key's memory and print the answer.")
    static final class Query implements Callable<Integer> {
        @CommandLine.Mixin
        ClientConfigOption config = new ClientConfigOption();

        @Parameters(index = "0", description = "memory key")
        String key;

        @Parameters(index = "1", description = "question text")
        String text;

        @Option(names = "--spans", description = "number of attended spans (default ${DEFAULT-VALUE})")
        int spans = 2;

        @Option(names = "--timeout", description = "seconds to wait for the answer (default ${DEFAULT-VALUE})")
        int timeoutSeconds = 30;

        @Option(names = "--json", description = "print the whole MemoryResponse as JSON (for scripts) instead of text")
        boolean json;

        @Option(
                names = "--reread",
                paramLabel = "TOKENS",
                description =
                        "two-stage read: re-read this many tokens of "
                                + "the log around each span and name the best events exactly (needs a reread worker: ./ltm run "
                                + "--with-workers or ./ltm worker --role reread; capped by ltm.query.reread.max.tokens; default 0 = off)")
        int reread;

        @Option(
                names = "--via-encode-worker",
                description = "send the text to the encode worker instead of the "
                        + "memory node (for nodes that run without an encoder)")
        boolean viaWorker;

        @Override
        public Integer call() throws Exception {
            LtmConfig cfg = config.load();
            long t0 = System.nanoTime();
            Duration timeout = Duration.ofSeconds(timeoutSeconds);
            requireCluster(
                    cfg,
                    timeout,
                    LtmConfig.TOPIC_RESPONSES,
                    viaWorker ? LtmConfig.TOPIC_QUERY_REQUESTS : LtmConfig.TOPIC_QUERIES);
            try (LtmClient client = new LtmClient(cfg, timeout)) {
                // --timeout bounds the whole command, the connection checks included
                Duration left = timeout.minusNanos(System.nanoTime() - t0);
                left = left.isNegative() ? Duration.ZERO : left;
                MemoryResponse r;
                try {
                    QueryOptions options = QueryOptions.newBuilder()
                            .setSpans(spans)
                            .setRereadTokens(reread)
                            .build();
                    r = viaWorker
                            ? client.queryThroughEncodeWorker(key, text, options, left)
                            : client.query(key, text, options, left);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new UserFacingException("no answer for key '" + key + "' within " + timeoutSeconds
                            + " s: is a memory node running (./ltm run)?");
                }
                if (json) {
                    System.out.println(AvroJson.write(r));
                } else {
                    try (SourceLines lines = new SourceLines(cfg)) {
                        System.out.print(AnswerPrinter.format(r, lines));
                    }
                }
                return r.getError() == null ? 0 : 1;
            }
        }
    }

    @Command(name = "forget", description = "Erase a key's memory for good.")
    static final class Forget implements Callable<Integer> {
        @CommandLine.Mixin
        ClientConfigOption config = new ClientConfigOption();

        @Parameters(index = "0", description = "memory key")
        String key;

        @Override
        public Integer call() {
            LtmConfig cfg = config.load();
            requireCluster(
                    cfg,
                    Duration.ofMillis(cfg.getLong(LtmConfig.STARTUP_TIMEOUT_MS)),
                    LtmConfig.TOPIC_CONTROL,
                    LtmConfig.TOPIC_RESPONSES);
            try (LtmClient client = new LtmClient(cfg)) {
                client.forget(key);
            }
            System.out.println("forget sent for key " + key);
            return 0;
        }
    }

    @Command(
            name = "verify-reference",
            description = "Replay reference test-vector files (ltm_reference.py format) "
                    + "through our implementation; prints the relative error of every array, exit 1 above 1e-4.")
    static final class VerifyReference implements Callable<Integer> {
        @Parameters(arity = "1..*", description = "vector files")
        List<String> files;

        @Override
        public Integer call() throws Exception {
            io.ltm.model.tools.VerifyReference.main(files.toArray(String[]::new)); // exits non-zero on failure
            return 0;
        }
    }

    @Command(name = "config", description = "Print every configuration key with its default and documentation.")
    static final class Config implements Runnable {
        @Override
        public void run() {
            System.out.println(LtmConfig.describe());
        }
    }
}
