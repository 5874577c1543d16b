package io.ltm.topology.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The start-up check of the registry's credentials. */
class RegistryCheckTest {

    private static final String PASSWORD = "pw-that-must-not-show";

    @Test
    void aRegistryThatAnswers401StopsTheStartWithOneLineWithoutThePassword() throws Exception {
        HttpServer server = registry(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
        try {
            String url =
                    "http://u:" + PASSWORD + "@127.0.0.1:" + server.getAddress().getPort() + "/apis/ccompat/v7";
            LtmConfig config = new LtmConfig(Map.of(LtmConfig.SCHEMA_REGISTRY_URL, url));
            assertThatThrownBy(() -> RegistryCheck.requireAccess(config))
                    .isInstanceOf(UserFacingException.class)
                    .hasMessage("the schema registry at http://127.0.0.1:"
                            + server.getAddress().getPort()
                            + "/apis/ccompat/v7 refused our credentials (HTTP 401): set basic.auth.user.info="
                            + "user:password (README, Security)");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aRegistryThatAnswersOrDoesNotAnswerAtAllPasses() throws Exception {
        HttpServer server = registry(200, "[]");
        try {
            RegistryCheck.requireAccess(new LtmConfig(Map.of(
                    LtmConfig.SCHEMA_REGISTRY_URL,
                    "http://127.0.0.1:" + server.getAddress().getPort())));
        } finally {
            server.stop(0);
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        // down is not refused: the node and the workers wait for the registry, as in an outage
        RegistryCheck.requireAccess(new LtmConfig(Map.of(LtmConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:" + closed)));
        RegistryCheck.requireAccess(new LtmConfig(Map.of(LtmConfig.SCHEMA_REGISTRY_URL, "mock://registry-check")));
    }

    @Test
    void userInfoIsCutFromEveryUrl() {
        assertThat(RegistryCheck.withoutUserInfo("http://a:b@h:1/x,https://c:d@k/y,http://plain:2"))
                .isEqualTo("http://h:1/x,https://k/y,http://plain:2");
    }

    private static HttpServer registry(int status, String body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, b.length);
            exchange.getResponseBody().write(b);
            exchange.close();
        });
        server.start();
        return server;
    }
}
