package io.ltm.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of the public Confluent Schema Registry REST API over {@link java.net.http.HttpClient}.
 *
 * <ul>
 *   <li>content type {@code application/vnd.schemaregistry.v1+json};</li>
 *   <li>caches id → schema, (subject, schema) → id; both are immutable facts in a registry;</li>
 *   <li>HTTP basic auth (user info given explicitly or taken from the URL);</li>
 *   <li>TLS through a {@link SSLContext} (default: the JVM's, i.e. {@code javax.net.ssl.trustStore} etc.);</li>
 *   <li>retries with exponential backoff and jitter on 5xx, 408, 429 and I/O errors, rotating over several URLs;</li>
 *   <li>failures throw {@link SchemaRegistryException} with the HTTP status, {@code error_code} and message;
 *       when the retries are used up on retriable failures, {@link SchemaRegistryUnavailableException}.</li>
 * </ul>
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
    private static final Logger LOG = LoggerFactory.getLogger(HttpSchemaRegistryClient.class);
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Connection settings; see {@link SchemaRegistryClients#fromConfig(Map)} for the configuration keys. */
    public record Options(
            List<String> baseUrls,
            String userInfo,
            SSLContext sslContext,
            int maxRetries,
            Duration retryWait,
            Duration retryMaxWait,
            Duration connectTimeout,
            Duration requestTimeout) {
        public Options {
            if (baseUrls == null || baseUrls.isEmpty()) {
                throw new IllegalArgumentException("at least one schema registry URL is needed");
            }
            baseUrls = List.copyOf(baseUrls);
            if (maxRetries < 0) throw new IllegalArgumentException("maxRetries < 0");
            Objects.requireNonNull(retryWait);
            Objects.requireNonNull(retryMaxWait);
            Objects.requireNonNull(connectTimeout);
            Objects.requireNonNull(requestTimeout);
        }

        public static Options of(String url) {
            return new Options(
                    List.of(url),
                    null,
                    null,
                    3,
                    Duration.ofMillis(200),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(30));
        }
    }

    private final Options options;
    private final List<String> baseUrls;
    private final String authorization;
    private final HttpClient http;
    private final AtomicInteger urlIndex = new AtomicInteger();
    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
    private final Map<Schema, Integer> idBySchema = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idBySubjectSchema = new ConcurrentHashMap<>();

    public HttpSchemaRegistryClient(String url) {
        this(Options.of(url));
    }

    public HttpSchemaRegistryClient(Options options) {
        this.options = options;
        List<String> urls = new ArrayList<>();
        String userInfo = options.userInfo();
        for (String u : options.baseUrls()) {
            URI uri = URI.create(u.trim());
            if (uri.getScheme() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                // the scheme only: the rest may hold user:password
                throw new IllegalArgumentException(
                        "schema registry URL must be http(s)://..., not " + uri.getScheme() + "://...");
            }
            if (uri.getRawUserInfo() != null) {
                if (userInfo == null) {
                    userInfo = java.net.URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8);
                }
                String s = uri.toString();
                s = s.replace(uri.getRawUserInfo() + "@", "");
                uri = URI.create(s);
            }
            String s = uri.toString();
            while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
            urls.add(s);
        }
        this.baseUrls = List.copyOf(urls);
        this.authorization = userInfo == null || userInfo.isEmpty()
                ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        HttpClient.Builder b = HttpClient.newBuilder()
                .connectTimeout(options.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL);
        if (options.sslContext() != null) b.sslContext(options.sslContext());
        this.http = b.build();
    }

    /** The first base URL (without user info). */
    public String baseUrl() {
        return baseUrls.get(0);
    }

    @Override
    public int register(String subject, Schema schema) {
        Map<Schema, Integer> bySchema = idBySubjectSchema.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = bySchema.get(schema);
        if (cached != null) return cached;
        try {
            return registered(subject, schema, post(subject, schema));
        } catch (SchemaRegistryException e) {
            // Two clients registering a new subject at once, or a POST retried after a timeout whose first try
            // succeeded: Apicurio answers with 409 "already exists", and the winner's version may become visible a
            // moment later. So look it up, with the retries' backoff.
            if (e.status() == 409) {
                return afterConflict(subject, schema, e);
            }
            throw e;
        }
    }

    private JsonNode post(String subject, Schema schema) {
        return call("POST", "/subjects/" + enc(subject) + "/versions", schemaBody(schema));
    }

    /** The id of the subject's schema in the registry's answer (to a registration or a lookup), kept for later calls. */
    private int registered(String subject, Schema schema, JsonNode answer) {
        int id = requiredInt(answer, "id");
        idBySubjectSchema.get(subject).put(schema, id);
        remember(id, schema);
        return id;
    }

    /**
     * Looks the schema up; while it is not found, posts it again: once the winner's artifact exists, that adds this
     * schema as a version of it (or answers the id of the same schema, which a slow lookup had not shown yet). Another
     * 409 is the race still going on, or a schema the subject's compatibility refuses: after the retries, that 409.
     */
    private int afterConflict(String subject, Schema schema, SchemaRegistryException conflict) {
        SchemaRegistryException last = conflict;
        for (int attempt = 0; ; attempt++) {
            Optional<Integer> id = lookup(subject, schema);
            if (id.isPresent()) return id.get();
            if (attempt >= options.maxRetries()) throw last;
            backOff(backoffMillis(attempt), last);
            try {
                return registered(subject, schema, post(subject, schema));
            } catch (SchemaRegistryException e) {
                if (e.status() != 409) throw e;
                last = e;
            }
        }
    }

    /** Sleeps {@code millis} before a retry; interrupted, keeps the flag and throws {@code failure}. */
    private static void backOff(long millis, SchemaRegistryException failure) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure;
        }
    }

    @Override
    public Schema getById(int id) {
        Schema cached = schemaById.get(id);
        if (cached != null) return cached;
        JsonNode answer = call("GET", "/schemas/ids/" + id, null);
        Schema schema = parse(answer, "id " + id);
        remember(id, schema);
        return schema;
    }

    @Override
    public Optional<Integer> lookup(String subject, Schema schema) {
        Map<Schema, Integer> bySchema = idBySubjectSchema.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = bySchema.get(schema);
        if (cached != null) return Optional.of(cached);
        try {
            return Optional.of(
                    registered(subject, schema, call("POST", "/subjects/" + enc(subject), schemaBody(schema))));
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) return Optional.empty();
            throw e;
        }
    }

    @Override
    public Optional<RegisteredSchema> latest(String subject) {
        try {
            JsonNode answer = call("GET", "/subjects/" + enc(subject) + "/versions/latest", null);
            Schema schema = parse(answer, "subject " + subject);
            int id = requiredInt(answer, "id");
            remember(id, schema);
            return Optional.of(new RegisteredSchema(subject, id, requiredInt(answer, "version"), schema));
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) return Optional.empty();
            throw e;
        }
    }

    @Override
    public boolean testCompatibility(String subject, Schema schema) {
        try {
            JsonNode answer =
                    call("POST", "/compatibility/subjects/" + enc(subject) + "/versions/latest", schemaBody(schema));
            JsonNode v = answer.get("is_compatible");
            if (v == null || !v.isBoolean()) {
                throw new SchemaRegistryException("schema registry answered without is_compatible: " + answer, 200, 0);
            }
            return v.booleanValue();
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) return true; // no version yet: anything may be registered
            throw e;
        }
    }

    @Override
    public void setCompatibility(String subject, Compatibility level) {
        ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
        call("PUT", subject == null ? "/config" : "/config/" + enc(subject), body);
    }

    @Override
    public Optional<Compatibility> getCompatibility(String subject) {
        try {
            JsonNode answer = call("GET", subject == null ? "/config" : "/config/" + enc(subject), null);
            JsonNode v =
                    answer.has("compatibilityLevel") ? answer.get("compatibilityLevel") : answer.get("compatibility");
            return v == null || v.isNull() ? Optional.empty() : Optional.of(Compatibility.valueOf(v.asText()));
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) return Optional.empty();
            throw e;
        }
    }

    @Override
    public List<String> subjects() {
        JsonNode answer = call("GET", "/subjects", null);
        List<String> out = new ArrayList<>();
        answer.forEach(n -> out.add(n.asText()));
        return out;
    }

    private void remember(int id, Schema schema) {
        schemaById.putIfAbsent(id, schema);
        idBySchema.putIfAbsent(schema, id);
    }

    private static ObjectNode schemaBody(Schema schema) {
        // no schemaType: AVRO is the default of the API, and older servers reject the field
        return JSON.createObjectNode().put("schema", schema.toString());
    }

    private static Schema parse(JsonNode answer, String what) {
        JsonNode s = answer.get("schema");
        if (s == null || !s.isTextual()) {
            throw new SchemaRegistryException(
                    "schema registry answer for " + what + " has no schema: " + answer, 200, 0);
        }
        JsonNode type = answer.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
            throw new SchemaRegistryException("schema " + what + " is " + type.asText() + ", not AVRO", 200, 0);
        }
        try {
            return new Schema.Parser().parse(s.asText());
        } catch (RuntimeException e) {
            throw new SchemaRegistryException(
                    "schema " + what + " from the registry is not valid Avro: " + e.getMessage(), 200, 0, e);
        }
    }

    private static int requiredInt(JsonNode answer, String field) {
        JsonNode v = answer.get(field);
        if (v == null || !v.canConvertToInt()) {
            throw new SchemaRegistryException(
                    "schema registry answer has no integer '" + field + "': " + answer, 200, 0);
        }
        return v.intValue();
    }

    static String enc(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode call(String method, String path, JsonNode body) {
        String payload = body == null ? null : body.toString();
        int attempts = options.maxRetries() + 1;
        SchemaRegistryException last = null;
        int start = Math.floorMod(urlIndex.get(), baseUrls.size());
        for (int attempt = 0; attempt < attempts; attempt++) {
            int idx = (start + attempt) % baseUrls.size();
            String url = baseUrls.get(idx) + path;
            HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url))
                    .timeout(options.requestTimeout())
                    .header("Accept", CONTENT_TYPE + ", application/json")
                    .method(
                            method,
                            payload == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8));
            if (payload != null) rb.header("Content-Type", CONTENT_TYPE);
            if (authorization != null) rb.header("Authorization", authorization);
            try {
                HttpResponse<String> resp =
                        http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int status = resp.statusCode();
                if (status >= 200 && status < 300) {
                    urlIndex.set(idx);
                    String text = resp.body();
                    return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
                }
                last = error(method, url, status, resp.body());
                if (!(status >= 500 || status == 408 || status == 429)) throw last;
            } catch (IOException e) {
                last = new SchemaRegistryException(
                        "schema registry " + method + " " + url + " failed: "
                                + e.getClass().getSimpleName() + ": " + e.getMessage(),
                        0,
                        0,
                        e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted during schema registry " + method + " " + url, 0, 0, e);
            }
            if (attempt + 1 < attempts) {
                long wait = backoffMillis(attempt);
                LOG.debug(
                        "schema registry call failed ({}), retry {} of {} in {} ms",
                        last.getMessage(),
                        attempt + 1,
                        options.maxRetries(),
                        wait);
                backOff(wait, last);
            }
        }
        // only retriable failures get here (others were thrown at once): the registry did not answer, which
        // says nothing about the data, so callers must retry rather than reject
        throw new SchemaRegistryUnavailableException(
                last.getMessage() + " (after " + attempts + " attempts)",
                last.status(),
                last.errorCode(),
                last.getCause());
    }

    long backoffMillis(int attempt) {
        long base = options.retryWait().toMillis();
        long max = options.retryMaxWait().toMillis();
        long exp = Math.min(max, base << Math.min(attempt, 20));
        // full jitter on the upper half keeps retries of many clients apart
        return exp / 2 + ThreadLocalRandom.current().nextLong(exp / 2 + 1);
    }

    private static SchemaRegistryException error(String method, String url, int status, String body) {
        int code = 0;
        String message = body;
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.isObject()) {
                if (n.has("error_code")) code = n.get("error_code").asInt();
                if (n.has("message")) message = n.get("message").asText();
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON: keep the raw body
        }
        if (message != null && message.length() > 2000) message = message.substring(0, 2000) + "...";
        return new SchemaRegistryException(
                "schema registry " + method + " " + url + " failed: HTTP " + status + ", error_code " + code + ": "
                        + message,
                status,
                code);
    }
}
