package io.ltm.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ltm.model.CoefficientPrecision;
import io.ltm.model.MemoryConfig;
import io.ltm.model.RetentionPolicy;
import io.ltm.testutils.SmallMemory;
import io.ltm.testutils.it.NodeSettings;
import io.ltm.topology.api.AttentionMode;
import io.ltm.topology.api.EncoderChoice;
import io.ltm.topology.api.LtmConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LtmConfigTest {

    @TempDir
    Path dir;

    @Test
    void fileThenEnvironmentThenOverridesWin() throws Exception {
        Path file = dir.resolve("ltm.properties");
        Files.writeString(
                file,
                "ltm.memory.tau=0.25\nltm.memory.retention=recency\nbootstrap.servers=file:9092\n"
                        + "num.stream.threads=3\n");
        LtmConfig c = LtmConfig.load(
                file,
                Map.of("LTM_BOOTSTRAP_SERVERS", "env:9092", "LTM_MEMORY_STICKY", "false"),
                Map.of(LtmConfig.MEMORY_TAU, "0.75"));
        assertThat(c.getString(LtmConfig.BOOTSTRAP_SERVERS)).isEqualTo("env:9092");
        MemoryConfig m = c.memoryConfig();
        assertThat(m.tau()).isEqualTo(0.75);
        assertThat(m.retention()).isEqualTo(RetentionPolicy.RECENCY);
        assertThat(m.sticky()).isFalse();
        Properties p = c.streamsProperties();
        assertThat(p.get("num.stream.threads")).isEqualTo("3"); // not ours: passed to Kafka Streams
        assertThat(p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(p).doesNotContainKey(LtmConfig.MEMORY_TAU);
    }

    @Test
    void environmentNamesDropTheLtmPrefix() {
        assertThat(LtmConfig.envName("ltm.memory.basis.size")).isEqualTo("LTM_MEMORY_BASIS_SIZE");
        assertThat(LtmConfig.envName("schema.registry.url")).isEqualTo("LTM_SCHEMA_REGISTRY_URL");
    }

    @Test
    void invalidValuesAreRejectedWithTheKeyNamed() {
        assertThatThrownBy(() -> new LtmConfig(Map.of(LtmConfig.MEMORY_RETENTION, "forever")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(LtmConfig.MEMORY_RETENTION);
        assertThatThrownBy(() -> new LtmConfig(Map.of(LtmConfig.MEMORY_TAU, "1.5")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(LtmConfig.MEMORY_TAU);
    }

    @Test
    void theMemorysRulesAreCheckedOnceByMemoryConfigAndReportedUnderTheKey() {
        // values the key's type accepts but the memory does not: rejected when the configuration is made, not later
        assertThatThrownBy(() -> new LtmConfig(Map.of(LtmConfig.MEMORY_TAU, "1.0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(LtmConfig.MEMORY_TAU)
                .hasMessageContaining("tau must be in (0,1)");
        assertThatThrownBy(() -> new LtmConfig(Map.of(LtmConfig.MEMORY_RIDGE_PENALTY, "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(LtmConfig.MEMORY_RIDGE_PENALTY);
        assertThatThrownBy(() -> new LtmConfig(Map.of(LtmConfig.MEMORY_BASIS_WIDTHS, "0.01,-0.5")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(LtmConfig.MEMORY_BASIS_WIDTHS);
        assertThatThrownBy(() -> new LtmConfig(Map.of(LtmConfig.MEMORY_SIGMA2_MIN, "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(LtmConfig.MEMORY_SIGMA2_MIN);
    }

    @Test
    void theTestsSmallMemoriesUseOnlyKeysOfThisClass() {
        for (SmallMemory m :
                new SmallMemory[] {SmallMemory.TOPOLOGY, SmallMemory.NODE, SmallMemory.INTEROP, SmallMemory.END_TO_END
                }) {
            assertThat(LtmConfig.configDef().names()).containsAll(m.entries().keySet());
            LtmConfig c = new LtmConfig(m.entries());
            assertThat(c.memoryConfig().dim()).isEqualTo(m.dim());
            assertThat(c.memoryConfig().contractionLength()).isEqualTo(m.contractionLength());
        }
    }

    @Test
    void theLocalClustersNodeSettingsUseOnlyKeysOfThisClassAndRenameEveryKeyedTopic() {
        Map<String, Object> m = new NodeSettings("localhost:9092", "http://localhost:8081", "check")
                .stateUnder(Path.of("/tmp"))
                .partitions(3)
                .topicsOfItsOwn()
                .memory(SmallMemory.INTEROP)
                .entries();
        assertThat(LtmConfig.configDef().names()).containsAll(m.keySet());
        LtmConfig c = new LtmConfig(m);
        assertThat(c.topicPartitions().keySet())
                .hasSize(NodeSettings.KEYED_TOPICS.size())
                .allSatisfy(t -> assertThat(t).matches(".+-[0-9a-f]{8}"));
        assertThat(c.topicPartitions().values()).containsOnly(3);
    }

    @Test
    void theLibraryAndTheNodeShareEveryMemoryDefault() {
        assertThat(new LtmConfig(Map.of()).memoryConfig()).isEqualTo(MemoryConfig.defaults());
    }

    @Test
    void modesAreEnumsReadFromTheSameStringsAsBefore() {
        LtmConfig defaults = new LtmConfig(Map.of());
        assertThat(defaults.attentionMode()).isEqualTo(AttentionMode.INLINE);
        assertThat(defaults.encoder()).isEqualTo(EncoderChoice.MINILM);
        LtmConfig c = new LtmConfig(Map.of(
                LtmConfig.ATTENTION_MODE,
                "worker",
                LtmConfig.ENCODER,
                "minilm-auto",
                LtmConfig.MEMORY_RETENTION,
                "recency",
                LtmConfig.MEMORY_PRECISION,
                "float32"));
        assertThat(c.attentionMode()).isEqualTo(AttentionMode.WORKER);
        assertThat(c.encoder()).isEqualTo(EncoderChoice.MINILM_AUTO);
        assertThat(c.memoryConfig().retention()).isEqualTo(RetentionPolicy.RECENCY);
        assertThat(c.memoryConfig().precision()).isEqualTo(CoefficientPrecision.FLOAT32);
        for (String e : new String[] {"minilm", "minilm-gpu", "minilm-auto", "hashing", "none"}) {
            assertThat(new LtmConfig(Map.of(LtmConfig.ENCODER, e)).encoder().configValue())
                    .isEqualTo(e);
        }
        assertThat(new LtmConfig(Map.of(LtmConfig.ENCODER, "none")).encoder().create(8))
                .isNull();
        assertThatThrownBy(() -> new LtmConfig(Map.of(LtmConfig.ATTENTION_MODE, "WORKER")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(LtmConfig.ATTENTION_MODE);
    }

    @Test
    void keyedTopicsAreCreatedWithOnePartitionCountSoTheyAreCoPartitioned() {
        LtmConfig c = new LtmConfig(Map.of(LtmConfig.TOPIC_PARTITIONS, 6));
        assertThat(c.topicPartitions())
                .containsEntry("ltm.tokens", 6)
                .containsEntry("ltm.queries", 6)
                .containsEntry("ltm.control", 6)
                .containsEntry("ltm.novelty", 6)
                .containsEntry("ltm.reread-requests", 6)
                .hasSize(10);
    }

    @Test
    void theReadmeDocumentsEveryKeyAsTheConfigClassDoes() throws Exception {
        Path readme = Path.of("..", "README.md");
        assertThat(readme).exists();
        assertThat(Files.readString(readme)).contains(LtmConfig.describe());
    }

    @Test
    void theUsersClientKeysReachEveryKindOfClientButOursDoNot() {
        LtmConfig config = new LtmConfig(Map.of(
                "security.protocol",
                "SASL_SSL",
                "sasl.jaas.config",
                "x required;",
                "ssl.truststore.location",
                "/t.p12",
                "compression.type",
                "zstd",
                LtmConfig.TRANSACTION_TIMEOUT_MS,
                "4000",
                LtmConfig.BOOTSTRAP_SERVERS,
                "b:9093",
                LtmConfig.SESSION_TIMEOUT_MS,
                "7000",
                "basic.auth.user.info",
                "u:p"));
        Map<String, Object> consumer = config.clientOverrides(ConsumerConfig.configNames());
        assertThat(consumer)
                .containsOnlyKeys("security.protocol", "sasl.jaas.config", "ssl.truststore.location")
                .containsEntry("security.protocol", "SASL_SSL");
        assertThat(config.clientOverrides(ProducerConfig.configNames()))
                .containsOnlyKeys(
                        "security.protocol", "sasl.jaas.config", "ssl.truststore.location", "compression.type");
    }
}
