package io.ltm.topology;

import io.ltm.model.CoefficientPrecision;
import io.ltm.schemas.ControlAction;
import io.ltm.schemas.ControlCommand;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.SourcePosition;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.testutils.SmallMemory;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.codec.MemoryStateCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A small memory (d = 8, N = 16, L = 12) so that topology tests exercise contractions with few records. */
public final class TestFixtures {

    public static final int DIM = SmallMemory.TOPOLOGY.dim();
    public static final int L = SmallMemory.TOPOLOGY.contractionLength();

    private TestFixtures() {}

    public static Map<String, Object> smallConfig(String registryScope) {
        Map<String, Object> m = new HashMap<>();
        m.put(LtmConfig.SCHEMA_REGISTRY_URL, "mock://" + registryScope);
        m.put(LtmConfig.APPLICATION_ID, "ltm-test");
        m.put(LtmConfig.BOOTSTRAP_SERVERS, "unused:9092");
        m.putAll(SmallMemory.TOPOLOGY.entries());
        m.put(LtmConfig.INGEST_MAX_TOKENS, 64);
        return m;
    }

    public static LtmConfig config(String scope, Map<String, Object> extra) {
        Map<String, Object> m = smallConfig(scope);
        m.putAll(extra);
        return new LtmConfig(m);
    }

    /** count smooth random vectors (a slow walk, like consecutive token embeddings of one topic). */
    public static float[] vectors(Random rnd, int count) {
        float[] v = new float[count * DIM];
        float[] cur = new float[DIM];
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < DIM; j++) {
                cur[j] = (float) (0.9 * cur[j] + 0.3 * rnd.nextGaussian());
                v[i * DIM + j] = cur[j];
            }
        }
        return v;
    }

    /** A control command with {@code action} as the node reads it from the control topic. */
    public static byte[] control(LtmConfig config, ControlAction action) {
        return LtmSerdes.avro(ControlCommand.class, config.serdeConfig())
                .serializer()
                .serialize(
                        "ltm.control",
                        ControlCommand.newBuilder().setAction(action).build());
    }

    public static EncodedTokens tokens(float[] vectors, int count, long offset) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            texts.add("tok" + offset + "_" + i);
        }
        return EncodedTokens.newBuilder()
                .setVectors(
                        MemoryStateCodec.block(vectors, count, vectors.length / count, CoefficientPrecision.FLOAT32))
                .setTokens(texts)
                .setSource(SourcePosition.newBuilder()
                        .setTopic("ltm.events")
                        .setPartition(0)
                        .setOffset(offset)
                        .setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L + offset * 1000))
                        .setSourceId("e" + offset)
                        .build())
                .build();
    }
}
