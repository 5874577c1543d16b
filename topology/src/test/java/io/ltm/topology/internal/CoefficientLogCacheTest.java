package io.ltm.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.CoefficientDelta;
import io.ltm.model.CoefficientLog;
import io.ltm.model.MemoryConfig;
import io.ltm.schemas.CoefficientLogState;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoefficientLogCacheTest {
    private static final MemoryConfig CFG =
            MemoryConfig.builder().dim(4).basisSize(8).build();

    /** A base of 8 x 4 and deltas of 2 rows, with the bytes they would take stored at float16. */
    private static CoefficientLogCache.Kept log(int deltas) {
        List<CoefficientDelta> d = java.util.Collections.nCopies(deltas, new CoefficientDelta(0, 2, new float[8]));
        return new CoefficientLogCache.Kept(CoefficientLog.of(new float[8 * 4], d, CFG), 2L * (8 * 4 + 8 * deltas));
    }

    private static CoefficientLogState header(long... digests) {
        List<Long> records = new java.util.ArrayList<>();
        for (long x : digests) records.add(x);
        return new CoefficientLogState(records, 7L);
    }

    @Test
    void aLogIsFoundOnlyForTheStoredVersionItWasKeptWith() {
        CoefficientLogCache cache = new CoefficientLogCache(1 << 20);
        CoefficientLogCache.Kept a = log(1);
        cache.put("k", header(1, 2), a, 2);
        assertThat(cache.find("k", header(1, 2))).isSameAs(a);
        assertThat(cache.find("k", header(1, 3))).isNull(); // a delta the entry does not have
        assertThat(cache.find("k", header(1))).isNull(); // a rolled-back contraction
        assertThat(cache.find("k", null)).isNull(); // B held whole in the record, or no B
        assertThat(cache.find("other", header(1, 2))).isNull();
        CoefficientLogCache.Kept b = log(2);
        cache.put("k", header(1, 2, 3), b, 2);
        assertThat(cache.find("k", header(1, 2))).isNull();
        assertThat(cache.find("k", header(1, 2, 3))).isSameAs(b);
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void theFloatsNeverExceedTheBoundAndAKeyUsedMoreOftenStays() {
        long one = (8 * 4 + 8) * Float.BYTES; // base and one delta of 2 rows, as float32
        CoefficientLogCache cache = new CoefficientLogCache(2 * one);
        cache.put("a", header(1), log(1), 2);
        cache.put("b", header(2), log(1), 2);
        assertThat(cache.bytes()).isEqualTo(2 * one);
        assertThat(cache.find("a", header(1))).isNotNull(); // a is now used more often than b and c
        cache.put("c", header(3), log(1), 2);
        assertThat(cache.find("a", header(1))).isNotNull();
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.bytes()).isEqualTo(2 * one);

        CoefficientLogCache off = new CoefficientLogCache(0);
        off.put("a", header(1), log(1), 2);
        assertThat(off.find("a", header(1))).isNull();
        assertThat(off.bytes()).isZero();
    }
}
