import io.ltm.model.CoefficientPrecision;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.*;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryTopology;
import io.ltm.topology.codec.MemoryStateCodec;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.*;
import org.apache.kafka.common.serialization.*;
import org.apache.kafka.streams.*;

/** Thread CPU of the node's own ingest and query work through TopologyTestDriver (no broker): KEYS keys, EVENTS events of 32 float16 tokens each, then QUERIES vector queries. */
public class QueryCost {
    public static void main(String[] a) throws Exception {
        int keys = Integer.parseInt(a[0]), events = Integer.parseInt(a[1]), queries = Integer.parseInt(a[2]);
        int dim = 384, n = 32;
        Map<String, Object> m = new HashMap<>();
        m.put(LtmConfig.SCHEMA_REGISTRY_URL, "mock://qc");
        m.put(LtmConfig.APPLICATION_ID, "qc");
        m.put(LtmConfig.BOOTSTRAP_SERVERS, "unused:9092");
        if (a.length > 3) m.put(LtmConfig.INGEST_CACHE_BYTES, Long.parseLong(a[3])); // optional: ltm.ingest.cache.bytes
        LtmConfig config = new LtmConfig(m);
        Topology t = MemoryTopology.build(config, new HashingEncoder(dim));
        Properties p = new Properties();
        p.putAll(config.streamsProperties());
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("qc").toString());
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L);
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (TopologyTestDriver d = new TopologyTestDriver(t, p)) {
            ByteArraySerializer b = new ByteArraySerializer();
            var tokens = d.createInputTopic("ltm.tokens", b, b, Instant.EPOCH, Duration.ofMillis(1));
            var qin = d.createInputTopic("ltm.queries", b, b, Instant.EPOCH, Duration.ofMillis(1));
            var out = d.createOutputTopic("ltm.responses", new ByteArrayDeserializer(), new ByteArrayDeserializer());
            var es = LtmSerdes.avro(EncodedTokens.class, config.serdeConfig()).serializer();
            var qs = LtmSerdes.avro(MemoryQuery.class, config.serdeConfig()).serializer();
            Random rnd = new Random(1);
            List<byte[]> ev = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                float[] v = new float[n * dim];
                for (int j = 0; j < v.length; j++) v[j] = (float) rnd.nextGaussian();
                ev.add(es.serialize("ltm.tokens", EncodedTokens.newBuilder()
                        .setVectors(MemoryStateCodec.block(v, n, dim, CoefficientPrecision.FLOAT16))
                        .setSource(SourcePosition.newBuilder().setTopic("ltm.events").setPartition(0).setOffset(i).setTimestamp(Instant.EPOCH).build())
                        .build()));
            }
            long c0 = bean.getCurrentThreadCpuTime();
            for (int i = 0; i < events; i++) tokens.pipeInput(("k" + (i % keys)).getBytes(), ev.get(i % 64));
            long c1 = bean.getCurrentThreadCpuTime();
            out.readRecordsToList();
            // draws nothing that is used: kept so that every run in this directory drew the same random numbers
            List<byte[]> qv = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                float[] v = new float[8 * dim];
                for (int j = 0; j < v.length; j++) v[j] = (float) rnd.nextGaussian();
                qv.add(v.length > 0 ? null : null);
            }
            long c2 = 0, c3 = 0;
            for (int round = 0; round < 3; round++) {
                c2 = bean.getCurrentThreadCpuTime();
                for (int i = 0; i < queries; i++) {
                    float[] v = new float[8 * dim];
                    for (int j = 0; j < v.length; j++) v[j] = (float) rnd.nextGaussian();
                    String k = "k" + rnd.nextInt(keys);
                    qin.pipeInput(k.getBytes(), qs.serialize("ltm.queries", MemoryQuery.newBuilder().setQueryId("q" + i).setKey(k)
                            .setVectors(MemoryStateCodec.block(v, 8, dim, CoefficientPrecision.FLOAT16))
                            .setOptions(QueryOptions.newBuilder().setSpans(1).build()).setRequestedAt(Instant.EPOCH).build()));
                }
                c3 = bean.getCurrentThreadCpuTime();
                int got = out.readRecordsToList().size();
                System.out.printf("round %d: queries %d answered %d, %.1f us CPU per query%n", round, queries, got, (c3 - c2) / 1e3 / queries);
            }
            System.out.printf("ingest: %.1f us CPU per event (%d events, %d keys)%n", (c1 - c0) / 1e3 / events, events, keys);
        }
    }
}
