package io.ltm.model.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Where and when a benchmark ran: CPU model (from /proc/cpuinfo), cores, load average, JVM, date. */
final class BenchInfo {
    private BenchInfo() {}

    static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name"))
                    return l.substring(l.indexOf(':') + 1).strip();
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    /** The three load averages of /proc/loadavg, or "" when unknown. */
    static String loadAverage() {
        try {
            String[] p = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return p[0] + " " + p[1] + " " + p[2];
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Puts date, cpu, cores, loadAverageAtStart and java into o. */
    static void describe(ObjectNode o) {
        o.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        o.put("cpu", cpuModel());
        o.put("cores", Runtime.getRuntime().availableProcessors());
        o.put("loadAverageAtStart", loadAverage());
        o.put("java", System.getProperty("java.version"));
    }
}
