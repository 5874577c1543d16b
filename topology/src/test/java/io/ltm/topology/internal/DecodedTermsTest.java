package io.ltm.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.TermFilter;
import io.ltm.schemas.MemoryState;
import io.ltm.schemas.TermFilterState;
import org.junit.jupiter.api.Test;

class DecodedTermsTest {
    /** A filter of 2 segments of 64 bits: 16 bytes. */
    private static final TermFilter FILTER = TermFilter.empty(2, 64, 1, 4);

    /** A stored record's fields that the cache compares (the rest of the record left unset). */
    private static MemoryState stored(long digest, long contractions, long tokens) {
        MemoryState s = new MemoryState();
        s.setTerms(new TermFilterState(2, 64, 1, 4L, 1, null, digest));
        s.setContractions(contractions);
        s.setTokensAbsorbed(tokens);
        return s;
    }

    @Test
    void aFilterIsFoundOnlyForTheStoredRecordItWasKeptWith() {
        DecodedTerms cache = new DecodedTerms(1 << 20);
        cache.put("k", stored(7, 1, 12), FILTER);
        assertThat(cache.find("k", stored(7, 1, 12))).isSameAs(FILTER);
        assertThat(cache.find("k", stored(8, 1, 12))).isNull(); // other bits
        assertThat(cache.find("k", stored(7, 2, 12))).isNull(); // another contraction
        assertThat(cache.find("k", stored(7, 1, 24))).isNull();
        assertThat(cache.find("other", stored(7, 1, 12))).isNull();
        assertThat(cache.find("k", null)).isNull(); // forgotten
        MemoryState inline = stored(7, 1, 12);
        inline.getTerms().setBits(java.nio.ByteBuffer.allocate(16));
        assertThat(cache.find("k", inline)).isNull(); // a record holding its bits is read as it is
        cache.put("k", stored(8, 2, 24), FILTER);
        assertThat(cache.find("k", stored(7, 1, 12))).isNull();
        assertThat(cache.bytes()).isEqualTo(FILTER.bytes());
    }

    @Test
    void theBoundIsNeverExceededAndAKeyUsedMoreOftenStays() {
        DecodedTerms cache = new DecodedTerms(2L * FILTER.bytes());
        cache.put("a", stored(1, 1, 12), FILTER);
        cache.put("b", stored(2, 1, 12), FILTER);
        assertThat(cache.find("a", stored(1, 1, 12))).isNotNull(); // a is now used more often than b and c
        cache.put("c", stored(3, 1, 12), FILTER);
        assertThat(cache.find("a", stored(1, 1, 12))).isNotNull();
        assertThat(cache.bytes()).isEqualTo(2L * FILTER.bytes());
        cache.invalidate("a");
        assertThat(cache.find("a", stored(1, 1, 12))).isNull();
        assertThat(cache.bytes()).isEqualTo(FILTER.bytes());
    }
}
