package io.ltm.topology.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;

import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;


/**
 * HTTP endpoint of a memory node: {@code GET /keys/{key}} (statistics and timeline of a key's memory, as
 * JSON, answered by the instance that owns the key: others forward the request), {@code GET /metrics}
 * (Prometheus text format) and {@code GET /health} (200 when RUNNING or REBALANCING and stream threads are not
 * failing repeatedly, else 503 with the reason; see {@link NodeHealth}).
 */
public final class HttpEndpoint implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaStreams streams;
    private final HostInfo self;
    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Something that renders the process's metrics in the Prometheus text format. */
    @FunctionalInterface
    public interface MetricsScraper {
        String scrape();
    }

    public HttpEndpoint(KafkaStreams streams, String host, int port, MetricsScraper metrics, NodeHealth health)
            throws IOException {
        this.streams = streams;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
        this.self = new HostInfo(host, server.getAddress().getPort());
        server.createContext("/keys/", this::keys);
        server.createContext("/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4", metrics.scrape()));
        server.createContext("/health", ex -> {
            NodeHealth.Report r = health.report(streams.state());
            send(ex, r.ok() ? 200 : 503, "application/json", JSON.writeValueAsString(r.body()));
        });
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "ltm-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public int port() {
        return self.port();
    }

    private void keys(HttpExchange ex) throws IOException {
        try {
            String key = URLDecoder.decode(ex.getRequestURI().getRawPath().substring("/keys/".length()),
                    StandardCharsets.UTF_8);
            boolean local = String.valueOf(ex.getRequestURI().getQuery()).contains("local=true");
            KeyQueryMetadata md = streams.queryMetadataForKey(Names.STORE_MEMORY, key, new StringSerializer());
            HostInfo owner = md == null || md == KeyQueryMetadata.NOT_AVAILABLE ? self : md.activeHost();
            if (!local && !owner.equals(self)) {
                forward(ex, owner, key);
                return;
            }
            send(ex, 200, "application/json", JSON.writeValueAsString(KeyInspector.describe(streams, key, self.host() + ":" + self.port())));
        } catch (RuntimeException e) {
            send(ex, 503, "application/json", JSON.writeValueAsString(Map.of("error", String.valueOf(e.getMessage()))));
        }
    }

    private void forward(HttpExchange ex, HostInfo owner, String key) throws IOException {
        URI uri = URI.create("http://" + owner.host() + ":" + owner.port() + "/keys/"
                + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20") + "?local=true");
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            send(ex, r.statusCode(), "application/json", r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + owner, e);
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
