package io.ltm.model.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpanFitterSelectionTest {

    @Test
    void theKthSmallestIsTheSortedArraysKthEntryForEveryKIncludingTiesAndSingleElements() {
        Random rnd = new Random(3);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + rnd.nextInt(300);
            double[] a = new double[n];
            for (int i = 0; i < n; i++) a[i] = trial % 3 == 0 ? rnd.nextInt(4) : rnd.nextGaussian();
            double[] sorted = a.clone();
            Arrays.sort(sorted);
            for (int k : new int[] {0, n / 10, n / 2, n - 1}) {
                assertEquals(sorted[k], SpanFitter.kthSmallest(a.clone(), k), "n=" + n + " k=" + k);
            }
        }
    }
}
