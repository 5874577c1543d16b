package io.ltm.it;

import io.ltm.embedded.EmbeddedKafkaBroker;
import io.ltm.embedded.LocalRegistry;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The end-to-end scenarios on the embedded KRaft broker and the real (Apicurio) registry: they always run. */
class EmbeddedEndToEndTest extends EndToEndScenarios {

    private static EmbeddedKafkaBroker broker;
    private static LocalRegistry registry;

    @BeforeAll
    static void startInfrastructure() {
        broker = EmbeddedKafkaBroker.start();
        registry = LocalRegistry.start();
    }

    @AfterAll
    static void stopInfrastructure() {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Override
    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    @Override
    String registryUrl() {
        return registry.url();
    }

    @Override
    void createTopics(Map<String, Integer> partitions) {
        broker.createTopics(partitions, Map.of());
    }
}
