package io.ltm.topology.cli;

import io.ltm.schemas.NoveltyScore;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ltm watch KEY --threshold X}: prints the events of a key whose novelty is above the threshold as they arrive
 * (a consumer of the novelty topic without a group: every partition, from the end unless --from-beginning).
 */
@Command(
        name = "watch",
        mixinStandardHelpOptions = true,
        description = "Print a key's events whose novelty is above a threshold as they arrive (topic ltm.novelty): "
                + "novelty, event time, source offset and text.")
final class WatchCommand implements Callable<Integer> {

    @CommandLine.Mixin
    LtmCli.ClientConfigOption config = new LtmCli.ClientConfigOption();

    @Parameters(index = "0", description = "memory key, or * for every key")
    String key;

    @Option(
            names = "--threshold",
            description = "print events with novelty above this (default ${DEFAULT-VALUE}; "
                    + "novelty = 1 - best cosine against the memory, in [0, 2])")
    double threshold = 0.5;

    @Option(names = "--from-beginning", description = "start at the oldest scores instead of new ones")
    boolean fromBeginning;

    @Option(names = "--max", description = "stop after printing this many events (default: never)")
    volatile long max = Long.MAX_VALUE;

    @Option(names = "--duration", description = "stop after this many seconds (default: never)")
    long durationSeconds = -1;

    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        LtmConfig cfg = config.load();
        Duration startup = Duration.ofMillis(cfg.getLong(LtmConfig.STARTUP_TIMEOUT_MS));
        LtmCli.requireCluster(cfg, startup, LtmConfig.TOPIC_NOVELTY);
        String topic = cfg.getString(LtmConfig.TOPIC_NOVELTY);
        Map<String, Object> p = new HashMap<>(cfg.clientOverrides(ConsumerConfig.configNames()));
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.getString(LtmConfig.BOOTSTRAP_SERVERS));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        var values = LtmSerdes.avro(NoveltyScore.class, cfg.serdeConfig()).deserializer();
        long deadline = durationSeconds < 0
                ? Long.MAX_VALUE
                : System.nanoTime() + Duration.ofSeconds(durationSeconds).toNanos();
        long printed = 0;
        try (KafkaConsumer<String, NoveltyScore> c = new KafkaConsumer<>(p, new StringDeserializer(), values)) {
            List<TopicPartition> tps = c.partitionsFor(topic, startup).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            c.assign(tps);
            if (fromBeginning) {
                c.seekToBeginning(tps);
            } else {
                c.seekToEnd(tps);
                tps.forEach(c::position); // resolve now: only scores written from here on are printed
            }
            out.printf(
                    Locale.ROOT,
                    "watching %s on %s for novelty > %.3f%n",
                    "*".equals(key) ? "every key" : "key '" + key + "'",
                    topic,
                    threshold);
            out.flush();
            while (printed < max && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, NoveltyScore> r : c.poll(Duration.ofMillis(200))) {
                    NoveltyScore s = r.value();
                    if (s == null || !("*".equals(key) || key.equals(r.key())) || s.getNovelty() <= threshold) {
                        continue;
                    }
                    out.println(format(s));
                    out.flush();
                    if (++printed >= max) {
                        break;
                    }
                }
            }
        }
        return 0;
    }

    static String format(NoveltyScore s) {
        var src = s.getSource();
        String where =
                (src.getTopic() == null ? "?" : src.getTopic()) + "-" + src.getPartition() + "@" + src.getOffset();
        String text = s.getText() == null ? "(no text)" : s.getText().replace('\n', ' ');
        return String.format(
                Locale.ROOT,
                "%s  %s  novelty %.3f  %s  %s",
                src.getTimestamp(),
                s.getKey(),
                s.getNovelty(),
                where,
                text.length() > 200 ? text.substring(0, 200) + "..." : text);
    }
}
