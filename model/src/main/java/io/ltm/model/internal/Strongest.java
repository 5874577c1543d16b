package io.ltm.model.internal;

/**
 * The strongest entries of an array one at a time, in the order a stable sort by decreasing value would give (equal
 * values by position): for reads that take a few of many (span candidates, short-term tokens), where sorting all of
 * them cost more than the rest of their step.
 */
public final class Strongest {
    private Strongest() {}

    /** The index of the largest of {@code values} not yet {@code tried} (the first of equals), or -1. */
    public static int untried(double[] values, boolean[] tried) {
        int best = -1;
        for (int c = 0; c < values.length; c++) {
            if (!tried[c] && (best < 0 || Double.compare(values[c], values[best]) > 0)) best = c;
        }
        return best;
    }
}
