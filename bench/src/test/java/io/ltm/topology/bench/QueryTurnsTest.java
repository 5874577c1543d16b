package io.ltm.topology.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node bench's turns of queries summed up as one measurement of each pipeline. */
class QueryTurnsTest {
    private static final long MS = 1_000_000L;

    @Test
    void percentilesAreOverEveryQueryOfEveryTurnNotAnAverageOfTurns() {
        // a quick turn of 3 queries and a slow one of 5: the median of all 8 is 10 ms; the mean of the two turns'
        // medians (2 and 30) would be 16
        NodeBench.Slice quick = new NodeBench.Slice(
                new long[] {3 * MS, 1 * MS, 2 * MS},
                new long[] {MS, MS, MS},
                new long[] {2 * MS, 0, MS},
                3,
                3,
                40,
                2.0,
                10 * MS,
                100);
        NodeBench.Slice slow = new NodeBench.Slice(
                new long[] {20 * MS, 30 * MS, 50 * MS, 40 * MS, 10 * MS},
                new long[] {5 * MS, 5 * MS, 5 * MS, 5 * MS, 5 * MS},
                new long[] {15 * MS, 25 * MS, 45 * MS, 35 * MS, 5 * MS},
                5,
                4,
                40,
                2.0,
                30 * MS,
                100);

        Map<String, Object> s = NodeBench.summary(List.of(quick, slow), 20, true);

        assertThat(s.get("measured")).isEqualTo(8);
        assertThat(s.get("answered")).isEqualTo(8);
        assertThat(s.get("answeredFound")).isEqualTo(7L);
        assertThat(s.get("p50Ms")).isEqualTo(10.0); // 4th of 1, 2, 3, 10, 20, 30, 40, 50
        assertThat(s.get("p99Ms")).isEqualTo(50.0);
        assertThat(s.get("maxMs")).isEqualTo(50.0);
        assertThat(s.get("queriesPerSecActual")).isEqualTo(20.0); // 80 sent in 4 s
        assertThat(s.get("streamThreadCpuMsPerQuery")).isEqualTo(0.5); // 40 ms over 80 queries
        assertThat(s.get("p50MsPerSlice")).isEqualTo(List.of(2.0, 30.0));
        assertThat(s.get("p99MsPerSlice")).isEqualTo(List.of(3.0, 50.0));
        @SuppressWarnings("unchecked")
        Map<String, Object> split = (Map<String, Object>) s.get("split");
        assertThat(split.get("sendToNodeP50Ms")).isEqualTo(5.0); // 4th of 1, 1, 1, 5, 5, 5, 5, 5
        assertThat(split.get("nodeToClientP50Ms")).isEqualTo(5.0); // 4th of 0, 1, 2, 5, 15, 25, 35, 45
        assertThat(split.get("nodeToClientP99Ms")).isEqualTo(45.0);
    }
}
