package io.ltm.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Confluent's Python client (Debian python3-confluent-kafka + python3-avro) running our scripts next to this class:
 * each reads a JSON spec and writes one JSON object per line.
 */
final class ConfluentPython {
    static final String PYTHON = System.getProperty("ltm.python", "/usr/bin/python3");
    static final ObjectMapper JSON = new ObjectMapper();

    private ConfluentPython() {}

    /** Skips the test class, with the reason, when the client is not usable here. */
    static void assumeInstalled() {
        String why = missing();
        Assumptions.assumeTrue(
                why == null,
                () -> "skipped: Confluent's Python client is not usable here (" + why
                        + "); install python3-confluent-kafka python3-avro python3-requests");
    }

    private static String missing() {
        try {
            Process p = new ProcessBuilder(
                            PYTHON,
                            "-c",
                            "from confluent_kafka.avro import AvroProducer, AvroConsumer; import avro.schema")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "import timed out";
            }
            return p.exitValue() == 0 ? null : PYTHON + " cannot import it: " + out.strip();
        } catch (IOException | InterruptedException e) {
            return PYTHON + " not runnable: " + e;
        }
    }

    /** The script of this package's resources, copied into dir. */
    static Path script(String name, Path dir) throws IOException {
        Path script = dir.resolve(name);
        try (InputStream in = ConfluentPython.class.getResourceAsStream(name)) {
            Files.copy(in, script);
        }
        return script;
    }

    /**
     * Runs {@code script [mode] spec-file} (no mode when null); returns the lines of its output as JSON. Fails, with
     * its output, when it does not exit 0 within the timeout.
     */
    static List<JsonNode> run(Path script, String mode, ObjectNode spec, Duration timeout) throws Exception {
        Path dir = script.getParent();
        String prefix = mode == null ? "spec" : mode;
        Path specFile = Files.createTempFile(dir, prefix, ".json");
        Files.writeString(specFile, spec.toString());
        Path errFile = Files.createTempFile(dir, prefix, ".stderr");
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString()));
        if (mode != null) cmd.add(mode);
        cmd.add(specFile.toString());
        Process p = new ProcessBuilder(cmd).redirectError(errFile.toFile()).start();
        String stdout;
        try (InputStream o = p.getInputStream()) {
            stdout = new String(o.readAllBytes(), StandardCharsets.UTF_8);
        }
        boolean done = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
        if (!done) p.destroyForcibly();
        assertThat(done && p.exitValue() == 0)
                .as(
                        "python %s failed (exit %s):\nstdout:\n%s\nstderr:\n%s",
                        script.getFileName(), done ? p.exitValue() : "timeout", stdout, Files.readString(errFile))
                .isTrue();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : stdout.split("\n")) if (!line.isBlank()) lines.add(JSON.readTree(line));
        return lines;
    }
}
