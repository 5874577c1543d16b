package io.ltm.topology;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * A schema registry that is frozen (HTTP 503 to everything) until {@link #up()}; then it knows one schema under
 * {@link #ID} and registers anything under that id.
 */
final class StubRegistry implements AutoCloseable {

    static final int ID = 13;

    private final HttpServer server;
    private final AtomicBoolean up = new AtomicBoolean();
    private final AtomicInteger requests = new AtomicInteger();

    StubRegistry(Schema schema) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            int status;
            String body;
            String path = ex.getRequestURI().getPath();
            if (!up.get()) {
                status = 503;
                body = "{\"error_code\":50301,\"message\":\"frozen\"}";
            } else if (path.equals("/schemas/ids/" + ID)) {
                status = 200;
                body = JsonNodeFactory.instance
                        .objectNode()
                        .put("schema", schema.toString())
                        .toString();
            } else if (path.endsWith("/versions") || path.startsWith("/subjects/")) {
                status = 200;
                body = "{\"id\":" + ID + "}";
            } else {
                status = 404;
                body = "{\"error_code\":40403,\"message\":\"not found\"}";
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int requests() {
        return requests.get();
    }

    void up() {
        up.set(true);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
