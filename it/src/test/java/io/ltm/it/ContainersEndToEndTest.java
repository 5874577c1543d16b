package io.ltm.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The same end-to-end scenarios against a Kafka container and Confluent's own Schema Registry container.
 * Skipped where Docker is absent (as on our CI machines, which cannot pull images).
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainersEndToEndTest extends EndToEndScenarios {

    private static final Network NETWORK = Network.newNetwork();
    private static KafkaContainer kafka;
    private static GenericContainer<?> registry;

    @BeforeAll
    static void startContainers() {
        kafka = new KafkaContainer(DockerImageName.parse("apache/kafka:4.0.0"))
                .withNetwork(NETWORK)
                .withListener("kafka:19092");
        kafka.start();
        registry = new GenericContainer<>(DockerImageName.parse("confluentinc/cp-schema-registry:7.9.0"))
                .withNetwork(NETWORK)
                .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
                .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
                .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
                .withExposedPorts(8081)
                .waitingFor(Wait.forHttp("/subjects").forStatusCode(200));
        registry.start();
    }

    @AfterAll
    static void stopContainers() {
        if (registry != null) {
            registry.stop();
        }
        if (kafka != null) {
            kafka.stop();
        }
    }

    @Override
    String bootstrapServers() {
        return kafka.getBootstrapServers();
    }

    @Override
    String registryUrl() {
        return "http://" + registry.getHost() + ":" + registry.getMappedPort(8081);
    }

    @Override
    void createTopics(Map<String, Integer> partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            List<NewTopic> topics = new ArrayList<>();
            partitions.forEach((t, p) -> topics.add(new NewTopic(t, p, (short) 1)));
            admin.createTopics(topics).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
