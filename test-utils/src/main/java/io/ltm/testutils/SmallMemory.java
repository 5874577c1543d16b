package io.ltm.testutils;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small memory for tests, so that a few records fill the short-term buffer and contract it, written once for every
 * module's tests. The entries use the configuration keys as users write them (this module cannot depend on topology,
 * whose tests use it); topology's LtmConfigTest checks that each is a key of LtmConfig.
 */
public record SmallMemory(int dim, int basisSize, String widths, int contractionLength, int samples, int stickyBins) {

    /** d = 8, N = 16, L = 12: the topology tests on TopologyTestDriver. */
    public static final SmallMemory TOPOLOGY = new SmallMemory(8, 16, "0.05,0.1", 12, 10, 8);
    /** d = 16, N = 16, L = 16: the tests of one node on an embedded broker (read-your-writes, bad input). */
    public static final SmallMemory NODE = new SmallMemory(16, 16, "0.05,0.1", 16, 16, 8);
    /** d = 32, N = 32, L = 16: the interoperability tests. */
    public static final SmallMemory INTEROP = new SmallMemory(32, 32, "0.02,0.05", 16, 16, 8);
    /** d = 64, N = 64, L = 32: the end-to-end tests on an embedded broker. */
    public static final SmallMemory END_TO_END = new SmallMemory(64, 64, "0.02,0.05", 32, 32, 16);

    /** The ltm.memory.* entries of a configuration, and the hashing encoder (no model to load). */
    public Map<String, Object> entries() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ltm.memory.dim", dim);
        m.put("ltm.memory.basis.size", basisSize);
        m.put("ltm.memory.basis.widths", widths);
        m.put("ltm.memory.contraction.length", contractionLength);
        m.put("ltm.memory.samples", samples);
        m.put("ltm.memory.sticky.bins", stickyBins);
        m.put("ltm.encoder", "hashing");
        return m;
    }
}
