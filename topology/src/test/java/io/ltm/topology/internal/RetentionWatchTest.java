package io.ltm.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class RetentionWatchTest {

    private static final long DAY = Duration.ofDays(1).toMillis();

    @Test
    void countsOnlyRecordsOlderThanTheirTopicsRetentionAndPublishesTheCountOverJmx() throws Exception {
        AtomicLong now = new AtomicLong(1_800_000_000_000L);
        try (RetentionWatch w = new RetentionWatch(Map.of("events", 7 * DAY, "forever", -1L), "watch-test", now::get)) {
            w.check("events", now.get() - DAY); // young: fine
            w.check("events", now.get() - 8 * DAY); // past retention
            w.check("events", now.get() - 3 * 365 * DAY); // a backfill stamped with its event time
            w.check("forever", now.get() - 3 * 365 * DAY); // unlimited retention: nothing can expire
            w.check("unknown", now.get() - 3 * 365 * DAY); // retention not known: not judged
            assertThat(w.oldRecords("events")).isEqualTo(2);
            assertThat(w.oldRecords("forever")).isZero();
            assertThat(w.oldRecords("unknown")).isZero();

            ObjectName name = new ObjectName("ltm:type=" + RetentionWatch.GROUP + ",client-id=watch-test,topic=events");
            Object jmx = ManagementFactory.getPlatformMBeanServer().getAttribute(name, RetentionWatch.METRIC);
            assertThat(((Number) jmx).longValue()).isEqualTo(2);
        }
    }
}
