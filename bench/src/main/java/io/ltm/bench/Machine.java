package io.ltm.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Where and when a benchmark ran, for every benchmark's JSON: the CPU model (from /proc/cpuinfo), cores, load
 * average, JVM, date. Numbers from two machines are not comparable, so each result names its own.
 */
public final class Machine {
    private Machine() {}

    /** The CPU's model name (Linux), else the architecture. */
    public static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    /** The three load averages of /proc/loadavg (1, 5 and 15 minutes), or "unknown". */
    public static String loadAverage() {
        try {
            String[] p = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return p[0] + " " + p[1] + " " + p[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** Puts date, cpu, cores, loadAverageAtStart and java into o. */
    public static void describe(ObjectNode o) {
        o.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        o.put("cpu", cpuModel());
        o.put("cores", Runtime.getRuntime().availableProcessors());
        o.put("loadAverageAtStart", loadAverage());
        o.put("java", System.getProperty("java.version"));
    }
}
