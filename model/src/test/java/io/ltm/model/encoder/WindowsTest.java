package io.ltm.model.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.Test;

class WindowsTest {

    @Test
    void everyPieceIsOwnedByExactlyOneWindowThatContainsIt() {
        int[][] configs = {{1, 0}, {4, 1}, {10, 3}, {254, 64}, {62, 16}, {7, 6}};
        for (int[] c : configs) {
            int size = c[0];
            int overlap = c[1];
            for (int n = 0; n <= 1200; n++) {
                List<Windows.Window> ws = Windows.plan(n, size, overlap);
                int next = 0;
                for (Windows.Window w : ws) {
                    boolean ok = w.length() >= 1
                            && w.length() <= size
                            && w.start() >= 0
                            && w.end() <= n
                            && w.ownStart() == next
                            && w.ownStart() >= w.start()
                            && w.ownEnd() <= w.end()
                            && w.ownEnd() >= w.ownStart();
                    if (!ok) {
                        fail(
                                "bad window %s for n=%d size=%d overlap=%d (next owned piece %d)",
                                w, n, size, overlap, next);
                    }
                    next = w.ownEnd();
                }
                assertThat(next)
                        .as("all %d pieces owned (size=%d overlap=%d)", n, size, overlap)
                        .isEqualTo(n);
                if (n > size) {
                    assertThat(ws.get(ws.size() - 1).length()).isEqualTo(size);
                    // interior ownership boundaries keep at least overlap/2 pieces of context on both sides
                    for (int k = 0; k + 1 < ws.size(); k++) {
                        Windows.Window a = ws.get(k);
                        Windows.Window b = ws.get(k + 1);
                        if (a.end() - a.ownEnd() < overlap / 2 || b.ownStart() - b.start() < overlap / 2) {
                            fail(
                                    "less than overlap/2 context at a join: %s %s (n=%d size=%d overlap=%d)",
                                    a, b, n, size, overlap);
                        }
                    }
                }
            }
        }
    }

    @Test
    void shortSequenceIsOneWindowAndBadArgumentsFail() {
        assertThat(Windows.plan(5, 254, 64)).containsExactly(new Windows.Window(0, 5, 0, 5));
        assertThat(Windows.plan(0, 254, 64)).isEmpty();
        assertThatThrownBy(() -> Windows.plan(10, 4, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
