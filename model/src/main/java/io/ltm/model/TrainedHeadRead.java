package io.ltm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ltm.model.internal.ContinuousAttention;
import io.ltm.model.internal.DeviceMath;
import io.ltm.model.internal.RidgeSolver;
import io.ltm.model.internal.SpanFitter;
import io.ltm.model.internal.Staging;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * The paper's continuous attention over the long-term memory (Martins et al. 2022, §3.1) with its learned affines: the
 * {@link TrainedHeadWeights} on the engine's device, and one read with them. Every query vector is used as is (the
 * host layer's per-head queries); the context is Z = [c_1…c_H] W_O of every query, flattened [Q·e_out]; the spans are
 * the basins of the binned mean of the H·Q Gaussians ({@code SpanFitter.fit}). Not thread-safe (one per engine).
 */
final class TrainedHeadRead {
    private final MemoryConfig cfg;
    private final NDManager root;
    private final DeviceMath math;
    private final Staging staging = new Staging();
    private TrainedHeadWeights weights;
    private NDManager weightsMgr;
    private NDArray[] weightsDev;

    TrainedHeadRead(MemoryConfig cfg, MemoryEngine engine) {
        this.cfg = cfg;
        this.root = engine.manager();
        this.math = engine.math();
    }

    /** See {@link LongTermMemory#setTrainedHead}. */
    synchronized void setWeights(TrainedHeadWeights w) {
        if (weightsMgr != null) {
            weightsMgr.close();
            weightsMgr = null;
            weightsDev = null;
        }
        weights = w;
        if (w == null) return;
        int e = w.dim();
        if (e != cfg.dim())
            throw new IllegalArgumentException("trained head is for dim " + e + ", memory has " + cfg.dim());
        if (w.wMu().length != cfg.basisSize()) throw new IllegalArgumentException("wMu must have N entries");
        if (e % w.heads() != 0) throw new IllegalArgumentException("dim not divisible by heads");
        weightsMgr = root.newSubManager();
        weightsDev = new NDArray[] {
            weightsMgr.create(w.wk(), new Shape(e, e)),
            weightsMgr.create(w.wv(), new Shape(e, e)),
            weightsMgr.create(w.wMu()),
            weightsMgr.create(w.wSigma()),
            w.wo() == null ? null : weightsMgr.create(w.wo(), new Shape(e, w.outDim()))
        };
    }

    TrainedHeadWeights weights() {
        return weights;
    }

    /** Reads request i (which has a long-term part) into its nSpans spans, context and, when sticky, histogram. */
    void read(NDManager m, MemoryRead.Batch batch, int i, int nSpans) {
        ReadRequest r = batch.requests().get(i);
        float[] qbar = batch.qbar()[i];
        List<Span>[] spans = batch.spans();
        float[][] ltmCtx = batch.ltmCtx();
        double[][] hist = batch.hist();
        int e = cfg.dim(), nb = cfg.basisSize();
        int heads = weights.heads(), dh = e / heads, nq = r.queryCount();
        NDArray b = staging.upload(m, 0, r.state().coefficientsRef(), 0, new Shape(nb, e));
        NDArray q = m.create(FloatBuffer.wrap(r.query(), 0, nq * e), new Shape(nq, heads, dh))
                .transpose(1, 0, 2);
        ContinuousAttention.Trained t = ContinuousAttention.trained(
                math, b, q, weightsDev[0], weightsDev[1], weightsDev[2], weightsDev[3], weightsDev[4], cfg.sigma2Min());
        ltmCtx[i] = t.z().toFloatArray();
        NDArray mu = t.mu().reshape(-1);
        NDArray sd = t.s2().reshape(-1).sqrt();
        double[] prof = DeviceMath.gaussianBinMass(mu, sd, RidgeSolver.linspace(0, 1, math.profileBins() + 1))
                .sum(new int[] {0})
                .toDoubleArray();
        if (cfg.sticky()) {
            hist[i] = DeviceMath.gaussianBinMass(mu, sd, DeviceMath.stickyEdges(cfg.stickyBins()))
                    .sum(new int[] {0})
                    .toDoubleArray();
        }
        List<double[]> f = SpanFitter.fit(prof, nSpans);
        if (f.isEmpty()) return;
        float[] smu = new float[f.size()], ss2 = new float[f.size()];
        for (int j = 0; j < f.size(); j++) {
            smu[j] = (float) f.get(j)[0];
            ss2[j] = (float) (f.get(j)[1] * f.get(j)[1]);
        }
        NDArray c = math.expectedPsi(m.create(smu), m.create(ss2)).matMul(b); // [S, e]
        NDArray qq = m.create(qbar, new Shape(e, 1));
        float[] cos = ContinuousAttention.unit(c, 1)
                .matMul(ContinuousAttention.unit(qq, 0))
                .reshape(-1)
                .toFloatArray();
        for (int j = 0; j < f.size(); j++) spans[i].add(Span.of(r.state(), f.get(j), cos[j]));
    }
}
