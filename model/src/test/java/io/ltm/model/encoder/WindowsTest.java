package io.ltm.model.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
          assertThat(w.length()).isBetween(1, size);
          assertThat(w.start()).isGreaterThanOrEqualTo(0);
          assertThat(w.end()).isLessThanOrEqualTo(n);
          assertThat(w.ownStart()).as("contiguous ownership n=%d size=%d", n, size).isEqualTo(next);
          assertThat(w.ownStart()).isGreaterThanOrEqualTo(w.start());
          assertThat(w.ownEnd()).isLessThanOrEqualTo(w.end()).isGreaterThanOrEqualTo(w.ownStart());
          next = w.ownEnd();
        }
        assertThat(next).as("all %d pieces owned (size=%d overlap=%d)", n, size, overlap).isEqualTo(n);
        if (n > size) {
          // interior ownership boundaries keep at least overlap/2 pieces of context on both sides
          for (int k = 0; k + 1 < ws.size(); k++) {
            Windows.Window a = ws.get(k);
            Windows.Window b = ws.get(k + 1);
            assertThat(a.end() - a.ownEnd()).isGreaterThanOrEqualTo(overlap / 2);
            assertThat(b.ownStart() - b.start()).isGreaterThanOrEqualTo(overlap / 2);
          }
          assertThat(ws.get(ws.size() - 1).length()).isEqualTo(size);
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
