package io.ltm.schemas;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One fully populated instance of every top-level record (every optional field set, so all of it is exercised). */
public final class Samples {
    private Samples() {}

    public static final Instant T0 = Instant.ofEpochMilli(1_764_000_000_123L);

    public static VectorBlock vectors(int count, int dim) {
        ByteBuffer b = ByteBuffer.allocate(count * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count * dim; i++) b.putFloat(i * 0.25f - 1f);
        b.flip();
        return VectorBlock.newBuilder()
                .setDim(dim)
                .setCount(count)
                .setEncoding(VectorEncoding.FLOAT32)
                .setData(b)
                .build();
    }

    public static SourcePosition source(long offset) {
        return SourcePosition.newBuilder()
                .setTopic("ltm.events")
                .setPartition(2)
                .setOffset(offset)
                .setTimestamp(T0.plusMillis(offset))
                .setSourceId("evt-" + offset)
                .build();
    }

    public static TokenEvent tokenEvent() {
        return TokenEvent.newBuilder()
                .setText("the cat sat on the mat")
                .setVectors(vectors(3, 4))
                .setTokens(List.of("the", "cat", "sat"))
                .setEventTime(T0)
                .setSourceId("evt-42")
                .build();
    }

    public static EncodedTokens encodedTokens() {
        return EncodedTokens.newBuilder()
                .setVectors(vectors(2, 8))
                .setTokens(List.of("hello", "world"))
                .setSource(source(42))
                .setText("hello world")
                .build();
    }

    public static MemoryQuery memoryQuery() {
        return MemoryQuery.newBuilder()
                .setQueryId("q-1")
                .setKey("user-7")
                .setText("where is the cat?")
                .setVectors(vectors(1, 4))
                .setOptions(QueryOptions.newBuilder()
                        .setSpans(3)
                        .setIncludeContext(true)
                        .setIncludeShortTerm(false)
                        .setHead(AttentionHead.TRAINED)
                        .build())
                .setRequestedAt(T0)
                .build();
    }

    public static MemoryState memoryState() {
        return MemoryState.newBuilder()
                .setFormatVersion(1)
                .setBasisSize(4)
                .setDim(4)
                .setCoefficients(vectors(4, 4))
                .setShortTerm(vectors(2, 4))
                .setShortTermTokens(Arrays.asList("a", null))
                .setTokensAbsorbed(1000)
                .setContractions(7)
                .setTimeline(List.of(new TimelineKnot(0.0, 0.0), new TimelineKnot(1.0, 998.0)))
                .setSources(
                        List.of(new SourceSegment(0L, source(1), null), new SourceSegment(500L, source(9), source(12))))
                .setStickyHistogram(List.of(0.1, 0.2, 0.7))
                .setUpdatedAt(T0)
                .build();
    }

    public static MemoryResponse memoryResponse() {
        return MemoryResponse.newBuilder()
                .setQueryId("q-1")
                .setKey("user-7")
                .setFound(true)
                .setSpans(List.of(AttendedSpan.newBuilder()
                        .setMu(0.4)
                        .setSigma(0.05)
                        .setScore(0.9)
                        .setWeight(0.8)
                        .setTokenStart(300)
                        .setTokenEnd(500)
                        .setFrom(source(10))
                        .setTo(source(11))
                        .build()))
                .setContext(List.of(0.5f, -1.25f, 3f))
                .setShortTermHits(List.of(ShortTermHit.newBuilder()
                        .setTokenIndex(999)
                        .setScore(0.7)
                        .setWeight(0.3)
                        .setToken("cat")
                        .setSource(source(12))
                        .build()))
                .setEvents(List.of(RereadEvent.newBuilder()
                        .setSpan(0)
                        .setScore(0.83)
                        .setSource(source(10))
                        .setTokens(9)
                        .setText("the cat sleeps on the shed roof")
                        .build()))
                .setReread("re-read 1 stretch, 200 tokens")
                .setStats(new MemoryStats(1000L, 7L, 2, 4096L))
                .setError(null)
                .setAnsweredBy("memory-node")
                .setAnsweredAt(T0.plusSeconds(1))
                .build();
    }

    public static AttentionRequest attentionRequest() {
        return AttentionRequest.newBuilder()
                .setQuery(memoryQuery())
                .setState(memoryState())
                .setShortTermSources(List.of(source(5), source(6)))
                .build();
    }

    public static RereadRequest rereadRequest() {
        return RereadRequest.newBuilder()
                .setResponse(memoryResponse())
                .setQuery(vectors(1, 4))
                .setStretches(List.of(RereadStretch.newBuilder()
                        .setSpan(0)
                        .setTokenStart(300)
                        .setTokenEnd(500)
                        .setFrom(source(10))
                        .setTo(source(11))
                        .build()))
                .setEvents(3)
                .build();
    }

    public static ControlCommand controlCommand() {
        return ControlCommand.newBuilder()
                .setAction(ControlAction.FORGET)
                .setCommandId("c-1")
                .setIssuedAt(T0)
                .build();
    }

    public static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setTopic("ltm.events")
                .setPartition(1)
                .setOffset(77)
                .setTimestamp(T0)
                .setKey(ByteBuffer.wrap("user-7".getBytes()))
                .setValue(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setErrorClass("org.apache.kafka.common.errors.SerializationException")
                .setErrorMessage("bad magic")
                .setProcessor("encode")
                .setFailedAt(T0.plusSeconds(2))
                .build();
    }

    /** Topic (or store) name → a sample of its value type, as in schemas/README.md. */
    public static NoveltyScore noveltyScore() {
        return NoveltyScore.newBuilder()
                .setKey("k")
                .setNovelty(0.42)
                .setBestCosine(0.58)
                .setNearestT(0.25)
                .setSource(source(9))
                .setTokenCount(12)
                .setMemoryTokens(1024)
                .setText("disk full on /var")
                .setScoredAt(T0)
                .build();
    }

    public static Map<String, SpecificRecord> byTopic() {
        return Map.of(
                "ltm.novelty",
                noveltyScore(),
                "ltm.events",
                tokenEvent(),
                "ltm.tokens",
                encodedTokens(),
                "ltm.queries",
                memoryQuery(),
                "ltm.responses",
                memoryResponse(),
                "ltm.attention-requests",
                attentionRequest(),
                "ltm.control",
                controlCommand(),
                "ltm.dlq",
                deadLetter(),
                "ltm-memory",
                memoryState(),
                "ltm.reread-requests",
                rereadRequest());
    }
}
