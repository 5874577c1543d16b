import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.SourcePosition;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryTopology;
import io.ltm.topology.codec.WireVectors;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.*;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.*;

/** The ingest processor alone under TopologyTestDriver (no broker, one task): thread CPU per event over the second half. */
public class IngestBench {
    public static void main(String[] a) throws Exception {
        int keys = Integer.parseInt(a[0]), events = Integer.parseInt(a[1]);
        String novelty = a.length > 2 ? a[2] : "true";
        Map<String, Object> m = new HashMap<>();
        m.put(LtmConfig.SCHEMA_REGISTRY_URL, "mock://bench");
        m.put(LtmConfig.APPLICATION_ID, "ltm-ib");
        m.put(LtmConfig.BOOTSTRAP_SERVERS, "unused:9092");
        m.put(LtmConfig.ENCODER, "none");
        m.put(LtmConfig.NOVELTY_ENABLED, novelty);
        LtmConfig config = new LtmConfig(m);
        int dim = config.memoryConfig().dim();
        Properties p = new Properties();
        p.putAll(config.streamsProperties());
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("ib").toString());
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L);
        var ser = LtmSerdes.avro(EncodedTokens.class, config.serdeConfig()).serializer();
        SplittableRandom rnd = new SplittableRandom(7);
        int tokens = 32;
        float[][] walk = new float[keys][dim];
        for (float[] w : walk) for (int j = 0; j < dim; j++) w[j] = (float) rnd.nextGaussian();
        double rho = 0.98, noise = Math.sqrt(1 - rho * rho);
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            float[] w = walk[i % keys];
            float[] v = new float[tokens * dim];
            for (int n = 0; n < tokens; n++) {
                for (int j = 0; j < dim; j++) w[j] = (float) (rho * w[j] + noise * rnd.nextGaussian());
                System.arraycopy(w, 0, v, n * dim, dim);
            }
            List<String> texts = new ArrayList<>();
            for (int n = 0; n < tokens; n++) texts.add("w" + (long) Math.exp(rnd.nextDouble() * Math.log(50000)));
            values.add(ser.serialize("ltm.tokens", EncodedTokens.newBuilder()
                    .setVectors(WireVectors.tokens(v, tokens, dim)).setTokens(texts)
                    .setSource(SourcePosition.newBuilder().setTopic("bench").setPartition(0).setOffset(i)
                            .setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L + i)).setSourceId(null).build())
                    .build()));
        }
        var mx = ManagementFactory.getThreadMXBean();
        try (TopologyTestDriver d = new TopologyTestDriver(MemoryTopology.build(config, new HashingEncoder(dim)), p)) {
            var in = d.createInputTopic("ltm.tokens", new ByteArraySerializer(), new ByteArraySerializer());
            long c0 = 0, t0 = 0;
            for (int i = 0; i < events; i++) {
                if (i == events / 2) { c0 = mx.getCurrentThreadCpuTime(); t0 = System.nanoTime(); }
                in.pipeInput(("k" + (i % keys)).getBytes(StandardCharsets.UTF_8), values.get(i), Instant.ofEpochMilli(1_000_000L + i));
            }
            long c1 = mx.getCurrentThreadCpuTime(), t1 = System.nanoTime();
            System.out.printf(Locale.ROOT, "keys=%d events=%d novelty=%s secondHalfCpuMsPerEvent=%.4f wallMsPerEvent=%.4f%n",
                    keys, events, novelty, (c1 - c0) / 1e6 / (events - events / 2), (t1 - t0) / 1e6 / (events - events / 2));
        }
    }
}
