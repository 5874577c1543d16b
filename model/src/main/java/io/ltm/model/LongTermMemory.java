package io.ltm.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.ltm.model.internal.DeviceMemories;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import java.util.random.RandomGenerator;

/**
 * The memory for one {@link MemoryConfig}: one entry point over its parts, the {@link MemoryEngine} (DJL/PyTorch
 * start-up, device, arrays), the {@link UnboundedMemoryUpdate} (∞-former contractions, float32 with ridge matrices
 * precomputed in float64 and cached) and the {@link MemoryRead} (continuous attention). Runs on the GPU when PyTorch
 * sees one, else on the CPU. Not thread-safe: use one per thread (the float64 ridge solutions are shared
 * process-wide; each keeps its own float32 device copies).
 */
public final class LongTermMemory implements AutoCloseable {
    private final MemoryConfig cfg;
    private final MemoryEngine engine;
    private final UnboundedMemoryUpdate update;
    private final MemoryRead read;

    private LongTermMemory(MemoryConfig cfg, Device device) {
        this.cfg = cfg;
        this.engine = new MemoryEngine(cfg, device);
        this.update = new UnboundedMemoryUpdate(cfg, engine);
        this.read = new MemoryRead(cfg, engine);
    }

    /** Picks the GPU when PyTorch sees one, else the CPU. */
    public static LongTermMemory create(MemoryConfig cfg) {
        return new LongTermMemory(cfg, MemoryEngine.defaultDevice());
    }

    public static LongTermMemory create(MemoryConfig cfg, Device device) {
        return new LongTermMemory(cfg, device);
    }

    public Device device() {
        return engine.device();
    }

    public MemoryConfig config() {
        return cfg;
    }

    /** The engine's NDManager (for tests: its managed arrays must not grow). */
    public NDManager manager() {
        return engine.manager();
    }

    /** Sets (or clears, with null) the weights of the TRAINED head. */
    public void setTrainedHead(TrainedHeadWeights w) {
        read.trained().setWeights(w);
    }

    public TrainedHeadWeights trainedHead() {
        return read.trained().weights();
    }

    /**
     * Source of randomness of the sticky draws: called with a seed derived from (config seed, contraction index),
     * so a replay of the same state and batches draws the same positions. Default: {@link SplittableRandom}.
     */
    public void setRandomSource(LongFunction<RandomGenerator> factory) {
        update.setRandomSource(factory);
    }

    /**
     * Appends the batch to the short-term buffer; every time L tokens are there, contracts them into B by the
     * configured retention policy (which also updates the timeline and decides when the read histogram is used up).
     */
    public MemoryState absorb(MemoryState s, TokenBatch b) {
        return update.absorb(s, b);
    }

    /** Adds the read's attention histogram to the state's sticky statistics (no-op when not sticky). */
    public MemoryState recordRead(MemoryState state, ReadResult r) {
        return update.recordRead(state, r);
    }

    /** One read; see {@link #readBatch(List)}. query: queryCount vectors of dim, row-major. */
    public ReadResult read(MemoryState state, float[] query, int queryCount, ReadOptions opts) {
        return readBatch(List.of(new ReadRequest(state, query, queryCount, opts)))
                .get(0);
    }

    /** One read of the memory of {@code key}: what depends only on its version comes from the ready cache, if set. */
    public ReadResult read(String key, MemoryState state, float[] query, int queryCount, ReadOptions opts) {
        return readBatch(List.of(new ReadRequest(key, state, query, queryCount, opts)))
                .get(0);
    }

    /** One read, with whatever the request carries (key, query tokens); see {@link #readBatch(List)}. */
    public ReadResult read(ReadRequest request) {
        return readBatch(List.of(request)).get(0);
    }

    /**
     * Many reads at once (see {@link MemoryRead}). Zero-shot reads of memories with a long-term part are computed
     * together ({@link ZeroShotRead}); trained reads and the short-term parts run per request.
     */
    public List<ReadResult> readBatch(List<ReadRequest> requests) {
        return read.readBatch(requests);
    }

    /**
     * Where zero-shot reads of requests with a key find their memory's {@link ReadyMemory} (null: none; every read
     * computes its memory's keys). Share one cache between the engines of one configuration.
     */
    public void setReadyCache(ReadyMemoryCache cache) {
        read.zeroShot().setReadyCache(cache);
    }

    public ReadyMemoryCache readyCache() {
        return read.zeroShot().readyCache();
    }

    /**
     * Zero-shot reads on host arrays from a {@link ReadyMemory} (default on the CPU: the query's own work is small, and
     * one JNI call per operation costs more than it) or, when false, batched on the engine's device with DJL (default
     * on a GPU). Both give the same results within float32 rounding.
     */
    public void setHostReads(boolean host) {
        read.zeroShot().setHostReads(host);
    }

    public boolean hostReads() {
        return read.zeroShot().hostReads();
    }

    /**
     * Bound, in bytes, of the memory versions that batched device reads keep on the engine's device (B and its keys,
     * float32; default {@link DeviceMemories#DEFAULT_MAX_BYTES}): a batch uploads only the versions not held. 0 keeps
     * none. Replaces the held ones (their arrays are closed).
     *
     * @throws IllegalArgumentException if maxBytes is negative
     */
    public void setDeviceMemoryBytes(long maxBytes) {
        read.zeroShot().setDeviceMemoryBytes(maxBytes);
    }

    /** The memories held on the device (tests; null before the first device read). */
    DeviceMemories deviceMemories() {
        return read.zeroShot().deviceMemories();
    }

    /**
     * What a zero-shot read needs from this version of the memory, computed once: the keys at the basis centres
     * (Ψ(centres)·B, normalised) or the rows of B, and B. The state must have a long-term part.
     */
    public ReadyMemory ready(MemoryState state) {
        return read.zeroShot().ready(state);
    }

    @Override
    public void close() {
        read.zeroShot().close();
        engine.close();
    }
}
