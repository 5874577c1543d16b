package io.ltm.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.embedded.LocalRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Starting and stopping a private registry (the other tests share one through TestRegistry). */
class LocalRegistryTest {

    @Test
    void startsAnswersWithBackwardAndStopsItsProcess() throws Exception {
        long pid;
        try (LocalRegistry r = LocalRegistry.start(Duration.ofSeconds(90))) {
            assertThat(r.url()).matches("http://127\\.0\\.0\\.1:\\d+/apis/ccompat/v7");
            SchemaRegistryClient c = SchemaRegistryClients.fromConfig(Map.of("schema.registry.url", r.url()));
            assertThat(c.getCompatibility(null)).contains(Compatibility.LTM_DEFAULT);
            assertThat(LocalRegistry.DEFAULT_COMPATIBILITY).isEqualTo(Compatibility.LTM_DEFAULT.name());
            assertThat(c.subjects()).isEmpty();
            pid = r.registryPid();
            assertThat(pid).isPositive();
            assertThat(ProcessHandle.of(pid))
                    .hasValueSatisfying(h -> assertThat(h.isAlive()).isTrue());
        }
        Thread.sleep(200);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("registry JVM gone")
                .isFalse();
    }

    @Test
    void aPersistentRegistryKeepsItsSchemasAndTheirIdsAcrossARestart(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        org.apache.avro.Schema a = org.apache.avro.SchemaBuilder.record("A")
                .fields()
                .requiredInt("x")
                .endRecord();
        org.apache.avro.Schema b = org.apache.avro.SchemaBuilder.record("B")
                .fields()
                .requiredLong("y")
                .endRecord();
        org.apache.avro.Schema c = org.apache.avro.SchemaBuilder.record("C")
                .fields()
                .requiredString("z")
                .endRecord();
        int port = LocalRegistry.freePort();
        int idA;
        int idB;
        try (LocalRegistry r = LocalRegistry.startPersistent(dir, port, Duration.ofSeconds(90))) {
            SchemaRegistryClient cl = SchemaRegistryClients.fromConfig(Map.of("schema.registry.url", r.url()));
            idA = cl.register("a-value", a);
            idB = cl.register("b-value", b);
        }
        try (LocalRegistry r = LocalRegistry.startPersistent(dir, port, Duration.ofSeconds(90))) {
            SchemaRegistryClient cl = SchemaRegistryClients.fromConfig(Map.of("schema.registry.url", r.url()));
            // an in-memory registry would know nothing here, and would hand idA to the first schema it is given
            assertThat(cl.subjects()).containsExactlyInAnyOrder("a-value", "b-value");
            int idC = cl.register("c-value", c);
            assertThat(idC).isNotIn(idA, idB);
            assertThat(cl.getById(idA)).isEqualTo(a);
            assertThat(cl.getById(idB)).isEqualTo(b);
            assertThat(cl.register("b-value", b)).isEqualTo(idB);
        }
    }

    @Test
    void theRegistryDiesWhenItsParentJvmIsKilledHard() throws Exception {
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                .toString();
        Process parent = new ProcessBuilder(
                        javaBin,
                        "-Xmx64m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        LocalRegistryHolder.class.getName())
                .redirectErrorStream(true)
                .start();
        long pid = -1;
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(parent.getInputStream()))) {
            String line;
            StringBuilder all = new StringBuilder();
            while ((line = r.readLine()) != null) {
                all.append(line).append('\n');
                if (line.startsWith("REGISTRY_PID=")) {
                    pid = Long.parseLong(line.substring("REGISTRY_PID=".length(), line.indexOf(' ')));
                    break;
                }
            }
            assertThat(pid).as("holder output:\n%s", all).isPositive();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
            parent.destroyForcibly(); // SIGKILL: no shutdown hooks run
            parent.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            parent.destroyForcibly();
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
        final long p = pid;
        while (ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        boolean alive = ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false);
        if (alive) ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
        assertThat(alive).as("registry JVM %d outlived its killed parent", p).isFalse();
    }
}
