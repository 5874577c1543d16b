package io.ltm.topology.internal;

import io.ltm.model.CoefficientPrecision;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.SourcePosition;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.codec.MemoryStateCodec;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The cost of a key's first event on a processor started afresh (empty caches, as after a restore), with the key's
 * novelty summary in the local store and without it (made again from the memory). Default memory (d = 384, N = 512,
 * L = 512), KEYS keys of EVENTS events of 32 random float16 tokens each, in-memory stores; thread CPU per first event.
 * Usage: Remake KEYS EVENTS_PER_KEY (classpath: the command line's jars, topology's test classes, Kafka Streams'
 * test-utils).
 */
public class Remake {
    public static void main(String[] a) throws Exception {
        int keys = Integer.parseInt(a[0]), perKey = Integer.parseInt(a[1]);
        LtmConfig config = new LtmConfig(Map.of(
                LtmConfig.SCHEMA_REGISTRY_URL, "mock://remake",
                LtmConfig.APPLICATION_ID, "remake",
                LtmConfig.BOOTSTRAP_SERVERS, "unused:9092",
                LtmConfig.ENCODER, "none"));
        int d = config.memoryConfig().dim(), n = 32;
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        var ser = LtmSerdes.avro(EncodedTokens.class, config.serdeConfig()).serializer();
        Random rnd = new Random(7);
        MockProcessorContext<String, Object> context = MockNodeStores.context(config);
        IngestProcessor first = MockNodeStores.ingest(config, context);
        long offset = 0;
        for (int e = 0; e < perKey; e++) {
            for (int k = 0; k < keys; k++) process(context, first, event(ser, rnd, n, d, offset), "key-" + k, offset++);
        }
        KeyValueStore<String, byte[]> summaries = context.getStateStore(Names.STORE_NOVELTY);
        for (String mode : new String[] {"kept", "missing", "kept", "missing"}) {
            if (mode.equals("missing")) for (int k = 0; k < keys; k++) summaries.delete("key-" + k);
            IngestProcessor p = MockNodeStores.ingest(config, context);
            long cpu = 0;
            for (int k = 0; k < keys; k++) {
                byte[] v = event(ser, rnd, n, d, offset);
                long t0 = bean.getCurrentThreadCpuTime();
                process(context, p, v, "key-" + k, offset++);
                cpu += bean.getCurrentThreadCpuTime() - t0;
            }
            System.out.printf("%s: %.1f us CPU for a key's first event on a fresh processor (%d keys, %d tokens each)%n",
                    mode, cpu / 1e3 / keys, keys, perKey * n);
        }
    }

    static byte[] event(org.apache.kafka.common.serialization.Serializer<EncodedTokens> ser, Random rnd, int n, int d, long offset) {
        float[] v = new float[n * d];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        return ser.serialize("ltm.tokens", EncodedTokens.newBuilder()
                .setVectors(MemoryStateCodec.block(v, n, d, CoefficientPrecision.FLOAT16))
                .setSource(SourcePosition.newBuilder().setPartition(0).setOffset(offset)
                        .setTimestamp(Instant.ofEpochMilli(offset)).build())
                .build());
    }

    static void process(MockProcessorContext<String, Object> context, IngestProcessor p, byte[] v, String key, long offset) {
        context.resetForwards();
        context.setRecordMetadata("ltm.tokens", 0, offset);
        p.process(new Record<>(key.getBytes(), v, offset));
        if (context.forwarded().stream().anyMatch(f -> Names.SINK_DLQ.equals(f.childName().orElse(""))))
            throw new IllegalStateException("dead letter");
    }

}
