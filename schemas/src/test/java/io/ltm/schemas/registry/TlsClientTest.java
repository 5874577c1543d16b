package io.ltm.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.ltm.schemas.TokenEvent;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS through {@code schema.registry.ssl.truststore.*}: a self-signed server is trusted only with the truststore. */
class TlsClientTest {
    @TempDir
    Path dir;

    private void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0)
                .as("keytool %s: %s", cmd, out)
                .isTrue();
    }

    @Test
    void trustsTheServerOnlyWithTheConfiguredTruststore() throws Exception {
        Path ks = dir.resolve("server.p12");
        Path cert = dir.resolve("server.crt");
        Path ts = dir.resolve("trust.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "sr",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                ks.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit");
        keytool(
                "-exportcert",
                "-alias",
                "sr",
                "-keystore",
                ks.toString(),
                "-storepass",
                "changeit",
                "-file",
                cert.toString());
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "sr",
                "-file",
                cert.toString(),
                "-storetype",
                "PKCS12",
                "-keystore",
                ts.toString(),
                "-storepass",
                "trustpw");

        KeyStore serverKs = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            serverKs.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(serverKs, "changeit".toCharArray());
        SSLContext serverCtx = SSLContext.getInstance("TLS");
        serverCtx.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverCtx));
        server.createContext("/", ex -> {
            byte[] b = ("{\"schema\":"
                            + com.fasterxml.jackson.databind.node.TextNode.valueOf(
                                    TokenEvent.getClassSchema().toString())
                            + "}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.start();
        try {
            String url = "https://127.0.0.1:" + server.getAddress().getPort();
            SchemaRegistryClient trusting = SchemaRegistryClients.fromConfig(Map.of(
                    "schema.registry.url",
                    url,
                    "schema.registry.ssl.truststore.location",
                    ts.toString(),
                    "schema.registry.ssl.truststore.password",
                    "trustpw",
                    "schema.registry.ssl.truststore.type",
                    "PKCS12"));
            assertThat(trusting.getById(1)).isEqualTo(TokenEvent.getClassSchema());

            SchemaRegistryClient defaultTrust =
                    SchemaRegistryClients.fromConfig(Map.of("schema.registry.url", url, "max.retries", 0));
            assertThatThrownBy(() -> defaultTrust.getById(1))
                    .isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("SSLHandshakeException")
                    .satisfies(e ->
                            assertThat(((SchemaRegistryException) e).status()).isZero());
        } finally {
            server.stop(0);
        }
    }
}
