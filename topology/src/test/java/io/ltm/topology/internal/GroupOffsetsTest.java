package io.ltm.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.internals.CoordinatorKey;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.Test;

class GroupOffsetsTest {

    private static final TopicPartition TOKENS_0 = new TopicPartition("tokens", 0);
    private static final TopicPartition TOKENS_1 = new TopicPartition("tokens", 1);
    private static final TopicPartition UNKNOWN = new TopicPartition("no-such-topic", 0);
    private static final TopicPartition SLOW = new TopicPartition("slow", 0);

    /**
     * An admin client that knows the "tokens" partitions (committed 5 on partition 0, never on partition 1; log
     * start 2, last stable offset 9 and log end 12 everywhere: a transaction open), fails "no-such-topic" as a broker does, and never answers for "slow".
     */
    private static Admin cluster() {
        return (Admin) Proxy.newProxyInstance(Admin.class.getClassLoader(), new Class<?>[] {Admin.class}, (p, m, a) -> {
            switch (m.getName()) {
                case "listConsumerGroupOffsets":
                    return groupResult(Map.of(TOKENS_0, new OffsetAndMetadata(5)));
                case "listOffsets":
                    @SuppressWarnings("unchecked")
                    Map<TopicPartition, OffsetSpec> specs = (Map<TopicPartition, OffsetSpec>) a[0];
                    Map<TopicPartition, KafkaFuture<ListOffsetsResult.ListOffsetsResultInfo>> futures = new HashMap<>();
                    boolean uncommitted =
                            ((ListOffsetsOptions) a[1]).isolationLevel() == IsolationLevel.READ_UNCOMMITTED;
                    specs.forEach((tp, spec) -> futures.put(tp, answer(tp, spec, uncommitted)));
                    return new ListOffsetsResult(futures);
                case "close":
                    return null;
                default:
                    throw new UnsupportedOperationException(m.getName());
            }
        });
    }

    private static KafkaFuture<ListOffsetsResult.ListOffsetsResultInfo> answer(
            TopicPartition tp, OffsetSpec spec, boolean uncommitted) {
        KafkaFutureImpl<ListOffsetsResult.ListOffsetsResultInfo> f = new KafkaFutureImpl<>();
        if (tp.topic().equals("tokens")) {
            long offset = spec instanceof OffsetSpec.EarliestSpec ? 2 : uncommitted ? 12 : 9;
            f.complete(new ListOffsetsResult.ListOffsetsResultInfo(offset, -1, Optional.empty()));
        } else if (tp.equals(UNKNOWN)) {
            f.completeExceptionally(new UnknownTopicOrPartitionException("This server does not host this partition"));
        }
        return f; // "slow": never completes
    }

    /** The result type has no public constructor; the admin client makes it with one per group. */
    private static ListConsumerGroupOffsetsResult groupResult(Map<TopicPartition, OffsetAndMetadata> offsets)
            throws ReflectiveOperationException {
        Constructor<ListConsumerGroupOffsetsResult> c =
                ListConsumerGroupOffsetsResult.class.getDeclaredConstructor(Map.class);
        c.setAccessible(true);
        return c.newInstance(Map.of(CoordinatorKey.byGroupId("ltm"), KafkaFuture.completedFuture(offsets)));
    }

    @Test
    void anUnknownPartitionIsLeftOutAndTheOthersAreAnswered() {
        try (GroupOffsets offsets = new GroupOffsets("ltm", GroupOffsetsTest::cluster)) {
            GroupOffsets.Offsets o = offsets.of(Set.of(TOKENS_0, TOKENS_1, UNKNOWN));
            assertThat(o.committed()).isEqualTo(Map.of(TOKENS_0, 5L, TOKENS_1, 2L));
            assertThat(o.end()).isEqualTo(Map.of(TOKENS_0, 9L, TOKENS_1, 9L));
            assertThat(o.logEnd()).isEqualTo(Map.of(TOKENS_0, 12L, TOKENS_1, 12L));
        }
    }

    @Test
    void aPartitionWithNoAnswerIsLeftOutAtTheTimeoutAndTheOthersAreAnswered() {
        try (GroupOffsets offsets = new GroupOffsets("ltm", GroupOffsetsTest::cluster)) {
            long start = System.nanoTime();
            GroupOffsets.Offsets o = offsets.of(Set.of(SLOW, TOKENS_0, TOKENS_1));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(o.committed()).isEqualTo(Map.of(TOKENS_0, 5L, TOKENS_1, 2L));
            assertThat(o.end()).isEqualTo(Map.of(TOKENS_0, 9L, TOKENS_1, 9L));
            // one deadline for the end and the start offsets together, not one each
            assertThat(ms).isBetween(GroupOffsets.TIMEOUT.toMillis() - 50, GroupOffsets.TIMEOUT.toMillis() + 900);
        }
    }
}
