package io.ltm.schemas.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds a {@link SchemaRegistryClient} from the usual Confluent client/serde configuration keys.
 *
 * <table>
 *   <caption>configuration</caption>
 *   <tr><td>{@code schema.registry.url}</td><td>comma-separated {@code http(s)://} base URLs (failover), or
 *       {@code mock://SCOPE} for the in-memory registry</td></tr>
 *   <tr><td>{@code basic.auth.credentials.source}</td><td>{@code USER_INFO} (default when user info is set) or
 *       {@code URL} (user info inside the URL)</td></tr>
 *   <tr><td>{@code basic.auth.user.info}</td><td>{@code user:password}</td></tr>
 *   <tr><td>{@code schema.registry.ssl.truststore.location/.password/.type},
 *       {@code schema.registry.ssl.keystore.location/.password/.type}, {@code schema.registry.ssl.key.password}</td>
 *       <td>TLS stores; without them the JVM default SSLContext ({@code javax.net.ssl.*} properties)</td></tr>
 *   <tr><td>{@code max.retries} (3), {@code retries.wait.ms} (200), {@code retries.max.wait.ms} (5000)</td>
 *       <td>retries with exponential backoff on 5xx/408/429/I/O errors</td></tr>
 *   <tr><td>{@code http.connect.timeout.ms} (10000), {@code http.read.timeout.ms} (30000)</td><td>timeouts</td></tr>
 * </table>
 * Keys are also accepted with a {@code schema.registry.} prefix (e.g. {@code schema.registry.max.retries}).
 */
public final class SchemaRegistryClients {
    public static final String URL = "schema.registry.url";
    public static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String USER_INFO = "basic.auth.user.info";
    public static final String MAX_RETRIES = "max.retries";
    public static final String RETRIES_WAIT_MS = "retries.wait.ms";
    public static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";
    public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    public static final String READ_TIMEOUT_MS = "http.read.timeout.ms";
    public static final String SSL_PREFIX = "schema.registry.ssl.";
    public static final String MOCK_SCHEME = "mock://";

    private SchemaRegistryClients() {}

    public static SchemaRegistryClient fromConfig(Map<String, ?> config) {
        String urls = string(config, URL, null);
        if (urls == null || urls.isBlank()) {
            throw new IllegalArgumentException("missing configuration " + URL
                    + " (http(s)://host:port[/path] of a Confluent-compatible schema registry, or mock://SCOPE)");
        }
        urls = urls.trim();
        if (urls.startsWith(MOCK_SCHEME)) {
            return MockSchemaRegistryClient.forScope(urls.substring(MOCK_SCHEME.length()));
        }
        List<String> list = Arrays.stream(urls.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
        String source = string(config, CREDENTIALS_SOURCE, null);
        String userInfo = string(config, USER_INFO, null);
        if (source != null) {
            switch (source.trim().toUpperCase()) {
                case "USER_INFO" -> {
                    if (userInfo == null)
                        throw new IllegalArgumentException(CREDENTIALS_SOURCE + "=USER_INFO needs " + USER_INFO);
                }
                case "URL" -> userInfo = null; // taken from the URL by the client
                default ->
                    throw new IllegalArgumentException(
                            "unsupported " + CREDENTIALS_SOURCE + "=" + source + " (USER_INFO or URL)");
            }
        }
        return new HttpSchemaRegistryClient(new HttpSchemaRegistryClient.Options(
                list,
                userInfo,
                sslContext(config),
                intValue(config, MAX_RETRIES, 3),
                Duration.ofMillis(intValue(config, RETRIES_WAIT_MS, 200)),
                Duration.ofMillis(intValue(config, RETRIES_MAX_WAIT_MS, 5000)),
                Duration.ofMillis(intValue(config, CONNECT_TIMEOUT_MS, 10000)),
                Duration.ofMillis(intValue(config, READ_TIMEOUT_MS, 30000))));
    }

    static SSLContext sslContext(Map<String, ?> config) {
        String trustLoc = string(config, SSL_PREFIX + "truststore.location", null);
        String keyLoc = string(config, SSL_PREFIX + "keystore.location", null);
        if (trustLoc == null && keyLoc == null) return null; // JVM default
        try {
            TrustManagerFactory tmf = null;
            if (trustLoc != null) {
                KeyStore ts = load(
                        trustLoc,
                        string(config, SSL_PREFIX + "truststore.type", "PKCS12"),
                        string(config, SSL_PREFIX + "truststore.password", null));
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ts);
            }
            KeyManagerFactory kmf = null;
            if (keyLoc != null) {
                String storePw = string(config, SSL_PREFIX + "keystore.password", null);
                KeyStore ks = load(keyLoc, string(config, SSL_PREFIX + "keystore.type", "PKCS12"), storePw);
                String keyPw = string(config, SSL_PREFIX + "key.password", storePw);
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, keyPw == null ? null : keyPw.toCharArray());
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS for the schema registry: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(String location, String type, String password)
            throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            ks.load(in, password == null ? null : password.toCharArray());
        }
        return ks;
    }

    static String string(Map<String, ?> config, String key, String dflt) {
        Object v = config.get(key);
        if (v == null && !key.startsWith("schema.registry.")) v = config.get("schema.registry." + key);
        if (v == null) return dflt;
        if (v instanceof org.apache.kafka.common.config.types.Password p) return p.value();
        if (v instanceof List<?> l)
            return String.join(",", l.stream().map(String::valueOf).toList());
        return String.valueOf(v);
    }

    static int intValue(Map<String, ?> config, String key, int dflt) {
        String s = string(config, key, null);
        if (s == null) return dflt;
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("configuration " + key + " must be an integer: " + s);
        }
    }
}
