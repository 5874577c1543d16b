package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.CoefficientPrecision;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.SourcePosition;
import io.ltm.testutils.SmallMemory;
import io.ltm.testutils.it.LocalCluster;
import io.ltm.testutils.it.NodeSettings;
import io.ltm.topology.api.LtmClient;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.codec.MemoryStateCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two memory nodes in separate JVMs (`ltm run`, static membership, the default session timeout and standby
 * replica); one is killed (SIGKILL, so it cannot leave the group) and the keys it held must answer again, from the
 * other node, within 15 s of the kill; then the other is killed and restarted at once with its instance id, and
 * its keys must answer again (from the restarted node, which keeps its tasks). The measured times are printed.
 */
class FailoverTest {
    static final int PARTITIONS = 4;
    static final int DIM = SmallMemory.NODE.dim();
    static final int KEYS = 8;

    @TempDir
    Path tmp;

    @Test
    void aKilledNodesKeysAnswerAgainFromTheOtherNodeWithin15SecondsAndAfterARestart() throws Exception {
        try (LocalCluster cluster = LocalCluster.start();
                Admin admin = cluster.admin()) {
            NodeSettings settings =
                    cluster.node("failover").partitions(PARTITIONS).memory(SmallMemory.NODE);
            Map<String, Object> m = settings.entries();
            String appId = settings.applicationId();
            LtmConfig config = new LtmConfig(m);
            cluster.createTopics(config.topicPartitions());

            Map<String, Process> nodes = new HashMap<>();
            try (LtmClient client = new LtmClient(config)) {
                for (String id : List.of("node-a", "node-b")) {
                    nodes.put(id, startNode(m, id));
                }
                awaitStableGroup(admin, appId, 2, Duration.ofSeconds(120));

                Random rnd = new Random(5);
                List<String> keys = new ArrayList<>();
                for (int k = 0; k < KEYS; k++) {
                    keys.add("key-" + k);
                    for (int e = 0; e < 3; e++) {
                        client.sendTokens("key-" + k, tokens(rnd, 10));
                    }
                }
                for (String k : keys) { // every key answers from both nodes' tasks before the kill
                    MemoryResponse r = client.query(k, "anything", 1, Duration.ofSeconds(60));
                    assertThat(r.getFound()).as(k).isTrue();
                }

                String tokensTopic = config.getString(LtmConfig.TOPIC_TOKENS);
                Set<Integer> victimPartitions = activePartitions(admin, appId, "node-a", tokensTopic);
                assertThat(victimPartitions).as("node-a holds some tasks").isNotEmpty();
                List<String> victimKeys = keys.stream()
                        .filter(k -> victimPartitions.contains(
                                Utils.toPositive(Utils.murmur2(k.getBytes(StandardCharsets.UTF_8))) % PARTITIONS))
                        .toList();
                assertThat(victimKeys).isNotEmpty();
                Thread.sleep(2000); // the standby on node-b catches up with the last writes

                long t0 = System.nanoTime();
                nodes.get("node-a").destroyForcibly().waitFor();
                long worst = 0;
                for (String k : victimKeys) {
                    MemoryResponse r = client.query(k, "anything", 1, Duration.ofSeconds(120));
                    assertThat(r.getFound()).as(k).isTrue();
                    assertThat(r.getStats().getTokensAbsorbed()).as(k).isEqualTo(30);
                    worst = System.nanoTime() - t0;
                }
                double seconds = worst / 1e9;
                System.out.printf(
                        "FAILOVER: keys of the killed node (partitions %s) answered again %.1f s after" + " the kill%n",
                        victimPartitions, seconds);
                assertThat(seconds).isLessThan(15.0);

                // 2. a killed node restarted at once with the same ltm.instance.id (static membership)
                nodes.put("node-a", startNode(m, "node-a")); // back after its session expired: a rebalance
                awaitStableGroup(admin, appId, 2, Duration.ofSeconds(120));
                Set<Integer> bPartitions = activePartitions(admin, appId, "node-b", tokensTopic);
                List<String> bKeys = keys.stream()
                        .filter(k -> bPartitions.contains(
                                Utils.toPositive(Utils.murmur2(k.getBytes(StandardCharsets.UTF_8))) % PARTITIONS))
                        .toList();
                assertThat(bKeys).isNotEmpty();
                Thread.sleep(2000);
                long t1 = System.nanoTime();
                nodes.get("node-b").destroyForcibly().waitFor();
                nodes.put("node-b", startNode(m, "node-b"));
                long restartWorst = 0;
                for (String k : bKeys) {
                    MemoryResponse r = client.query(k, "anything", 1, Duration.ofSeconds(120));
                    assertThat(r.getFound()).as(k).isTrue();
                    assertThat(r.getStats().getTokensAbsorbed()).as(k).isEqualTo(30);
                    restartWorst = System.nanoTime() - t1;
                }
                awaitStableGroup(admin, appId, 2, Duration.ofSeconds(120));
                // measured, not bounded: the time is the new JVM's start (engine included) plus the restore, and the
                // standby does not step in while the static member's session lasts
                System.out.printf(
                        "FAILOVER: keys of the node killed and restarted at once (partitions %s, after the"
                                + " restart %s) answered again %.1f s after the kill%n",
                        bPartitions, activePartitions(admin, appId, "node-b", tokensTopic), restartWorst / 1e9);
            } finally {
                nodes.values().forEach(Process::destroyForcibly);
                for (Process p : nodes.values()) p.waitFor();
            }
        }
    }

    /**
     * Three nodes with one standby replica each, under a steady stream of token events for every key; one node holding
     * tasks is killed (SIGKILL) and stays down. Its keys must answer again from the others (the standby copies) within
     * 15 s, the time is printed, and once the stream stops every key holds exactly the tokens sent: nothing lost, nothing
     * counted twice.
     */
    @Test
    void withThreeNodesAndAStandbyAKilledNodesKeysAnswerAgainUnderLoadWithNothingLostOrDoubled() throws Exception {
        int partitions = 6;
        int keyCount = 12;
        try (LocalCluster cluster = LocalCluster.start();
                Admin admin = cluster.admin()) {
            NodeSettings settings = cluster.node("failover3")
                    .partitions(partitions)
                    .set(LtmConfig.NUM_STANDBY_REPLICAS, 1)
                    .memory(SmallMemory.NODE);
            Map<String, Object> m = settings.entries();
            String appId = settings.applicationId();
            LtmConfig config = new LtmConfig(m);
            cluster.createTopics(config.topicPartitions());

            Map<String, Process> nodes = new HashMap<>();
            List<String> keys = new ArrayList<>();
            for (int k = 0; k < keyCount; k++) keys.add("key3-" + k);
            Map<String, Long> sent = new java.util.concurrent.ConcurrentHashMap<>();
            java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean(true);
            try (LtmClient client = new LtmClient(config)) {
                for (String id : List.of("node-a", "node-b", "node-c")) {
                    nodes.put(id, startNode(m, id));
                }
                awaitStableGroup(admin, appId, 3, Duration.ofSeconds(120));
                Thread load = new Thread(() -> load(client, keys, sent, loading));
                load.start();
                // a query sees the events of its key that are in the topic: wait until every key has some there
                long allSent = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!sent.keySet().containsAll(keys) && System.nanoTime() < allSent) Thread.sleep(50);
                client.flush();
                for (String k : keys) {
                    assertThat(client.query(k, "anything", 1, Duration.ofSeconds(60))
                                    .getFound())
                            .as(k)
                            .isTrue();
                }

                String tokensTopic = config.getString(LtmConfig.TOPIC_TOKENS);
                String victim = null;
                Set<Integer> victimPartitions = Set.of();
                for (String id : List.of("node-a", "node-b", "node-c")) {
                    victimPartitions = activePartitions(admin, appId, id, tokensTopic);
                    if (!victimPartitions.isEmpty()) {
                        victim = id;
                        break;
                    }
                }
                assertThat(victim).as("a node holding tasks").isNotNull();
                Set<Integer> held = victimPartitions;
                List<String> victimKeys = keys.stream()
                        .filter(k -> held.contains(
                                Utils.toPositive(Utils.murmur2(k.getBytes(StandardCharsets.UTF_8))) % partitions))
                        .toList();
                assertThat(victimKeys).isNotEmpty();
                Thread.sleep(2000);

                long t0 = System.nanoTime();
                nodes.get(victim).destroyForcibly().waitFor();
                List<String> times = new ArrayList<>();
                long worst = 0;
                for (String k : victimKeys) {
                    MemoryResponse r = client.query(k, "anything", 1, Duration.ofSeconds(120));
                    assertThat(r.getFound()).as(k).isTrue();
                    worst = System.nanoTime() - t0;
                    times.add(String.format("%s %.1f s", k, worst / 1e9));
                }
                double seconds = worst / 1e9;
                loading.set(false);
                load.join();
                client.flush();

                // every token sent, once: the counts settle at exactly what was sent
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                Map<String, Long> absorbed = new HashMap<>();
                while (System.nanoTime() < deadline) {
                    for (String k : keys) {
                        absorbed.put(
                                k,
                                client.query(k, "anything", 1, Duration.ofSeconds(60))
                                        .getStats()
                                        .getTokensAbsorbed());
                    }
                    if (absorbed.equals(sent)) break;
                    Thread.sleep(500);
                }
                assertThat(absorbed)
                        .as("tokens per key after the stream stopped")
                        .isEqualTo(new HashMap<>(sent));
                System.out.printf(
                        "FAILOVER3: 3 nodes, 1 standby replica, about 50 events/s of load: keys of the killed %s"
                                + " (partitions %s) answered again %.1f s after the kill (%s); %d tokens over %d keys,"
                                + " each absorbed exactly once%n",
                        victim,
                        victimPartitions,
                        seconds,
                        String.join(", ", times),
                        sent.values().stream().mapToLong(Long::longValue).sum(),
                        keyCount);
                // the time holds the session timeout (6 s), the abort of the killed node's open transaction (5 s plus
                // the broker's 1 s check) and the new owner's catching up on the events that came meanwhile (a query
                // waits for its key's earlier events)
                assertThat(seconds).isLessThan(15.0);
            } finally {
                loading.set(false);
                nodes.values().forEach(Process::destroyForcibly);
                for (Process p : nodes.values()) p.waitFor();
            }
        }
    }

    /** About 50 token events a second, round-robin over {@code keys}, counted in {@code sent}, while {@code on}. */
    private static void load(
            LtmClient client, List<String> keys, Map<String, Long> sent, java.util.concurrent.atomic.AtomicBoolean on) {
        Random rnd = new Random(7);
        for (int i = 0; on.get(); i++) {
            String k = keys.get(i % keys.size());
            int n = 1 + rnd.nextInt(8);
            client.sendTokens(k, tokens(rnd, n));
            sent.merge(k, (long) n, Long::sum);
            if (i % 5 == 4) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private Process startNode(Map<String, Object> config, String instanceId) throws Exception {
        return LtmCommand.of("run")
                .jvm("-Xmx384m")
                .settings(config)
                .settings(Map.of(
                        LtmConfig.INSTANCE_ID, instanceId, LtmConfig.STATE_DIR, tmp.resolve("state-" + instanceId)))
                .start(tmp.resolve(instanceId + ".log"));
    }

    private static void awaitStableGroup(Admin admin, String group, int members, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ConsumerGroupDescription d;
            try {
                d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException)) throw e;
                d = null; // the nodes have not joined yet
            }
            if (d != null
                    && d.groupState() == GroupState.STABLE
                    && d.members().size() == members
                    && d.members().stream()
                            .allMatch(mb -> !mb.assignment().topicPartitions().isEmpty())) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("group " + group + " not stable with " + members + " members: " + d);
            }
            Thread.sleep(250);
        }
    }

    /** Partitions of {@code topic} assigned to the stream threads of the instance {@code instanceId}. */
    private static Set<Integer> activePartitions(Admin admin, String group, String instanceId, String topic)
            throws Exception {
        ConsumerGroupDescription d =
                admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        Set<Integer> out = new HashSet<>();
        for (MemberDescription mb : d.members()) {
            if (mb.groupInstanceId().orElse("").startsWith(instanceId + "-")) {
                for (TopicPartition tp : mb.assignment().topicPartitions()) {
                    if (tp.topic().equals(topic)) out.add(tp.partition());
                }
            }
        }
        return out;
    }

    static EncodedTokens tokens(Random rnd, int count) {
        float[] v = new float[count * DIM];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        return EncodedTokens.newBuilder()
                .setVectors(MemoryStateCodec.block(v, count, DIM, CoefficientPrecision.FLOAT32))
                .setSource(SourcePosition.newBuilder()
                        .setTopic("ltm.events")
                        .setPartition(0)
                        .setOffset(0)
                        .setTimestamp(Instant.now())
                        .setSourceId(null)
                        .build())
                .build();
    }
}
