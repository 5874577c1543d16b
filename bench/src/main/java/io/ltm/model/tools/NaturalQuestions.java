package io.ltm.model.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Questions about the stream's own content, whose answers are located by text: security fixes and closed bugs named
 * in the Debian changelogs ("Which change fixed CVE-2021-3711?", "Which change closed bug #987654?"). While the stream
 * is fed, every event that names a CVE id or a bug number is noted with its token range; afterwards ids named at most
 * {@link #MAX_OCCURRENCES} times are chosen at evenly spaced positions of the stream, and an answer is any range that
 * overlaps one of the events naming the id. The questions come from a template; the ids, their lines and their
 * positions are the real stream's.
 */
final class NaturalQuestions {
    static final int MAX_OCCURRENCES = 3;
    private static final Pattern CVE = Pattern.compile("\\bCVE-\\d{4}-\\d{4,7}\\b");
    private static final Pattern BUG = Pattern.compile("#(\\d{5,7})\\b");

    /** One question and the token ranges [start, end) of the events that answer it. */
    record Question(String id, String text, List<long[]> answers) {
        boolean answeredBy(Locator.Located x) {
            for (long[] a : answers) if (x.overlaps(a[0], a[1])) return true;
            return false;
        }
    }

    private final Map<String, List<long[]>> seen = new LinkedHashMap<>();

    /** One event of the stream, tokens [start, end). */
    void observe(String text, long start, long end) {
        note(CVE.matcher(text), 0, start, end);
        note(BUG.matcher(text), 1, start, end);
    }

    private void note(Matcher m, int group, long start, long end) {
        while (m.find()) {
            String id = group == 0 ? m.group() : "#" + m.group(1);
            List<long[]> at = seen.computeIfAbsent(id, k -> new ArrayList<>());
            if (at.size() <= MAX_OCCURRENCES) at.add(new long[] {start, end});
        }
    }

    /** Up to {@code count} questions whose first answer lies before {@code before}, spread evenly over the stream. */
    List<Question> choose(int count, long before) {
        List<Map.Entry<String, List<long[]>>> rare = new ArrayList<>();
        for (Map.Entry<String, List<long[]>> e : seen.entrySet()) {
            if (e.getValue().size() <= MAX_OCCURRENCES && e.getValue().get(0)[0] < before) rare.add(e);
        }
        rare.sort(java.util.Comparator.comparingLong(e -> e.getValue().get(0)[0]));
        List<Question> out = new ArrayList<>();
        int last = -1;
        for (int i = 0; i < count && !rare.isEmpty(); i++) {
            int at = (int) ((i + 0.5) / count * rare.size());
            if (at == last) continue;
            last = at;
            Map.Entry<String, List<long[]>> e = rare.get(at);
            String id = e.getKey();
            String q = id.startsWith("#") ? "Which change closed bug " + id + "?" : "Which change fixed " + id + "?";
            out.add(new Question(id, q, List.copyOf(e.getValue())));
        }
        return out;
    }
}
