package io.ltm.model.encoder;

/**
 * Settings of the {@link MiniLmEncoder}. Immutable; start from {@link #defaults()} and use the withers.
 *
 * @param device where the model runs ({@link EncoderDevice#CPU} by default, also when null)
 * @param maxSequenceLength model positions per window, including [CLS] and [SEP] (3..512, default 256):
 *     a text of more than {@code maxSequenceLength - 2} word pieces is split into overlapping windows
 * @param windowOverlap word pieces shared by consecutive windows (default 64, less than the window content);
 *     each token takes its vector from the window in which it is farther from the edge
 * @param maxBatchTokens upper bound on padded positions (rows x padded length) per model call; a single window
 *     is always allowed even if it is longer. {@code 0} (default) = by device: 1024 on the CPU (measured: larger
 *     calls are slower per token on the CPU, about 8.4k tokens per CPU-second at 1024 against 5k at 8192),
 *     16384 on a GPU (not measured)
 * @param maxBatchRows upper bound on windows per model call (default 64)
 * @param normalize L2-normalise every token vector (default true; queries and stored tokens alike)
 * @param intraOpThreads ONNX Runtime intra-op threads, 0 = its default (one per physical core)
 * @param modelResource classpath name of the ONNX file
 * @param tokenizerResource classpath name of the HuggingFace tokenizer.json
 */
public record EncoderOptions(
        EncoderDevice device,
        int maxSequenceLength,
        int windowOverlap,
        int maxBatchTokens,
        int maxBatchRows,
        boolean normalize,
        int intraOpThreads,
        String modelResource,
        String tokenizerResource) {

    public static final String DEFAULT_MODEL_RESOURCE = "all-minilm-l6-v2-q.onnx";
    public static final String DEFAULT_TOKENIZER_RESOURCE = "all-minilm-l6-v2-q-tokenizer.json";

    public EncoderOptions {
        device = device == null ? EncoderDevice.CPU : device;
        if (maxSequenceLength < 3 || maxSequenceLength > MiniLmEncoder.MAX_POSITIONS) {
            throw new IllegalArgumentException(
                    "maxSequenceLength must be in 3.." + MiniLmEncoder.MAX_POSITIONS + ": " + maxSequenceLength);
        }
        if (windowOverlap < 0 || windowOverlap >= maxSequenceLength - 2) {
            throw new IllegalArgumentException("windowOverlap must be in 0.." + (maxSequenceLength - 3)
                    + " for maxSequenceLength " + maxSequenceLength + ": " + windowOverlap);
        }
        if (maxBatchTokens < 0 || maxBatchRows < 1) {
            throw new IllegalArgumentException("maxBatchTokens must be >= 0 (0 = by device) and maxBatchRows positive");
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads < 0");
        }
        if (modelResource == null || tokenizerResource == null) {
            throw new IllegalArgumentException("model and tokenizer resources are required");
        }
    }

    public static EncoderOptions defaults() {
        return new EncoderOptions(
                EncoderDevice.CPU, 256, 64, 0, 64, true, 0, DEFAULT_MODEL_RESOURCE, DEFAULT_TOKENIZER_RESOURCE);
    }

    /** CPU default of {@link #maxBatchTokens()} when it is 0. */
    public static final int CPU_BATCH_TOKENS = 1024;
    /** GPU default of {@link #maxBatchTokens()} when it is 0 (a guess, not measured). */
    public static final int GPU_BATCH_TOKENS = 16384;

    public EncoderOptions withDevice(EncoderDevice d) {
        return new EncoderOptions(
                d,
                maxSequenceLength,
                windowOverlap,
                maxBatchTokens,
                maxBatchRows,
                normalize,
                intraOpThreads,
                modelResource,
                tokenizerResource);
    }

    public EncoderOptions withWindow(int maxSeqLen, int overlap) {
        return new EncoderOptions(
                device,
                maxSeqLen,
                overlap,
                maxBatchTokens,
                maxBatchRows,
                normalize,
                intraOpThreads,
                modelResource,
                tokenizerResource);
    }

    public EncoderOptions withBatch(int maxTokens, int maxRows) {
        return new EncoderOptions(
                device,
                maxSequenceLength,
                windowOverlap,
                maxTokens,
                maxRows,
                normalize,
                intraOpThreads,
                modelResource,
                tokenizerResource);
    }

    public EncoderOptions withNormalize(boolean n) {
        return new EncoderOptions(
                device,
                maxSequenceLength,
                windowOverlap,
                maxBatchTokens,
                maxBatchRows,
                n,
                intraOpThreads,
                modelResource,
                tokenizerResource);
    }

    public EncoderOptions withIntraOpThreads(int t) {
        return new EncoderOptions(
                device,
                maxSequenceLength,
                windowOverlap,
                maxBatchTokens,
                maxBatchRows,
                normalize,
                t,
                modelResource,
                tokenizerResource);
    }

    public EncoderOptions withResources(String model, String tokenizer) {
        return new EncoderOptions(
                device,
                maxSequenceLength,
                windowOverlap,
                maxBatchTokens,
                maxBatchRows,
                normalize,
                intraOpThreads,
                model,
                tokenizer);
    }
}
