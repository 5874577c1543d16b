package io.ltm.topology.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.embedded.EmbeddedKafkaBroker;
import io.ltm.model.encoder.EncodedText;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.SourcePosition;
import io.ltm.testutils.NoveltyTestLogs;
import io.ltm.topology.api.LtmClient;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import io.ltm.topology.api.TopicProvisioner;
import io.ltm.topology.codec.WireVectors;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * On a real (embedded) broker: a node with novelty and its web page; `ltm watch` prints the planted lines as they
 * arrive, `ltm inspect` draws the memory from the changelogs, and headless Chromium renders the page, the picture and
 * the query form's answer.
 */
class NodeWebPageTest {

    static final int DIM = 64;
    static final String KEY = "host-7";
    /** The first ten of the novelty tests' planted lines. */
    static final List<String> PLANTED = NoveltyTestLogs.PLANTED.subList(0, 10);

    @TempDir
    static Path dir;

    static EmbeddedKafkaBroker broker;
    static MemoryNode node;
    static HashingEncoder encoder;
    static LtmConfig config;
    static Map<String, String> overrides;
    static String watched;
    static List<String> lines;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedKafkaBroker.start();
        overrides = new HashMap<>();
        overrides.put(LtmConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        overrides.put(LtmConfig.SCHEMA_REGISTRY_URL, "mock://web-" + UUID.randomUUID());
        overrides.put(LtmConfig.APPLICATION_ID, "ltm-web-test");
        overrides.put(LtmConfig.STATE_DIR, dir.resolve("state").toString());
        overrides.put(LtmConfig.TOPIC_PARTITIONS, "2");
        overrides.put(LtmConfig.MEMORY_DIM, String.valueOf(DIM));
        overrides.put(LtmConfig.MEMORY_BASIS_SIZE, "64");
        overrides.put(LtmConfig.MEMORY_BASIS_WIDTHS, "0.02,0.04");
        overrides.put(LtmConfig.MEMORY_CONTRACTION_LENGTH, "128");
        overrides.put(LtmConfig.MEMORY_SAMPLES, "64");
        overrides.put(LtmConfig.ENCODER, "hashing");
        overrides.put(LtmConfig.HTTP_PORT, "0");
        config = new LtmConfig(overrides);
        TopicProvisioner.ensure(config, Duration.ofSeconds(30));
        encoder = new HashingEncoder(DIM);
        node = MemoryNode.start(config, encoder);
        node.awaitRunning(Duration.ofSeconds(60));

        List<String> log = NoveltyTestLogs.packageLog(400, 11);
        lines = new ArrayList<>(log.subList(0, 300));
        lines.addAll(PLANTED);
        lines.addAll(log.subList(300, 400));

        // ltm watch, started before the events, prints what is new as it arrives
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WatchCommand watch = new WatchCommand();
        watch.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        Thread t = new Thread(
                () -> cli(watch).execute(args(KEY, "--threshold", "0.3", "--duration", "60", "--max", "100")));
        t.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!out.toString(StandardCharsets.UTF_8).startsWith("watching") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        try (LtmClient client = new LtmClient(config)) {
            for (int i = 0; i < lines.size(); i++) {
                EncodedText e = encoder.encode(lines.get(i));
                client.sendTokens(
                        KEY,
                        EncodedTokens.newBuilder()
                                .setVectors(WireVectors.tokens(e.vectors(), e.count(), DIM))
                                .setTokens(e.tokens())
                                .setText(lines.get(i))
                                .setSource(SourcePosition.newBuilder()
                                        .setTopic("syslog")
                                        .setPartition(0)
                                        .setOffset(1000 + i)
                                        .setTimestamp(Instant.parse("2026-11-01T00:00:00Z")
                                                .plusSeconds(60L * i))
                                        .build())
                                .build());
            }
            client.flush();
        }
        long total = lines.stream().mapToLong(l -> encoder.encode(l).count()).sum();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Long.valueOf(total).equals(((Number) node.describe(KEY).get("tokensAbsorbed")).longValue())
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(((Number) node.describe(KEY).get("tokensAbsorbed")).longValue())
                .isEqualTo(total);
        // the term filter's segments are put back from their store, and it is far from saturated at this length
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> terms =
                (java.util.Map<String, Object>) node.describe(KEY).get("termFilter");
        assertThat(((Number) terms.get("segmentsUsed")).intValue()).isPositive();
        assertThat(((Number) terms.get("falsePositiveRate")).doubleValue()).isBetween(0.0, 0.1);
        Thread.sleep(3000); // the last scores reach the watcher
        watch.max = 0; // stop it
        t.join(10_000);
        watched = out.toString(StandardCharsets.UTF_8);
    }

    static CommandLine cli(Object command) {
        return new CommandLine(command).setExecutionExceptionHandler(LtmCli::onError);
    }

    static String[] args(String... a) {
        List<String> l = new ArrayList<>(List.of(a));
        overrides.forEach((k, v) -> l.add("-D" + k + "=" + v));
        return l.toArray(new String[0]);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (encoder != null) {
            encoder.close();
        }
    }

    @Test
    void watchPrintsThePlantedLinesAsTheyArrive() {
        List<String> printed = watched.lines()
                .filter(l -> !l.startsWith("watching") && l.contains(" novelty "))
                .toList();
        printed.forEach(System.out::println);
        long planted = PLANTED.stream()
                .filter(p -> printed.stream().anyMatch(l -> l.endsWith(p)))
                .count();
        System.out.println(
                "watch printed " + printed.size() + " lines, " + planted + " of " + PLANTED.size() + " planted");
        assertThat(planted).isGreaterThanOrEqualTo(PLANTED.size() * 7 / 10);
        assertThat(printed.size()).isLessThan(PLANTED.size() + 25);
        assertThat(printed.get(0)).contains(KEY).contains("syslog-0@").startsWith("2026-11-01T");
    }

    @Test
    void inspectDrawsTheMemoryFromTheChangelogs() throws Exception {
        Path png = dir.resolve("memory.png");
        Path html = dir.resolve("memory.html");
        assertThat(cli(new InspectCommand())
                        .execute(args(KEY, "--query", "kernel out of memory", "--out", png.toString())))
                .isZero();
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(1000);
        assertThat(img.getHeight()).isEqualTo(520);
        assertThat(cli(new InspectCommand()).execute(args(KEY, "--out", html.toString())))
                .isZero();
        assertThat(Files.readString(html)).contains("data:image/png;base64,").contains(KEY);
        assertThat(cli(new InspectCommand()).execute(args("nobody", "--out", png.toString())))
                .isEqualTo(1);
    }

    @Test
    void theNodeServesThePictureAndChromiumRendersThePageAndTheQueryForm() throws Exception {
        String base = "http://127.0.0.1:" + node.httpPort();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<byte[]> pic = http.send(
                HttpRequest.newBuilder(URI.create(base + "/keys/" + KEY + "/picture.png?query="
                                + URLEncoder.encode("kernel out of memory", StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(pic.statusCode()).isEqualTo(200);
        assertThat(pic.headers().firstValue("Content-Type")).contains("image/png");
        BufferedImage img = ImageIO.read(new java.io.ByteArrayInputStream(pic.body()));
        assertThat(img.getWidth()).isEqualTo(1000);
        assertThat(img.getHeight()).isEqualTo(520);
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create(base + "/keys/nobody/picture.png"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(404);

        String chromium = chromium();
        Assumptions.assumeTrue(
                chromium != null,
                "chromium is not installed (Debian package chromium; .ci/run installs it "
                        + "with apt): the page was checked over HTTP only, not in a browser");
        String index = run(chromium, "--dump-dom", base + "/");
        assertThat(index)
                .contains("<ul id=\"keys\">")
                .contains(">" + KEY + "</a>")
                .contains("<form id=\"ask\"");
        // what the form sends: GET /view?key=K&query=Q, redirected to the key's page
        String page = base + "/view?key=" + KEY + "&query="
                + URLEncoder.encode("kernel out of memory", StandardCharsets.UTF_8) + "&spans=2";
        String dom = run(chromium, "--dump-dom", page);
        assertThat(dom)
                .contains("id=\"picture\"")
                .contains("data:image/png;base64,")
                .contains("<table id=\"spans\"")
                .contains("kernel out of memory");
        Path shot = dir.resolve("page.png");
        run(chromium, "--screenshot=" + shot, "--window-size=1100,900", page);
        BufferedImage s = ImageIO.read(shot.toFile());
        assertThat(s.getWidth()).isEqualTo(1100);
        assertThat(s.getHeight()).isEqualTo(900);
        // the picture is on the screen: many pixels of the content's blue
        int blue = 0;
        for (int y = 0; y < s.getHeight(); y += 2) {
            for (int x = 0; x < s.getWidth(); x += 2) {
                java.awt.Color c = new java.awt.Color(s.getRGB(x, y));
                if (c.getBlue() > c.getRed() + 40) {
                    blue++;
                }
            }
        }
        assertThat(blue).isGreaterThan(2000);
        Files.copy(shot, Path.of("target", "node-web-page.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static String chromium() {
        for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        return null;
    }

    /** Headless Chromium on one URL; returns its stdout (the DOM for --dump-dom). */
    static String run(String chromium, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                "--user-data-dir=" + Files.createTempDirectory(dir, "chromium")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectError(
                        dir.resolve("chromium-" + UUID.randomUUID() + ".log").toFile())
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
