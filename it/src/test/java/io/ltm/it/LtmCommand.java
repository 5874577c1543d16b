package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.topology.cli.LtmCli;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A command of the command line ({@code ltm ARGS}) as a JVM of its own on the tests' class path, its output (stdout and
 * stderr together) in a log file: how the tests run nodes, workers and commands as a user does, and kill them.
 */
final class LtmCommand {
    private final List<String> jvmOptions = new ArrayList<>();
    private final List<String> args;
    private final Map<String, String> env = new HashMap<>();
    private Path directory;

    private LtmCommand(List<String> args) {
        this.args = new ArrayList<>(args);
    }

    /** The arguments, as a user writes them after {@code ltm}. */
    static LtmCommand of(String... args) {
        return new LtmCommand(List.of(args));
    }

    /** Options of the JVM itself (a heap limit, a logger's level). */
    LtmCommand jvm(String... options) {
        jvmOptions.addAll(List.of(options));
        return this;
    }

    /** Configuration entries as {@code -Dkey=value} arguments, after those so far. */
    LtmCommand settings(Map<String, ?> entries) {
        entries.forEach((k, v) -> args.add("-D" + k + "=" + v));
        return this;
    }

    /** More arguments, after those so far. */
    LtmCommand args(String... more) {
        args.addAll(List.of(more));
        return this;
    }

    /** Environment variables on top of this JVM's. */
    LtmCommand env(Map<String, String> variables) {
        env.putAll(variables);
        return this;
    }

    /** The working directory (this JVM's unless set). */
    LtmCommand in(Path workingDirectory) {
        directory = workingDirectory;
        return this;
    }

    /** The whole command line: java, its options, the class path, the main class, the arguments. */
    List<String> commandLine() {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LtmCli.class.getName()));
        cmd.addAll(args);
        return cmd;
    }

    /** Starts it; its output replaces what {@code log} held. */
    Process start(Path log) throws IOException {
        return start(commandLine(), Redirect.to(log.toFile()));
    }

    /**
     * Starts {@code prefix} followed by the command line (a shell that waits first, say); its output goes after what
     * {@code log} holds, so that a process restarted under one name keeps one log.
     */
    Process startAppending(Path log, List<String> prefix) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(commandLine());
        return start(cmd, Redirect.appendTo(log.toFile()));
    }

    private Process start(List<String> cmd, Redirect output) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output);
        if (directory != null) pb.directory(directory.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Starts it, to be waited for with {@link Running#result(Duration)}. */
    Running launch(Path log) throws IOException {
        long t0 = System.nanoTime();
        return new Running(start(log), log, t0);
    }

    /** Runs it to its end, which must come within {@code timeout}. */
    Result run(Path log, Duration timeout) throws Exception {
        return launch(log).result(timeout);
    }

    /** A command started and not yet waited for. */
    record Running(Process process, Path log, long startedNanos) {
        Result result(Duration timeout) throws Exception {
            assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
                    .as("%s ended within %s", log.getFileName(), timeout)
                    .isTrue();
            return new Result(
                    process.exitValue(),
                    Files.readString(log, StandardCharsets.UTF_8),
                    (System.nanoTime() - startedNanos) / 1e9);
        }
    }

    /** How a command ended: its exit code, its output and how long it ran. */
    record Result(int rc, String out, double seconds) {
        List<String> lines() {
            return out.lines().filter(l -> !l.isBlank()).toList();
        }

        String lastLine() {
            List<String> l = lines();
            return l.isEmpty() ? "" : l.get(l.size() - 1);
        }
    }

    /** Waits until the log of a running process holds {@code text}; fails if the process ends first, or in 120 s. */
    static void awaitLine(Process p, Path log, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)
                    && Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
                return;
            }
            assertThat(p.isAlive())
                    .as(Files.exists(log) ? Files.readString(log) : "no output")
                    .isTrue();
            Thread.sleep(200);
        }
        throw new AssertionError("no '" + text + "' in " + log);
    }
}
