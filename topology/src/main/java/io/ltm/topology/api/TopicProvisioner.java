package io.ltm.topology.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.ClientDnsLookup;
import org.apache.kafka.clients.ClientUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where LTM topics are created and checked, used by {@code ./ltm run}, {@code ./ltm worker} and
 * the embedded demo: it checks that the cluster answers, creates every missing topic with
 * {@link LtmConfig#TOPIC_PARTITIONS}, {@link LtmConfig#TOPIC_REPLICATION} and {@link #topicConfigs}, and fails
 * fast with one line when the token, query and control topics are not co-partitioned (the memory node keeps a
 * key's state in one task, so a key must land on the same partition number in all three).
 *
 * <p>No topic here is compacted: every record counts (events, queries, answers, dead letters), and compaction
 * would keep only the last per key. The node's changelogs are compacted; Kafka Streams creates them
 * ({@link MemoryTopology}).
 */
public final class TopicProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

    /** Between two attempts to open a TCP connection to the bootstrap servers, while the cluster may be starting. */
    private static final Duration PROBE_RETRY = Duration.ofMillis(200);

    private TopicProvisioner() {}

    /** What {@link #ensure} found: partitions and retention.ms (-1 = unlimited) of every LTM topic. */
    public record Topics(Map<String, Integer> partitions, Map<String, Long> retentionMs, Set<String> created) {}

    /** {@link #ensure(LtmConfig, Duration)} with {@link LtmConfig#STARTUP_TIMEOUT_MS}. */
    public static Topics ensure(LtmConfig config) {
        return ensure(config, Duration.ofMillis(config.getLong(LtmConfig.STARTUP_TIMEOUT_MS)));
    }

    /**
     * Checks the cluster is reachable, creates the missing LTM topics and checks co-partitioning.
     *
     * @throws UserFacingException with a one-line message when the cluster cannot be reached in time, a topic
     *                             cannot be created, or the keyed topics are not co-partitioned
     */
    public static Topics ensure(LtmConfig config, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        awaitReachable(config, timeout);
        try (Admin admin = Admin.create(adminConfig(config, remaining(deadline, timeout)))) {
            Map<String, Integer> wanted = config.topicPartitions();
            Map<String, Integer> existing = partitions(admin, wanted.keySet(), deadline, timeout, config);
            checkCoPartitioned(config, existing);
            int groupCount = coPartitionedTopics(config).stream()
                    .filter(existing::containsKey)
                    .map(existing::get)
                    .findFirst()
                    .orElse(config.getInt(LtmConfig.TOPIC_PARTITIONS));
            Map<String, String> topicConfigs = topicConfigs(config);
            short replication = config.getShort(LtmConfig.TOPIC_REPLICATION);
            List<NewTopic> missing = new ArrayList<>();
            for (Map.Entry<String, Integer> t : new TreeMap<>(wanted).entrySet()) {
                if (!existing.containsKey(t.getKey())) {
                    // a missing token/query/control topic joins the existing ones' count, so they stay co-partitioned
                    int n = coPartitionedTopics(config).contains(t.getKey()) ? groupCount : t.getValue();
                    missing.add(new NewTopic(t.getKey(), n, replication).configs(topicConfigs));
                }
            }
            List<String> created = create(admin, missing, deadline, timeout, config);
            if (!created.isEmpty()) {
                LOG.info(
                        "created topics {} (replication {}, {})",
                        missing.stream()
                                .filter(t -> created.contains(t.name()))
                                .collect(Collectors.toMap(NewTopic::name, NewTopic::numPartitions)),
                        replication,
                        topicConfigs);
            }
            Map<String, Integer> all = awaitVisible(admin, wanted.keySet(), deadline, timeout, config);
            checkCoPartitioned(config, all);
            return new Topics(all, retention(admin, all.keySet(), deadline, timeout, config), Set.copyOf(created));
        }
    }

    /** Fails with one line when one of {@code topics} does not exist (for commands that do not create topics). */
    public static void requireTopics(LtmConfig config, Duration timeout, Collection<String> topics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(adminConfig(config, timeout))) {
            Set<String> names = get(admin.listTopics().names(), deadline, timeout, config, "list topics");
            List<String> missing =
                    topics.stream().filter(t -> !names.contains(t)).toList();
            if (!missing.isEmpty()) {
                throw new UserFacingException("no topic " + String.join(", ", missing) + " on "
                        + config.getString(LtmConfig.BOOTSTRAP_SERVERS) + ": `./ltm run` and `./ltm worker` create "
                        + "the topics; start one of them first");
            }
        }
    }

    /**
     * Configs of the topics we create: timestamps are the time of writing (LogAppendTime), so time-based
     * retention never drops a record because its event happened long ago (the event's own time travels in
     * the payload); retention.ms from {@link LtmConfig#TOPIC_RETENTION_MS}; max.message.bytes as large as
     * the producers' max.request.size ({@link LtmConfig#MAX_STATE_BYTES}), so whatever a producer may send is
     * accepted.
     */
    public static Map<String, String> topicConfigs(LtmConfig config) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
        m.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(config.getLong(LtmConfig.TOPIC_RETENTION_MS)));
        m.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(LtmConfig.MAX_STATE_BYTES));
        m.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        return m;
    }

    /** The topics a key must land on the same partition number of: the memory node's inputs. */
    public static List<String> coPartitionedTopics(LtmConfig config) {
        return List.of(
                config.getString(LtmConfig.TOPIC_TOKENS),
                config.getString(LtmConfig.TOPIC_QUERIES),
                config.getString(LtmConfig.TOPIC_CONTROL));
    }

    /** Throws a one-line {@link UserFacingException} when the existing co-partitioned topics disagree. */
    static void checkCoPartitioned(LtmConfig config, Map<String, Integer> partitions) {
        Map<String, Integer> group = new LinkedHashMap<>();
        for (String t : coPartitionedTopics(config)) {
            if (partitions.containsKey(t)) {
                group.put(t, partitions.get(t));
            }
        }
        if (group.values().stream().distinct().count() > 1) {
            throw new UserFacingException("topics are not co-partitioned: "
                    + group.entrySet().stream()
                            .map(e -> e.getKey() + " has " + e.getValue())
                            .collect(Collectors.joining(", "))
                    + " partitions; the token, query and control topics need the same partition count "
                    + "(recreate them, or repartition them to one count)");
        }
    }

    /** Fails with one line unless some bootstrap server accepts a TCP connection before the timeout. */
    public static void awaitReachable(LtmConfig config, Duration timeout) {
        String servers = config.getString(LtmConfig.BOOTSTRAP_SERVERS);
        List<InetSocketAddress> addresses;
        try {
            addresses = ClientUtils.parseAndValidateAddresses(
                    java.util.Arrays.stream(servers.split(","))
                            .map(String::trim)
                            .toList(),
                    ClientDnsLookup.USE_ALL_DNS_IPS);
        } catch (ConfigException e) {
            throw new UserFacingException(
                    "cannot use " + LtmConfig.BOOTSTRAP_SERVERS + "=" + servers + ": " + e.getMessage());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        do {
            for (InetSocketAddress a : addresses) {
                int wait = (int) Math.max(
                        1,
                        Math.min(Integer.MAX_VALUE, remaining(deadline, timeout).toMillis()));
                try (Socket s = new Socket()) {
                    s.connect(a, wait);
                    return;
                } catch (IOException e) {
                    last = e;
                }
            }
            sleep(PROBE_RETRY.compareTo(remaining(deadline, timeout)) < 0 ? PROBE_RETRY : remaining(deadline, timeout));
        } while (System.nanoTime() < deadline);
        throw new UserFacingException("cannot reach Kafka at " + servers + " (" + LtmConfig.BOOTSTRAP_SERVERS
                + ") within " + seconds(timeout) + ": " + (last == null ? "no answer" : last.getMessage()));
    }

    /** Admin client settings: ours, plus the user's client keys that an admin client knows (TLS, SASL). */
    public static Map<String, Object> adminConfig(LtmConfig config, Duration timeout) {
        Map<String, Object> m = new HashMap<>();
        Set<String> known = AdminClientConfig.configNames();
        config.originals().forEach((k, v) -> {
            if (known.contains(k)) {
                m.put(k, v);
            }
        });
        m.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
        int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        m.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        m.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms); // may not exceed the API timeout
        return m;
    }

    private static Map<String, Integer> partitions(
            Admin admin, Collection<String> topics, long deadline, Duration timeout, LtmConfig config) {
        Set<String> names = get(admin.listTopics().names(), deadline, timeout, config, "list topics");
        List<String> present = topics.stream().filter(names::contains).toList();
        Map<String, TopicDescription> d = get(
                admin.describeTopics(present).allTopicNames(), deadline, timeout, config, "describe topics " + present);
        Map<String, Integer> m = new HashMap<>();
        d.forEach((t, td) -> m.put(t, td.partitions().size()));
        return m;
    }

    /** New topics reach every broker's metadata a moment after creation: wait until all of them are listed. */
    private static Map<String, Integer> awaitVisible(
            Admin admin, Collection<String> topics, long deadline, Duration timeout, LtmConfig config) {
        while (true) {
            Map<String, Integer> m = partitions(admin, topics, deadline, timeout, config);
            if (m.keySet().containsAll(topics)) {
                return m;
            }
            if (System.nanoTime() >= deadline) {
                throw new UserFacingException("topics "
                        + topics.stream().filter(t -> !m.containsKey(t)).toList()
                        + " were created but did not appear within " + seconds(timeout));
            }
            sleep(PROBE_RETRY);
        }
    }

    private static List<String> create(
            Admin admin, List<NewTopic> topics, long deadline, Duration timeout, LtmConfig config) {
        List<String> created = new ArrayList<>();
        if (topics.isEmpty()) {
            return created;
        }
        var result = admin.createTopics(topics);
        for (NewTopic t : topics) {
            try {
                get(result.values().get(t.name()), deadline, timeout, config, "create topic " + t.name());
                created.add(t.name());
            } catch (UserFacingException e) {
                Throwable c = e.getCause();
                if (c instanceof TopicExistsException) {
                    continue; // another instance created it meanwhile; its partition count is checked next
                }
                if (c instanceof InvalidReplicationFactorException) {
                    throw new UserFacingException("cannot create topic " + t.name() + " with replication factor "
                            + t.replicationFactor() + " (" + LtmConfig.TOPIC_REPLICATION + "): " + c.getMessage());
                }
                if (c instanceof AuthorizationException) {
                    throw new UserFacingException("not allowed to create topic " + t.name() + ": " + c.getMessage()
                            + "; create the topics beforehand (README, Topics and schemas)");
                }
                throw e;
            }
        }
        return created;
    }

    private static Map<String, Long> retention(
            Admin admin, Collection<String> topics, long deadline, Duration timeout, LtmConfig config) {
        List<ConfigResource> resources = topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                .toList();
        Map<ConfigResource, Config> configs =
                get(admin.describeConfigs(resources).all(), deadline, timeout, config, "describe topic configs");
        Map<String, Long> m = new HashMap<>();
        configs.forEach((r, c) -> {
            var retention = c.get(TopicConfig.RETENTION_MS_CONFIG);
            long ms = retention == null || retention.value() == null ? -1 : Long.parseLong(retention.value());
            m.put(r.name(), ms);
            var type = c.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
            if (ms >= 0 && type != null && "CreateTime".equals(type.value())) {
                // Such a topic deletes records by their producers' timestamps: a backfill stamped with old
                // event times can expire before it is read. Ours are created with LogAppendTime.
                LOG.warn(
                        "topic {} has message.timestamp.type=CreateTime and retention.ms={}: records whose "
                                + "producers stamp them with old times may be deleted before they are read; set "
                                + "message.timestamp.type=LogAppendTime on it",
                        r.name(),
                        ms);
            }
        });
        return m;
    }

    private static <T> T get(
            org.apache.kafka.common.KafkaFuture<T> f, long deadline, Duration timeout, LtmConfig config, String what) {
        try {
            return f.get(Math.max(1, remaining(deadline, timeout).toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserFacingException("interrupted while trying to " + what, e);
        } catch (TimeoutException e) {
            throw new UserFacingException(
                    "Kafka at " + config.getString(LtmConfig.BOOTSTRAP_SERVERS) + " did not answer within "
                            + seconds(timeout) + " (" + what + ")",
                    e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            String msg = c instanceof org.apache.kafka.common.errors.TimeoutException
                    ? "Kafka at " + config.getString(LtmConfig.BOOTSTRAP_SERVERS) + " did not answer within "
                            + seconds(timeout) + " (" + what + ")"
                    : c instanceof AuthenticationException
                            ? "Kafka at " + config.getString(LtmConfig.BOOTSTRAP_SERVERS) + " refused the connection ("
                                    + what + "): " + c.getMessage() + "; check security.protocol, sasl.mechanism, "
                                    + "sasl.jaas.config and ssl.truststore.location (README, Security)"
                            : "cannot " + what + ": " + c.getMessage();
            throw new UserFacingException(msg, c);
        }
    }

    private static Duration remaining(long deadline, Duration timeout) {
        long left = deadline - System.nanoTime();
        return left <= 0 ? Duration.ofMillis(1) : Duration.ofNanos(Math.min(left, timeout.toNanos()));
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserFacingException("interrupted while waiting for Kafka", e);
        }
    }
}
