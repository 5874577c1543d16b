package io.ltm.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.ltm.model.internal.Basis;
import io.ltm.model.internal.DeviceMath;

/**
 * The engine's lifecycle: starts DJL's PyTorch engine, holds the device the memory runs on, and owns the NDManager
 * under which the update and the read allocate, with the configuration's device constants (basis, ridge matrices,
 * bin-mass tables). Closing it frees every array of the memory.
 */
public final class MemoryEngine implements AutoCloseable {
    private final Device device;
    private final NDManager root;
    private final DeviceMath math;

    MemoryEngine(MemoryConfig cfg, Device device) {
        this.device = device;
        engine();
        this.root = NDManager.newBaseManager(device, "PyTorch");
        this.math = new DeviceMath(
                root,
                Basis.of(cfg.basisSize(), cfg.widths()),
                cfg.contractionLength(),
                cfg.samples(),
                cfg.ridgePenalty(),
                false);
    }

    /**
     * The PyTorch engine, started with one intra-op and one inter-op thread unless the system properties
     * {@code ai.djl.pytorch.num_threads} / {@code ai.djl.pytorch.num_interop_threads} say otherwise. The math issues
     * many small ops from several stream threads; on 2 shared cores PyTorch's default (one thread per core, spinning)
     * made the update 5-9x slower in MathBench (see docs/notes-math.md). Has no effect if the engine was already started.
     */
    private static Engine engine() {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null)
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null)
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        return Engine.getEngine("PyTorch");
    }

    /** The GPU when PyTorch sees one, else the CPU. */
    public static Device defaultDevice() {
        Engine e = engine();
        return e.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    public Device device() {
        return device;
    }

    /** The root NDManager (for tests: its managed arrays must not grow). */
    public NDManager manager() {
        return root;
    }

    DeviceMath math() {
        return math;
    }

    @Override
    public void close() {
        root.close();
    }
}
