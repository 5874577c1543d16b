package io.ltm.topology.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.CoefficientLog;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.TokenBatch;
import io.ltm.model.TokenSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CoefficientRecordsTest {

    private static final MemoryConfig CFG = MemoryConfig.builder()
            .dim(16)
            .basisSize(128)
            .contractionLength(64)
            .samples(64)
            .stickyBins(32)
            .coefficientDeltas(4)
            .termSegments(0) // not what this is about: its segments are kept apart too
            .firstEpoch(1) // B whole from the first contraction, deltas after it (a base of zeros: below)
            .build();

    private static TokenBatch batch(int count, Random rng, long offset) {
        float[] v = new float[count * CFG.dim()];
        for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
        return new TokenBatch(v, count, null, new TokenSource("in", 0, offset, 1000L + offset, null));
    }

    /** Stores the memory as the node does, contraction by contraction, and reads it back each time. */
    @Test
    void aContractionWritesItsDeltaAloneAndTheRecordsReadBackToTheSameB() {
        Random rng = new Random(5);
        Map<Integer, byte[]> store = new HashMap<>();
        io.ltm.schemas.MemoryState stored = null;
        MemoryState state = MemoryState.empty(CFG);
        int deltaWrites = 0, baseWrites = 0;
        try (LongTermMemory ltm = LongTermMemory.create(CFG)) {
            for (int i = 0; i < 40; i++) {
                MemoryState next = ltm.absorb(state, batch(64, rng, i));
                CoefficientRecords.Write w = CoefficientRecords.write(
                        next, state.coefficientLog(), stored == null ? null : stored.getCoefficientLog(), CFG);
                if (w.puts().containsKey(0)) {
                    baseWrites++;
                    assertThat(w.puts().keySet())
                            .containsExactlyElementsOf(java.util.stream.IntStream.range(0, w.count())
                                    .boxed()
                                    .toList());
                } else {
                    deltaWrites++;
                    // the new delta alone, about w/N of B: here far less than the base record
                    assertThat(w.puts().keySet()).containsExactly(w.count() - 1);
                    assertThat(w.puts().get(w.count() - 1).length).isLessThan(store.get(0).length / 2);
                }
                store.putAll(w.puts());
                for (int j = w.count(); j < CoefficientRecords.count(stored); j++) store.remove(j);
                stored = w.record();
                assertThat(stored.getCoefficients()).isNull();
                assertThat(CoefficientRecords.count(stored))
                        .isEqualTo(next.coefficientLog().deltas().size() + 1);
                assertThat(next.coefficientLog().deltas().size()).isLessThanOrEqualTo(CFG.coefficientDeltas());

                // what a restore reads: the stored values (float16), so the node goes on from exactly that B; a
                // contraction rounds the signal X̄ = Ψ B it stands for no more than storing B whole in float16 would
                CoefficientLog log = CoefficientRecords.read(stored, store::get, CFG);
                state = MemoryStateCodec.fromAvro(stored, CFG, log);
                float[] wholeF16 = MemoryStateCodec.unblock(
                        MemoryStateCodec.block(next.coefficientsRef(), CFG.basisSize(), CFG.dim(), CFG.precision()),
                        CFG.basisSize(),
                        CFG.dim());
                double viaDeltas = relativeError(signal(state.coefficientsRef()), signal(next.coefficientsRef()));
                double whole = relativeError(signal(wholeF16), signal(next.coefficientsRef()));
                assertThat(viaDeltas).isLessThanOrEqualTo(whole * (1 + 1e-6));
                // the record's fingerprint is that of the decoded log: a ready memory of it is found undecoded
                assertThat(MemoryStateCodec.version(stored).fingerprint()).isEqualTo(log.fingerprint());
                assertThat(ltm.ready(state).isFor(MemoryStateCodec.version(stored)))
                        .isTrue();
            }
        }
        assertThat(deltaWrites).isGreaterThan(baseWrites);
    }

    /** A memory whose first epoch is 8 contractions begins with B of zeros and a delta: its base takes a few bytes. */
    @Test
    void aMemoryThatBeginsWithDeltasStoresItsBaseOfZerosInAFewBytes() {
        MemoryConfig cfg = CFG.toBuilder().firstEpoch(8).coefficientDeltas(16).build();
        Random rng = new Random(7);
        Map<Integer, byte[]> store = new HashMap<>();
        io.ltm.schemas.MemoryState stored = null;
        MemoryState state = MemoryState.empty(cfg);
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            for (int i = 0; i < 9; i++) {
                MemoryState next = ltm.absorb(state, batch(64, rng, i));
                CoefficientRecords.Write w = CoefficientRecords.write(
                        next, state.coefficientLog(), stored == null ? null : stored.getCoefficientLog(), cfg);
                if (i == 0) {
                    assertThat(w.puts().keySet()).containsExactly(0, 1);
                    assertThat(w.puts().get(0).length).as("the base of zeros").isLessThan(64);
                } else if (i < 8) {
                    assertThat(w.puts().keySet()).as("contraction %d", i + 1).containsExactly(i + 1);
                } else {
                    // the ninth doubles the epoch: B whole, at the stored precision
                    assertThat(w.puts().get(0).length).isGreaterThan(cfg.basisSize() * cfg.dim() * 2);
                }
                store.putAll(w.puts());
                for (int j = w.count(); j < CoefficientRecords.count(stored); j++) store.remove(j);
                stored = w.record();
                CoefficientLog log = CoefficientRecords.read(stored, store::get, cfg);
                assertThat(MemoryStateCodec.version(stored).fingerprint()).isEqualTo(log.fingerprint());
                state = MemoryStateCodec.fromAvro(stored, cfg, log);
                // read back about as close as B stored whole at that precision would be (the deltas' Y rounded to
                // float16 and multiplied by Â⁻¹, instead of B rounded: at the first contraction 1.03 times as far with
                // these tokens, 1.62 with those of new Random(5))
                float[] wholeF16 = MemoryStateCodec.unblock(
                        MemoryStateCodec.block(next.coefficientsRef(), cfg.basisSize(), cfg.dim(), cfg.precision()),
                        cfg.basisSize(),
                        cfg.dim());
                assertThat(relativeError(signal(state.coefficientsRef()), signal(next.coefficientsRef())))
                        .as("contraction %d read back", i + 1)
                        .isLessThanOrEqualTo(relativeError(signal(wholeF16), signal(next.coefficientsRef())) * 2);
            }
        }
    }

    @Test
    void recordsOfAnotherVersionAreNotRead() {
        Random rng = new Random(6);
        try (LongTermMemory ltm = LongTermMemory.create(CFG)) {
            MemoryState s = MemoryState.empty(CFG);
            for (int i = 0; i < 5; i++) s = ltm.absorb(s, batch(64, rng, i));
            CoefficientRecords.Write w = CoefficientRecords.write(s, null, null, CFG);
            assertThat(CoefficientRecords.read(w.record(), w.puts()::get, CFG)).isNotNull();
            // a replica that has the record but not yet its last delta waits for it
            assertThat(CoefficientRecords.read(
                            w.record(),
                            j -> j == w.count() - 1 ? null : w.puts().get(j),
                            CFG))
                    .isNull();
            byte[] damaged = w.puts().get(0).clone();
            damaged[damaged.length - 1] ^= 1;
            assertThat(CoefficientRecords.read(
                            w.record(), j -> j == 0 ? damaged : w.puts().get(j), CFG))
                    .isNull();
        }
    }

    /** X̄(t) = Ψ(t)ᵀB at 512 points of [0, 1]. */
    private static float[] signal(float[] b) {
        int n = CFG.basisSize(), d = CFG.dim(), points = 512;
        double[] t = new double[points];
        for (int i = 0; i < points; i++) t[i] = (i + 0.5) / points;
        double[] psi = io.ltm.model.internal.Basis.of(n, CFG.widths()).psi(t);
        float[] x = new float[points * d];
        for (int i = 0; i < points; i++)
            for (int k = 0; k < n; k++)
                for (int c = 0; c < d; c++) x[i * d + c] += (float) (psi[i * n + k] * b[k * d + c]);
        return x;
    }

    private static double relativeError(float[] a, float[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (double) (a[i] - b[i]);
            den += b[i] * (double) b[i];
        }
        return Math.sqrt(num / den);
    }
}
