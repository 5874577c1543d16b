package io.ltm.testutils;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** Logs for the novelty tests. */
public final class NoveltyTestLogs {

    private NoveltyTestLogs() {}

    /** A small dpkg-like log (generated, deterministic) with the planted stretch at 70%. */
    public static List<String> packageLog(int n, long seed) {
        Random r = new Random(seed);
        String[] pkgs = {
            "libc6",
            "libssl3",
            "openssl",
            "curl",
            "libcurl4",
            "git",
            "python3",
            "perl-base",
            "tzdata",
            "ca-certificates",
            "libxml2",
            "zlib1g",
            "bash",
            "coreutils",
            "systemd",
            "udev",
            "openjdk-17-jre",
            "maven",
            "libgcc-s1",
            "gcc-12",
            "make",
            "dpkg",
            "apt",
            "libapt-pkg6.0"
        };
        String[] actions = {
            "status unpacked",
            "status half-configured",
            "status installed",
            "configure",
            "upgrade",
            "status half-installed",
            "trigproc",
            "install"
        };
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String p = pkgs[r.nextInt(pkgs.length)];
            String a = actions[r.nextInt(actions.length)];
            out.add(String.format(
                    Locale.ROOT,
                    "2026-11-%02d %02d:%02d:%02d %s %s:amd64 %d.%d-%d",
                    1 + i * 28 / n,
                    r.nextInt(24),
                    r.nextInt(60),
                    r.nextInt(60),
                    a,
                    p,
                    r.nextInt(5),
                    r.nextInt(20),
                    r.nextInt(9)));
        }
        return out;
    }
}
