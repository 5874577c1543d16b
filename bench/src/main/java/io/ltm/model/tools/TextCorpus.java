package io.ltm.model.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Real text present on a stock Debian machine, as a never-ending sequence of events (never downloaded): first the
 * licences in {@code /usr/share/common-licenses} (one event per paragraph, symbolic links skipped), then every
 * {@code /usr/share/doc/PACKAGE/changelog.Debian.gz} and {@code changelog.gz} in path order, read with
 * {@link GZIPInputStream} (one event per non-blank line, whitespace collapsed). Files are read lazily, one at a time;
 * when all are used up the sequence starts again from the first file ({@link #cycles()} counts the restarts).
 * Unreadable files are skipped.
 */
final class TextCorpus implements Iterator<String> {
    private final List<Path> files;
    private int fileIndex;
    private Iterator<String> current = List.<String>of().iterator();
    private int cycles;
    private long events;

    TextCorpus(Path licences, Path docs) {
        this.files = files(licences, docs);
        if (files.isEmpty()) throw new IllegalStateException("no text found under " + licences + " or " + docs);
    }

    static List<Path> files(Path licences, Path docs) {
        List<Path> out = new ArrayList<>();
        try {
            if (licences != null && Files.isDirectory(licences)) {
                try (Stream<Path> s = Files.list(licences)) {
                    s.filter(p -> Files.isRegularFile(p) && !Files.isSymbolicLink(p))
                            .sorted()
                            .forEach(out::add);
                }
            }
            if (docs != null && Files.isDirectory(docs)) {
                List<Path> logs = new ArrayList<>();
                try (Stream<Path> s = Files.list(docs)) {
                    for (Path dir : s.sorted().toList()) {
                        for (String n : new String[] {"changelog.Debian.gz", "changelog.gz"}) {
                            Path f = dir.resolve(n);
                            if (Files.isRegularFile(f)) logs.add(f);
                        }
                    }
                }
                out.addAll(logs);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    int fileCount() {
        return files.size();
    }

    /**
     * SHA-256 (first 16 hex digits) of the file list with each file's size: the corpus depends on the packages
     * installed, so two runs are comparable only when their digests match.
     */
    static String digest(List<Path> files) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                md.update(f.toString().getBytes(StandardCharsets.UTF_8));
                md.update(Long.toString(Files.size(f)).getBytes(StandardCharsets.UTF_8));
            }
            return java.util.HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int cycles() {
        return cycles;
    }

    long events() {
        return events;
    }

    @Override
    public boolean hasNext() {
        return true;
    }

    @Override
    public String next() {
        int guard = 0;
        while (!current.hasNext()) {
            if (fileIndex == files.size()) {
                fileIndex = 0;
                cycles++;
            }
            current = read(files.get(fileIndex++)).iterator();
            if (++guard > 2 * files.size() + 2) throw new NoSuchElementException("no readable text");
        }
        events++;
        return current.next();
    }

    /** The events of one file: paragraphs of a licence, lines of a (gzipped) changelog; empty when unreadable. */
    static List<String> read(Path f) {
        boolean gz = f.getFileName().toString().endsWith(".gz");
        List<String> out = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(f);
                InputStream in = gz ? new GZIPInputStream(raw) : raw;
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            StringBuilder para = new StringBuilder();
            for (String line; (line = r.readLine()) != null; ) {
                String s = line.strip().replaceAll("\\s+", " ");
                if (gz) {
                    if (!s.isEmpty()) out.add(s);
                } else if (s.isEmpty()) {
                    if (para.length() > 0) {
                        out.add(para.toString());
                        para.setLength(0);
                    }
                } else {
                    if (para.length() > 0) para.append(' ');
                    para.append(s);
                }
            }
            if (para.length() > 0) out.add(para.toString());
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
        return out;
    }
}
