package io.ltm.topology.cli;

import io.ltm.embedded.EmbeddedKafkaBroker;
import io.ltm.embedded.LocalRegistry;
import io.ltm.model.encoder.TextEncoder;
import io.ltm.schemas.MemoryResponse;
import io.ltm.topology.api.AttentionMode;
import io.ltm.topology.api.EncoderChoice;
import io.ltm.topology.api.LtmClient;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import io.ltm.topology.api.TopicProvisioner;
import io.ltm.topology.worker.AttentionWorker;
import io.ltm.topology.worker.EncodeWorker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job on an embedded default: a real KRaft broker and a real schema registry in one command, the
 * memory node and the workers, three real texts streamed into three keys, then questions and their answers
 * with the original lines they point to.
 */
@Command(
        name = "demo",
        description = "Start an embedded broker and registry, stream real texts into memory, "
                + "ask questions, print the answers, exit.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--encoder", description = "minilm (default) or hashing")
    String encoderName = EncoderChoice.MINILM.configValue();

    @Option(
            names = "--attention",
            description =
                    "inline (default: answered by the memory node) or worker " + "(answered by the attention worker)")
    String attention = AttentionMode.INLINE.configValue();

    @Option(names = "--max-events", description = "events per text at most (default ${DEFAULT-VALUE})")
    int maxEvents = 400;

    /** One stream of the demo: a memory key, where its text comes from, and questions for it. */
    private record Source(String key, String description, List<String> events, List<String> questions) {}

    @Override
    public Integer call() throws Exception {
        Path logFile = Files.createTempFile("ltm-demo-broker-", ".log");
        // Kafka's own log becomes one of the streams; it goes to a file, not to the console.
        System.setProperty("org.slf4j.simpleLogger.logFile", logFile.toString());
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.kafka", "info");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka.controller", "info");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        long t0 = System.nanoTime();
        Path stateDir = Files.createTempDirectory("ltm-demo-state-");
        say("starting an embedded Kafka broker (KRaft) and the schema registry ...");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
                LocalRegistry registry = LocalRegistry.start()) {
            LtmConfig config = LtmConfig.load(
                    null,
                    Map.of(),
                    Map.of(
                            LtmConfig.BOOTSTRAP_SERVERS,
                            broker.bootstrapServers(),
                            LtmConfig.SCHEMA_REGISTRY_URL,
                            registry.url(),
                            LtmConfig.APPLICATION_ID,
                            "ltm-demo",
                            LtmConfig.STATE_DIR,
                            stateDir.toString(),
                            LtmConfig.TOPIC_PARTITIONS,
                            2,
                            LtmConfig.ENCODER,
                            encoderName,
                            LtmConfig.ATTENTION_MODE,
                            attention,
                            LtmConfig.HTTP_PORT,
                            0));
            say("broker " + broker.bootstrapServers() + ", registry " + registry.url());
            TopicProvisioner.Topics topics = TopicProvisioner.ensure(config);
            say("loading the " + encoderName + " encoder ...");
            try (TextEncoder encoder = LtmCli.encoder(config);
                    MemoryNode node = MemoryNode.start(config, encoder, topics.retentionMs());
                    EncodeWorker encodeWorker = new EncodeWorker(config, encoder, "demo");
                    AttentionWorker attentionWorker = AttentionMode.of(attention) == AttentionMode.WORKER
                            ? new AttentionWorker(config, encoder, "demo")
                            : null;
                    LtmClient client = new LtmClient(config);
                    SourceLines lines = new SourceLines(config)) {
                node.awaitRunning(Duration.ofSeconds(120));
                encodeWorker.start();
                if (attentionWorker != null) {
                    attentionWorker.start();
                }
                say("memory node running (HTTP endpoint on port " + node.httpPort() + "); attention: " + attention);

                List<Source> sources = sources(logFile);
                for (Source s : sources) {
                    int n = 0;
                    for (String line : s.events()) {
                        client.sendTextAsync(s.key(), line, s.key() + ":" + n++);
                    }
                    say(String.format("streaming %-14s %4d events: %s", s.key(), n, s.description()));
                }
                client.flush();
                awaitIngested(
                        broker, config, node, sources.stream().map(Source::key).toList());

                for (Source s : sources) {
                    System.out.println();
                    say("=== " + s.key() + " (" + s.description() + ") ===");
                    for (String q : s.questions()) {
                        MemoryResponse r = client.query(s.key(), q, 2, Duration.ofSeconds(60));
                        System.out.println("Q: " + q);
                        System.out.print(AnswerPrinter.format(r, lines));
                    }
                }
                System.out.println();
                String gone = sources.get(0).key();
                say("forgetting key " + gone + " and asking again ...");
                client.forget(gone);
                MemoryResponse after = awaitForgotten(client, gone);
                System.out.print(AnswerPrinter.format(after, null));
                say(String.format("done in %.1f s", (System.nanoTime() - t0) / 1e9));
            }
        }
        return 0;
    }

    private List<Source> sources(Path brokerLog) throws IOException {
        List<Source> out = new ArrayList<>();
        Path gpl = Path.of("/usr/share/common-licenses/GPL-3");
        if (Files.exists(gpl)) {
            out.add(new Source(
                    "gpl-3",
                    "the GNU GPL v3 from /usr/share/common-licenses, one paragraph per event",
                    limit(paragraphs(Files.readAllLines(gpl, StandardCharsets.UTF_8))),
                    List.of(
                            "Is there any warranty for the program?",
                            "What must I do when I distribute the source code?")));
        }
        Path aptChangelog = Path.of("/usr/share/doc/apt/changelog.gz");
        if (Files.exists(aptChangelog)) {
            out.add(new Source(
                    "apt-changelog",
                    "Debian's apt changelog, one line per event",
                    limit(nonBlank(gunzipLines(aptChangelog))),
                    List.of("security vulnerability fixed", "translation updates")));
        }
        List<String> log = nonBlank(Files.readAllLines(brokerLog, StandardCharsets.UTF_8));
        out.add(new Source(
                "broker-log",
                "this run's own Kafka broker log, one line per event",
                limit(log),
                List.of("When was a new topic partition created?", "transaction coordinator")));
        return out;
    }

    private List<String> limit(List<String> events) {
        return events.size() <= maxEvents ? events : events.subList(0, maxEvents);
    }

    private static List<String> paragraphs(List<String> lines) {
        List<String> out = new ArrayList<>();
        StringBuilder p = new StringBuilder();
        for (String l : lines) {
            if (l.isBlank()) {
                if (p.length() > 0) {
                    out.add(p.toString());
                    p.setLength(0);
                }
            } else {
                p.append(p.length() > 0 ? " " : "").append(l.strip());
            }
        }
        if (p.length() > 0) {
            out.add(p.toString());
        }
        return out;
    }

    private static List<String> nonBlank(List<String> lines) {
        return lines.stream().filter(l -> !l.isBlank()).map(String::strip).toList();
    }

    private static List<String> gunzipLines(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file));
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return r.lines().toList();
        }
    }

    /**
     * Shows progress until the pipeline has caught up: the encode worker's group has committed every event and
     * the memory node's group every encoded record (both lags zero).
     */
    private static void awaitIngested(
            EmbeddedKafkaBroker broker, LtmConfig config, MemoryNode node, Iterable<String> keys) throws Exception {
        String app = config.getString(LtmConfig.APPLICATION_ID);
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        try (Admin admin = broker.admin()) {
            while (System.nanoTime() < deadline) {
                Thread.sleep(1000);
                StringBuilder line = new StringBuilder("ingesting:");
                for (String k : keys) {
                    Map<String, Object> d = node.describe(k);
                    line.append(String.format(
                            "  %s %s tokens (%s contractions)", k, d.get("tokensAbsorbed"), d.get("contractions")));
                }
                say(line.toString());
                if (lag(admin, app + "-" + EncodeWorker.ROLE, config.getString(LtmConfig.TOPIC_EVENTS), false) == 0
                        && lag(admin, app, config.getString(LtmConfig.TOPIC_TOKENS), true) == 0) {
                    return;
                }
            }
        }
        throw new IllegalStateException("the pipeline did not catch up within 10 minutes");
    }

    /**
     * Records of {@code topic} not yet committed by {@code group} (Long.MAX_VALUE before its first commit).
     * {@code transactional}: the topic is written in transactions, whose commit markers take an offset each.
     */
    private static long lag(Admin admin, String group, String topic, boolean transactional) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (var p : admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions()) {
            latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
        }
        long lag = 0;
        for (var e : admin.listOffsets(latest).all().get().entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            long end = e.getValue().offset();
            if (c == null && end > 0) {
                return Long.MAX_VALUE;
            }
            long behind = end - (c == null ? 0 : c.offset());
            lag += transactional ? Math.max(0, behind - 1) : behind; // the last marker is never consumed
        }
        return lag;
    }

    private static MemoryResponse awaitForgotten(LtmClient client, String key) throws Exception {
        MemoryResponse r = null;
        for (int i = 0; i < 20; i++) {
            r = client.query(key, "anything", 1, Duration.ofSeconds(30));
            if (!r.getFound()) {
                return r;
            }
            Thread.sleep(250);
        }
        return r;
    }

    private static void say(String s) {
        System.out.println("[ltm] " + s);
    }
}
