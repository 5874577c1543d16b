package io.ltm.topology.cli;

import io.ltm.schemas.AttendedSpan;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.RereadEvent;
import io.ltm.schemas.ShortTermHit;
import io.ltm.schemas.SourcePosition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a {@link MemoryResponse} for people: which stretch of the stream, when, and the original text there. */
final class AnswerPrinter {

    /** Short-term hits looked at: the strongest ones, as the node orders them. */
    static final int MAX_HITS = 8;

    /** Where the original text of events comes from (the events topic, read back by offset). */
    interface Texts {
        /** The texts of a key's events from one position to another, a few lines at most. */
        List<String> between(String key, SourcePosition from, SourcePosition to);

        /** The text of the event at a position, or null. */
        String at(String key, SourcePosition position);
    }

    private AnswerPrinter() {}

    /** @param texts the original events (may be null: then only positions and token texts are printed) */
    static String format(MemoryResponse r, Texts texts) {
        StringBuilder b = new StringBuilder();
        if (r.getError() != null) {
            b.append("  ")
                    .append(r.getFound() ? "error: " : "")
                    .append(r.getError())
                    .append('\n');
            return b.toString();
        }
        String key = r.getKey() == null ? "" : r.getKey().toString();
        if (r.getStats() != null) {
            b.append(String.format(
                    Locale.ROOT,
                    "  memory: %d tokens absorbed, %d contractions, %d in short-term, "
                            + "%d bytes of vectors; answered by the %s%n",
                    r.getStats().getTokensAbsorbed(),
                    r.getStats().getContractions(),
                    r.getStats().getShortTermTokens(),
                    r.getStats().getStateBytes(),
                    r.getAnsweredBy()));
        }
        int i = 1;
        for (AttendedSpan s : r.getSpans()) {
            b.append(String.format(
                    Locale.ROOT,
                    "  span %d: t = %.3f +- %.3f, weight %.2f, score %.3f%s, tokens %d..%d%s%n",
                    i++,
                    s.getMu(),
                    s.getSigma(),
                    s.getWeight(),
                    s.getScore(),
                    s.getTermMatch() < 0 ? "" : String.format(Locale.ROOT, ", terms matched %.2f", s.getTermMatch()),
                    s.getTokenStart(),
                    s.getTokenEnd(),
                    where(s.getFrom(), s.getTo())));
            if (texts != null && s.getFrom() != null) {
                for (String line : texts.between(key, s.getFrom(), s.getTo())) {
                    b.append("      | ").append(line).append('\n');
                }
            }
        }
        if (!r.getEvents().isEmpty() || r.getReread() != null) {
            b.append("  best events, re-read from the log and ranked exactly")
                    .append(r.getReread() == null ? "" : " (" + r.getReread() + ")")
                    .append(":\n");
            for (RereadEvent e : r.getEvents()) {
                SourcePosition p = e.getSource();
                b.append(String.format(
                        Locale.ROOT,
                        "      (%.3f) span %d, %s/%d@%d, %s | %s%n",
                        e.getScore(),
                        e.getSpan() + 1,
                        p.getTopic(),
                        p.getPartition(),
                        p.getOffset(),
                        p.getTimestamp(),
                        e.getText() == null
                                ? "(" + e.getTokens() + " tokens sent as vectors)"
                                : SourceLines.cut(e.getText().toString())));
            }
        }
        if (!r.getShortTermHits().isEmpty()) {
            b.append("  recent events (short-term, exact):\n");
            for (Event e : events(r.getShortTermHits())) {
                String text = texts == null ? null : texts.at(key, e.source);
                b.append(String.format(
                        Locale.ROOT,
                        "      (%.2f)%s | %s%n",
                        e.weight,
                        e.source == null ? "" : " " + e.source.getTimestamp(),
                        text != null ? text : words(e.tokens)));
            }
        }
        return b.toString();
    }

    /** The hits of one source event: their weights summed, their word pieces in order. */
    private record Event(SourcePosition source, double weight, List<String> tokens) {}

    /**
     * Groups the strongest hits by the event they came from, so a person reads events, not word pieces; hits
     * without a source each stand alone.
     */
    private static List<Event> events(List<ShortTermHit> hits) {
        Map<Object, Event> byEvent = new LinkedHashMap<>();
        for (ShortTermHit h : hits.stream().limit(MAX_HITS).toList()) {
            SourcePosition p = h.getSource();
            Object id = p == null || p.getTopic() == null
                    ? h.getTokenIndex()
                    : p.getTopic() + "/" + p.getPartition() + "@" + p.getOffset();
            Event old = byEvent.get(id);
            List<String> tokens = new ArrayList<>(old == null ? List.of() : old.tokens);
            tokens.add(
                    h.getToken() == null
                            ? "#" + h.getTokenIndex()
                            : h.getToken().toString());
            byEvent.put(id, new Event(p, (old == null ? 0 : old.weight) + h.getWeight(), tokens));
        }
        return new ArrayList<>(byEvent.values());
    }

    /** Word pieces joined into words: "##et" continues the word before it (BERT's WordPiece convention). */
    static String words(List<String> pieces) {
        StringBuilder b = new StringBuilder();
        for (String p : pieces) {
            if (p.startsWith("##")) {
                b.append(p, 2, p.length());
            } else {
                b.append(b.length() > 0 ? " " : "").append(p);
            }
        }
        return b.toString();
    }

    private static String where(SourcePosition from, SourcePosition to) {
        if (from == null) {
            return "";
        }
        String f = from.getTopic() + "/" + from.getPartition() + "@" + from.getOffset();
        String t = to == null ? f : String.valueOf(to.getOffset());
        return ", offsets " + f + ".." + t + ", " + from.getTimestamp()
                + (to == null ? "" : " .. " + to.getTimestamp());
    }
}
