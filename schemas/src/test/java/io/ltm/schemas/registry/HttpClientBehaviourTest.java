package io.ltm.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.ltm.schemas.TokenEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a real registry cannot easily show: headers, basic auth, retries on 5xx, caching, error parsing. */
class HttpClientBehaviourTest {
    private HttpServer server;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    /** Lookups of subject "raced-value" that find nothing before the schema shows (its registration answers 409). */
    private final AtomicInteger racedLookupsMissing = new AtomicInteger();
    /** Registrations under "raced-value" that answer 409 before one succeeds (id 29). */
    private final AtomicInteger racedPostsConflicting = new AtomicInteger(Integer.MAX_VALUE);

    private String base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String ct = ex.getRequestHeaders().getFirst("Content-Type");
            seen.add(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + " auth=" + auth + " ct=" + ct);
            ex.getRequestBody().readAllBytes();
            int status;
            String body;
            if (failuresLeft.getAndDecrement() > 0) {
                status = 503;
                body = "{\"error_code\":50301,\"message\":\"try later\"}";
            } else if (ex.getRequestURI().getPath().equals("/sr/subjects/raced-value/versions")) {
                boolean conflict = racedPostsConflicting.getAndDecrement() > 0;
                status = conflict ? 409 : 200;
                body = conflict
                        ? "{\"error_code\":409,\"message\":\"An artifact with ID 'raced-value' already exists.\"}"
                        : "{\"id\":29}";
            } else if (ex.getRequestURI().getPath().equals("/sr/subjects/raced-value")) {
                boolean missing = racedLookupsMissing.getAndDecrement() > 0;
                status = missing ? 404 : 200;
                body = missing ? "{\"error_code\":40403,\"message\":\"Schema not found\"}" : "{\"id\":23}";
            } else if (ex.getRequestURI().getPath().startsWith("/sr/schemas/ids/")) {
                status = 200;
                body = "{\"schema\":"
                        + com.fasterxml.jackson.databind.node.TextNode.valueOf(
                                TokenEvent.getClassSchema().toString()) + "}";
            } else if (ex.getRequestURI().getPath().endsWith("/versions")) {
                status = 200;
                body = "{\"id\":17}";
            } else if (ex.getRequestURI().getPath().startsWith("/sr/config")) {
                status = 422;
                body = "{\"error_code\":42203,\"message\":\"Invalid compatibility level\"}";
            } else {
                status = 500;
                body = "<html>boom</html>";
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort() + "/sr";
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private SchemaRegistryClient client(Map<String, Object> extra) {
        Map<String, Object> cfg = new java.util.HashMap<>(
                Map.of("schema.registry.url", base, "retries.wait.ms", 5, "retries.max.wait.ms", 20));
        cfg.putAll(extra);
        return SchemaRegistryClients.fromConfig(cfg);
    }

    @Test
    void sendsBasicAuthAndContentTypeAndEncodesSubjects() {
        SchemaRegistryClient c =
                client(Map.of("basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "alice:s3cret"));
        assertThat(c.register("a topic/with odd-value", TokenEvent.getClassSchema()))
                .isEqualTo(17);
        assertThat(seen)
                .singleElement()
                .asString()
                .startsWith("POST /sr/subjects/a%20topic%2Fwith%20odd-value/versions")
                .contains("auth=Basic YWxpY2U6czNjcmV0")
                .contains("ct=application/vnd.schemaregistry.v1+json");
    }

    @Test
    void userInfoFromTheUrl() {
        SchemaRegistryClient c = SchemaRegistryClients.fromConfig(Map.of(
                "schema.registry.url",
                base.replace("http://", "http://bob:pw@"),
                "basic.auth.credentials.source",
                "URL"));
        c.getById(3);
        assertThat(seen).singleElement().asString().contains("auth=Basic Ym9iOnB3");
    }

    @Test
    void retriesServerErrorsWithBackoffThenSucceedsAndCaches() {
        failuresLeft.set(2);
        SchemaRegistryClient c = client(Map.of("max.retries", 3));
        assertThat(c.getById(5)).isEqualTo(TokenEvent.getClassSchema());
        assertThat(seen).hasSize(3);
        c.getById(5); // cached
        assertThat(c.register("t-value", TokenEvent.getClassSchema())).isEqualTo(17);
        c.register("t-value", TokenEvent.getClassSchema()); // cached
        assertThat(seen).hasSize(4);
    }

    @Test
    void aConflictingRegistrationLooksTheSchemaUpAndPostsAgainUntilOneAnswersThenGivesUp() {
        racedLookupsMissing.set(2);
        assertThat(client(Map.of("max.retries", 3)).register("raced-value", TokenEvent.getClassSchema()))
                .isEqualTo(23);
        // the POST, then twice a lookup that found nothing and the POST again (409), then the lookup that found it
        assertThat(seen).hasSize(6);

        racedLookupsMissing.set(100); // the winner's schema is another one: this one is never found by a lookup
        racedPostsConflicting.set(1); // but once the winner's artifact exists, posting again adds it
        seen.clear();
        assertThat(client(Map.of("max.retries", 3)).register("raced-value", TokenEvent.getClassSchema()))
                .isEqualTo(29);
        assertThat(seen).hasSize(3); // the POST (409), a lookup that found nothing, the POST that registered it

        racedPostsConflicting.set(Integer.MAX_VALUE); // an incompatible schema: never found, always 409
        seen.clear();
        assertThatThrownBy(() -> client(Map.of("max.retries", 2)).register("raced-value", TokenEvent.getClassSchema()))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("409");
        assertThat(seen).hasSize(6); // the POST, 3 lookups, and 2 POSTs between them
    }

    @Test
    void givesUpAfterMaxRetriesWithStatusAndErrorCode() {
        failuresLeft.set(100);
        SchemaRegistryClient c = client(Map.of("max.retries", 2));
        assertThatThrownBy(() -> c.getById(5))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("HTTP 503")
                .hasMessageContaining("error_code 50301")
                .hasMessageContaining("try later")
                .hasMessageContaining("after 3 attempts")
                .satisfies(e ->
                        assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(50301));
        assertThat(seen).hasSize(3);
    }

    @Test
    void anUnreachableRegistryIsRetriableAndNeverReadsAsAnUnknownSchemaId() throws IOException {
        // nothing listens on this port: connection refused on every attempt
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, Object> cfg = Map.of(
                "schema.registry.url",
                "http://127.0.0.1:" + port,
                "max.retries",
                1,
                "retries.wait.ms",
                5,
                "retries.max.wait.ms",
                20);
        io.ltm.schemas.serde.AvroSerde<TokenEvent> serde = io.ltm.schemas.serde.LtmSerdes.avro(TokenEvent.class, cfg);
        byte[] wellFormed = {0, 0, 0, 0, 13, 0};
        assertThatThrownBy(() -> serde.deserializer().deserialize("ltm.events", wellFormed))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageNotContaining("not in the schema registry")
                .satisfies(
                        e -> assertThat(SchemaRegistryUnavailableException.isCause(new RuntimeException("wrapped", e)))
                                .isTrue());
    }

    @Test
    void aRegistryThatRefusesTheReaderIsAFaultOfTheSetupNotOfTheRecord() throws IOException {
        HttpServer refusing = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        refusing.createContext("/", ex -> {
            byte[] b = "{\"error_code\":40101,\"message\":\"Unauthorized\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(401, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        refusing.start();
        try {
            io.ltm.schemas.serde.AvroSerde<TokenEvent> serde = io.ltm.schemas.serde.LtmSerdes.avro(
                    TokenEvent.class,
                    Map.of(
                            "schema.registry.url",
                            "http://127.0.0.1:" + refusing.getAddress().getPort()));
            assertThatThrownBy(() -> serde.deserializer().deserialize("ltm.events", new byte[] {0, 0, 0, 0, 13, 0}))
                    .isInstanceOf(SchemaRegistryUnavailableException.class)
                    .hasMessageContaining("HTTP 401")
                    .hasMessageNotContaining("not in the schema registry");
        } finally {
            refusing.stop(0);
        }
    }

    @Test
    void aRealNotFoundIsNotRetriable() {
        SchemaRegistryClient c = SchemaRegistryClients.fromConfig(Map.of("schema.registry.url", "mock://nf-x"));
        assertThatThrownBy(() -> c.getById(4242))
                .isInstanceOf(SchemaRegistryException.class)
                .isNotInstanceOf(SchemaRegistryUnavailableException.class)
                .satisfies(e ->
                        assertThat(((SchemaRegistryException) e).isNotFound()).isTrue());
        io.ltm.schemas.serde.AvroSerde<TokenEvent> serde =
                io.ltm.schemas.serde.LtmSerdes.avro(TokenEvent.class, Map.of("schema.registry.url", "mock://nf-x"));
        assertThatThrownBy(() -> serde.deserializer().deserialize("ltm.events", new byte[] {0, 0, 0, 0x10, 0x12, 0}))
                .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class)
                .hasMessageContaining("unknown schema id 4114 (not in the schema registry)");
        MockSchemaRegistryClient.dropScope("nf-x");
    }

    @Test
    void clientErrorsAreNotRetried() {
        SchemaRegistryClient c = client(Map.of());
        assertThatThrownBy(() -> c.setCompatibility(null, Compatibility.FULL))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("HTTP 422")
                .hasMessageContaining("42203");
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0)).startsWith("PUT /sr/config ");
    }

    @Test
    void nonJsonErrorBodyIsKept() {
        SchemaRegistryClient c = client(Map.of("max.retries", 0));
        assertThatThrownBy(() -> c.subjects())
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("HTTP 500")
                .hasMessageContaining("<html>boom</html>");
    }

    @Test
    void mockUrlsShareOneRegistryPerScope() {
        SchemaRegistryClient a = SchemaRegistryClients.fromConfig(Map.of("schema.registry.url", "mock://shared-x"));
        SchemaRegistryClient b = SchemaRegistryClients.fromConfig(Map.of("schema.registry.url", "mock://shared-x"));
        SchemaRegistryClient other = SchemaRegistryClients.fromConfig(Map.of("schema.registry.url", "mock://other-x"));
        int id = a.register("s", TokenEvent.getClassSchema());
        assertThat(b.getById(id)).isEqualTo(TokenEvent.getClassSchema());
        assertThat(other.lookup("s", TokenEvent.getClassSchema())).isEmpty();
        MockSchemaRegistryClient.dropScope("shared-x");
        MockSchemaRegistryClient.dropScope("other-x");
    }

    @Test
    void missingUrlIsAClearConfigError() {
        assertThatThrownBy(() -> SchemaRegistryClients.fromConfig(Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema.registry.url");
    }
}
