package io.ltm.testutils.it;

import io.ltm.embedded.EmbeddedKafkaBroker;
import io.ltm.embedded.LocalRegistry;
import io.ltm.schemas.registry.SchemaRegistryClients;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * A Kafka broker and a schema registry on this machine, as a test's cluster: {@link #start()} once per test class
 * (or per test), {@link #close()} after it. Node configurations for it come from {@link #node(String)}.
 */
public final class LocalCluster implements AutoCloseable {
    private final LocalRegistry registry;
    private final EmbeddedKafkaBroker broker;

    private LocalCluster(LocalRegistry registry, EmbeddedKafkaBroker broker) {
        this.registry = registry;
        this.broker = broker;
    }

    /** Starts the registry, then the broker; returns once both accept clients. */
    public static LocalCluster start() {
        return start(Map.of());
    }

    /** The same, with broker settings that differ from {@link EmbeddedKafkaBroker#start()}'s. */
    public static LocalCluster start(Map<String, String> brokerOverrides) {
        LocalRegistry registry = LocalRegistry.start();
        try {
            return new LocalCluster(registry, EmbeddedKafkaBroker.start(brokerOverrides));
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String registryUrl() {
        return registry.url();
    }

    /** What a serializer or deserializer of ours needs to find the registry. */
    public Map<String, Object> serdeConfig() {
        return Map.of(SchemaRegistryClients.URL, registry.url());
    }

    /** The settings of a memory node (or worker, or client) on this cluster; see {@link NodeSettings}. */
    public NodeSettings node(String applicationPrefix) {
        return new NodeSettings(bootstrapServers(), registryUrl(), applicationPrefix);
    }

    /** Creates the topics (partitions by name) with the broker's defaults. */
    public void createTopics(Map<String, Integer> partitionsByTopic) {
        createTopics(partitionsByTopic, Map.of());
    }

    public void createTopics(Map<String, Integer> partitionsByTopic, Map<String, String> topicConfig) {
        broker.createTopics(partitionsByTopic, topicConfig);
    }

    public void createTopic(String name, int partitions) {
        broker.createTopic(name, partitions);
    }

    /** An admin client of the broker; the caller closes it. */
    public Admin admin() {
        return broker.admin();
    }

    /** A producer's settings for this broker, acknowledged by all replicas. */
    public Properties producerProperties() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return p;
    }

    @Override
    public void close() {
        broker.close();
        registry.close();
    }
}
