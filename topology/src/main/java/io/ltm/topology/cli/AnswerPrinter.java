package io.ltm.topology.cli;

import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

import io.ltm.schemas.AttendedSpan;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.ShortTermHit;
import io.ltm.schemas.SourcePosition;

/** Renders a {@link MemoryResponse} for people: which stretch of the stream, when, and the original text there. */
final class AnswerPrinter {

    private AnswerPrinter() {
    }

    /**
     * @param lines given the first and last source of a span, the original lines between them (may be null,
     *              then only positions are printed)
     */
    static String format(MemoryResponse r, BiFunction<SourcePosition, SourcePosition, List<String>> lines) {
        StringBuilder b = new StringBuilder();
        if (r.getError() != null) {
            b.append("  ").append(r.getFound() ? "error: " : "").append(r.getError()).append('\n');
            return b.toString();
        }
        if (r.getStats() != null) {
            b.append(String.format(Locale.ROOT, "  memory: %d tokens absorbed, %d contractions, %d in short-term, "
                            + "%d bytes of vectors; answered by the %s%n",
                    r.getStats().getTokensAbsorbed(), r.getStats().getContractions(),
                    r.getStats().getShortTermTokens(), r.getStats().getStateBytes(), r.getAnsweredBy()));
        }
        int i = 1;
        for (AttendedSpan s : r.getSpans()) {
            b.append(String.format(Locale.ROOT, "  span %d: t = %.3f +- %.3f, weight %.2f, score %.3f, tokens %d..%d%s%n",
                    i++, s.getMu(), s.getSigma(), s.getWeight(), s.getScore(), s.getTokenStart(), s.getTokenEnd(),
                    where(s.getFrom(), s.getTo())));
            if (lines != null && s.getFrom() != null) {
                for (String line : lines.apply(s.getFrom(), s.getTo())) {
                    b.append("      | ").append(line).append('\n');
                }
            }
        }
        if (!r.getShortTermHits().isEmpty()) {
            b.append("  recent tokens (short-term, exact):");
            r.getShortTermHits().stream().limit(8).forEach((ShortTermHit h) ->
                    b.append(' ').append(h.getToken() == null ? "#" + h.getTokenIndex() : h.getToken())
                            .append(String.format(Locale.ROOT, "(%.2f)", h.getWeight())));
            b.append('\n');
        }
        return b.toString();
    }

    private static String where(SourcePosition from, SourcePosition to) {
        if (from == null) {
            return "";
        }
        String f = from.getTopic() + "/" + from.getPartition() + "@" + from.getOffset();
        String t = to == null ? f : String.valueOf(to.getOffset());
        return ", offsets " + f + ".." + t + ", " + from.getTimestamp() + (to == null ? "" : " .. " + to.getTimestamp());
    }
}
