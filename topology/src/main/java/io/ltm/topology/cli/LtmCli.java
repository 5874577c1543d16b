package io.ltm.topology.cli;

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

import io.ltm.model.encoder.Encoders;
import io.ltm.model.encoder.TextEncoder;
import io.ltm.schemas.MemoryResponse;
import io.ltm.topology.api.LtmClient;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import io.ltm.topology.worker.AttentionWorker;
import io.ltm.topology.worker.EncodeWorker;
import io.ltm.topology.worker.TransactionalLoop;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code ./ltm} command line. */
@Command(name = "ltm", mixinStandardHelpOptions = true, version = "LTM Streams 0.1.0",
        description = "Kafka-native long-term memory (the infinity-former's continuous memory) per key of a stream.",
        subcommands = {DemoCommand.class, LtmCli.Run.class, LtmCli.Worker.class, LtmCli.Produce.class,
                LtmCli.Query.class, LtmCli.Forget.class, LtmCli.VerifyReference.class, BenchCommand.class,
                LtmCli.Config.class})
public final class LtmCli implements Runnable {

    public static void main(String[] args) {
        int rc = new CommandLine(new LtmCli()).execute(args);
        System.exit(rc);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Options shared by the commands that talk to a cluster. */
    static class ConfigOption {
        @Option(names = {"-c", "--config"}, description = "Properties file (see `ltm config`); LTM_* environment "
                + "variables override it.")
        Path file;

        @Option(names = "-D", description = "Override one key, e.g. -Dltm.attention.mode=worker")
        Map<String, String> overrides = Map.of();

        LtmConfig load() {
            return LtmConfig.load(file, System.getenv(), overrides);
        }
    }

    static TextEncoder encoder(LtmConfig config) {
        String name = config.getString(LtmConfig.ENCODER);
        return "none".equals(name) ? null : Encoders.byName(name, config.getInt(LtmConfig.MEMORY_DIM));
    }

    static void awaitShutdown(AutoCloseable... resources) {
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AutoCloseable r : resources) {
                try {
                    if (r != null) {
                        r.close();
                    }
                } catch (Exception e) {
                    System.err.println("error while closing: " + e);
                }
            }
            done.countDown();
        }));
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Command(name = "run", description = "Run a memory node against any Kafka cluster and schema registry.")
    static final class Run implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption config = new ConfigOption();

        @Option(names = "--with-workers", description = "Also run an encode worker (and an attention worker in "
                + "worker mode) in this process.")
        boolean withWorkers;

        @Override
        public Integer call() {
            LtmConfig cfg = config.load();
            TextEncoder encoder = encoder(cfg);
            MemoryNode node = MemoryNode.start(cfg, encoder);
            List<AutoCloseable> resources = new ArrayList<>(List.of(node));
            if (withWorkers) {
                String id = UUID.randomUUID().toString();
                EncodeWorker enc = new EncodeWorker(cfg, encoder, id);
                enc.start();
                resources.add(enc);
                if (LtmConfig.ATTENTION_MODE_WORKER.equals(cfg.getString(LtmConfig.ATTENTION_MODE))) {
                    AttentionWorker att = new AttentionWorker(cfg, encoder, id);
                    att.start();
                    resources.add(att);
                }
            }
            resources.add(encoder);
            System.out.println("memory node started" + (node.httpPort() > 0 ? ", http://"
                    + cfg.getString(LtmConfig.HTTP_HOST) + ":" + node.httpPort() : "") + "; Ctrl-C stops it");
            awaitShutdown(resources.toArray(AutoCloseable[]::new));
            return 0;
        }
    }

    @Command(name = "worker", description = "Run a worker: role encode (TokenEvent -> EncodedTokens) or attend "
            + "(AttentionRequest -> MemoryResponse), batched, exactly once; GPU when present.")
    static final class Worker implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption config = new ConfigOption();

        @Option(names = "--role", required = true, description = "encode or attend")
        String role;

        @Option(names = "--instance-id", description = "Stable id of this worker instance (its transactional id); "
                + "a restarted instance with the same id fences its predecessor at once. Default: random.")
        String instanceId = UUID.randomUUID().toString();

        @Override
        public Integer call() {
            LtmConfig cfg = config.load();
            TextEncoder encoder = encoder(cfg);
            TransactionalLoop loop = switch (role) {
                case EncodeWorker.ROLE -> new EncodeWorker(cfg, encoder, instanceId);
                case AttentionWorker.ROLE -> new AttentionWorker(cfg, encoder, instanceId);
                default -> throw new CommandLine.ParameterException(new CommandLine(this),
                        "--role must be encode or attend, not " + role);
            };
            loop.start();
            System.out.println(role + " worker " + instanceId + " started; Ctrl-C stops it");
            awaitShutdown(loop, encoder);
            return 0;
        }
    }

    @Command(name = "produce", description = "Send text events to a key, one event per line of FILE (or stdin).")
    static final class Produce implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption config = new ConfigOption();

        @Parameters(index = "0", description = "memory key")
        String key;

        @Parameters(index = "1", arity = "0..1", description = "file of lines; - or absent for stdin")
        String file;

        @Override
        public Integer call() throws Exception {
            LtmConfig cfg = config.load();
            int n = 0;
            try (LtmClient client = new LtmClient(cfg);
                 BufferedReader in = file == null || "-".equals(file)
                         ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                         : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (!line.isBlank()) {
                        client.sendTextAsync(key, line, null);
                        n++;
                    }
                }
                client.flush();
            }
            System.out.println("sent " + n + " events to key " + key);
            return 0;
        }
    }

    @Command(name = "query", description = "Ask a question of a key's memory and print the answer.")
    static final class Query implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption config = new ConfigOption();

        @Parameters(index = "0", description = "memory key")
        String key;

        @Parameters(index = "1", description = "question text")
        String text;

        @Option(names = "--spans", description = "number of attended spans (default ${DEFAULT-VALUE})")
        int spans = 2;

        @Option(names = "--timeout", description = "seconds to wait for the answer (default ${DEFAULT-VALUE})")
        int timeoutSeconds = 30;

        @Option(names = "--via-encode-worker", description = "send the text to the encode worker instead of the "
                + "memory node (for nodes that run without an encoder)")
        boolean viaWorker;

        @Override
        public Integer call() throws Exception {
            try (LtmClient client = new LtmClient(config.load())) {
                Duration timeout = Duration.ofSeconds(timeoutSeconds);
                MemoryResponse r = viaWorker ? client.queryThroughEncodeWorker(key, text, spans, timeout)
                        : client.query(key, text, spans, timeout);
                System.out.println(AnswerPrinter.format(r, null));
                return r.getError() == null ? 0 : 1;
            }
        }
    }

    @Command(name = "forget", description = "Erase a key's memory for good.")
    static final class Forget implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption config = new ConfigOption();

        @Parameters(index = "0", description = "memory key")
        String key;

        @Override
        public Integer call() {
            try (LtmClient client = new LtmClient(config.load())) {
                client.forget(key);
            }
            System.out.println("forget sent for key " + key);
            return 0;
        }
    }

    @Command(name = "verify-reference", description = "Replay reference test-vector files (ltm_reference.py format) "
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
