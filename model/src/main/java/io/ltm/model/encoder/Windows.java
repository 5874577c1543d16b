package io.ltm.model.encoder;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a sequence of {@code n} word pieces into overlapping windows of at most {@code size} pieces and
 * assigns every piece to exactly one window ("ownership"), so that every piece gets exactly one vector.
 *
 * <p>Windows start every {@code size - overlap} pieces; the last window is moved back to end exactly at
 * {@code n} (so it is full-size and overlaps its predecessor more). Two consecutive windows split their
 * overlap at its midpoint: the first owns the left half, the second the right half, so each piece's vector
 * comes from the window where it has at least {@code overlap / 2} pieces of context on both sides (except
 * at the true start and end of the text).
 */
final class Windows {

    /** Window {@code [start, end)} that owns pieces {@code [ownStart, ownEnd)}. */
    record Window(int start, int end, int ownStart, int ownEnd) {
        int length() {
            return end - start;
        }
    }

    private Windows() {}

    static List<Window> plan(int n, int size, int overlap) {
        if (size < 1 || overlap < 0 || overlap >= size) {
            throw new IllegalArgumentException("need 0 <= overlap < size: size=" + size + " overlap=" + overlap);
        }
        List<Window> out = new ArrayList<>();
        if (n <= 0) {
            return out;
        }
        if (n <= size) {
            out.add(new Window(0, n, 0, n));
            return out;
        }
        int step = size - overlap;
        List<int[]> spans = new ArrayList<>();
        int start = 0;
        while (true) {
            if (start + size >= n) {
                spans.add(new int[] {n - size, n});
                break;
            }
            spans.add(new int[] {start, start + size});
            start += step;
        }
        int ownStart = 0;
        for (int k = 0; k < spans.size(); k++) {
            int[] s = spans.get(k);
            int ownEnd = k + 1 < spans.size() ? (spans.get(k + 1)[0] + s[1]) >>> 1 : n;
            out.add(new Window(s[0], s[1], ownStart, ownEnd));
            ownStart = ownEnd;
        }
        return out;
    }
}
