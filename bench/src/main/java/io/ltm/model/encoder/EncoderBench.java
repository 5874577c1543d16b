package io.ltm.model.encoder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ltm.bench.Machine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Encoder throughput benchmark (not a test): prints JSON with tokens/s by batch size.
 *
 * <pre>
 * java -cp ... io.ltm.model.encoder.EncoderBench [--encoders minilm,hashing] [--batches 1,8,32,64]
 *     [--seconds 3] [--device cpu|gpu|auto] [--threads 0] [--max-batch-tokens 0 (= by device)]
 * </pre>
 *
 * Encoders: {@code minilm} (default options, batched), {@code minilm-exact} (one window per model call),
 * {@code hashing} (384 dims). Texts: deterministic pseudo-random English-like sentences of 16-44 words,
 * about 24-64 word pieces each. Tokens are the word pieces returned (no [CLS]/[SEP]). Each batch size runs
 * a warm-up and then repeats batches of distinct texts for at least {@code --seconds}.
 */
public final class EncoderBench {

    private static final String[] WORDS =
            ("the a of to and in is was for on that with as by at from it be are this an or which have not has had "
                            + "broker partition offset consumer producer topic record stream memory token vector window batch "
                            + "request response latency throughput error warning timeout retry payment gateway user session "
                            + "login logout disk full cpu load high low cache miss hit kafka java encoder attention query key "
                            + "value state store commit transaction exactly once rebalance heartbeat group member leader "
                            + "replica sync lag 404 500 200 17 42 2026 10.0.0.1 /var/log/app.log unbelievably quarterly revenue "
                            + "grew analyst forecast river bank breakfast walked dog cat sat mat rug sitting considerably")
                    .split(" ");

    private EncoderBench() {}

    public static void main(String... args) throws Exception {
        List<String> encoders = List.of("minilm", "hashing");
        int[] batches = {1, 8, 32, 64};
        double seconds = 3;
        EncoderDevice device = EncoderDevice.CPU;
        int threads = 0;
        int maxBatchTokens = 0; // by device
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--encoders" -> encoders = Arrays.asList(args[++i].split(","));
                case "--batches" ->
                    batches = Arrays.stream(args[++i].split(","))
                            .mapToInt(Integer::parseInt)
                            .toArray();
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--device" -> device = EncoderDevice.parse(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--max-batch-tokens" -> maxBatchTokens = Integer.parseInt(args[++i]);
                default ->
                    throw new IllegalArgumentException(
                            "unknown argument " + args[i]
                                    + " (use --encoders minilm,minilm-exact,hashing --batches 1,8,32,64 --seconds 3 --device cpu|gpu|auto --threads N --max-batch-tokens N)");
            }
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("benchmark", "encoder");
        root.put("started", Instant.now().toString());
        root.set("host", host(json));
        List<String> pool = texts(512, 7);
        ArrayNode results = root.putArray("results");
        for (String name : encoders) {
            long t0 = System.nanoTime();
            TextEncoder enc = open(name.trim(), device, threads, maxBatchTokens);
            double loadMs = (System.nanoTime() - t0) / 1e6;
            try (enc) {
                ObjectNode e = results.addObject();
                e.put("encoder", name.trim());
                e.put("dimension", enc.dimension());
                e.put("device", enc instanceof MiniLmEncoder m ? m.device() : "cpu (plain Java)");
                e.put("load_ms", Math.round(loadMs));
                if (enc instanceof MiniLmEncoder m) {
                    e.put("max_batch_tokens", m.options().maxBatchTokens());
                    e.put("max_batch_rows", m.options().maxBatchRows());
                }
                ArrayNode rows = e.putArray("by_batch");
                for (int b : batches) {
                    rows.add(run(json, enc, pool, b, seconds));
                }
            }
        }
        root.put("load_average_after", Machine.loadAverage());
        System.out.println(json.writeValueAsString(root));
    }

    private static TextEncoder open(String name, EncoderDevice device, int threads, int maxBatchTokens) {
        EncoderOptions o = EncoderOptions.defaults().withDevice(device).withIntraOpThreads(threads);
        return switch (name) {
            case "minilm" -> MiniLmEncoder.create(o.withBatch(maxBatchTokens, o.maxBatchRows()));
            case "minilm-exact" ->
                MiniLmEncoder.create(o.withBatch(Math.max(maxBatchTokens, MiniLmEncoder.MAX_POSITIONS), 1));
            case "hashing" -> new HashingEncoder(MiniLmEncoder.DIMENSION);
            default -> throw new IllegalArgumentException("unknown encoder " + name);
        };
    }

    private static ObjectNode run(ObjectMapper json, TextEncoder enc, List<String> pool, int b, double seconds) {
        int next = 0;
        // warm-up: a few batches, at least 0.5 s for the model
        long warmEnd = System.nanoTime() + (long) (Math.min(1.0, seconds / 4) * 1e9);
        int warm = 0;
        while (warm < 3 || System.nanoTime() < warmEnd) {
            enc.encode(slice(pool, next, b));
            next += b;
            warm++;
        }
        long tokens = 0;
        long texts = 0;
        int calls = 0;
        List<Double> lat = new ArrayList<>();
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        while (calls < 3 || System.nanoTime() < end) {
            List<String> batch = slice(pool, next, b);
            next += b;
            long c0 = System.nanoTime();
            for (EncodedText e : enc.encode(batch)) {
                tokens += e.count();
            }
            lat.add((System.nanoTime() - c0) / 1e6);
            texts += b;
            calls++;
        }
        double secs = (System.nanoTime() - start) / 1e9;
        long cpu = processCpuNanos() - cpu0;
        lat.sort(Double::compare);
        ObjectNode r = json.createObjectNode();
        r.put("batch_texts", b);
        r.put("calls", calls);
        r.put("tokens", tokens);
        r.put("avg_tokens_per_text", round(tokens / (double) texts, 1));
        r.put("tokens_per_s", Math.round(tokens / secs));
        r.put("texts_per_s", round(texts / secs, 1));
        if (cpu0 >= 0 && cpu > 0) {
            // all threads of this JVM (ORT's pool included): less sensitive to other load on the machine
            r.put("cpu_seconds", round(cpu / 1e9, 2));
            r.put("tokens_per_cpu_s", Math.round(tokens / (cpu / 1e9)));
        }
        r.put("ms_per_batch_p50", round(lat.get(lat.size() / 2), 3));
        r.put("ms_per_batch_p90", round(lat.get((int) (lat.size() * 0.9)), 3));
        return r;
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os =
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    private static List<String> slice(List<String> pool, int from, int b) {
        List<String> out = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            out.add(pool.get((from + i) % pool.size()));
        }
        return out;
    }

    /** Deterministic texts of 16-44 words (about 24-64 MiniLM word pieces). */
    static List<String> texts(int n, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int words = 16 + r.nextInt(29);
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < words; w++) {
                if (w > 0) {
                    sb.append(r.nextInt(9) == 0 ? ", " : " ");
                }
                sb.append(WORDS[r.nextInt(WORDS.length)]);
            }
            out.add(sb.append('.').toString());
        }
        return out;
    }

    private static ObjectNode host(ObjectMapper json) {
        ObjectNode h = json.createObjectNode();
        h.put("cpu", Machine.cpuModel());
        h.put("available_processors", Runtime.getRuntime().availableProcessors());
        h.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        h.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        h.put("load_average_before", Machine.loadAverage());
        return h;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
