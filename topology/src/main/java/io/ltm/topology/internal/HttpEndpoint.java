package io.ltm.topology.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ltm.topology.api.KeyPlacement;
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
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.HostInfo;

/**
 * HTTP endpoint of a memory node: {@code GET /keys/{key}} (statistics and timeline of a key's memory, as
 * JSON, answered by the instance that owns the key: others forward the request), {@code GET /metrics}
 * (Prometheus text format) and {@code GET /health} (200 when RUNNING or REBALANCING, stream threads are not
 * failing repeatedly and no input partition is stuck, else 503 with the reason; see {@link NodeHealth}). With
 * {@link PicturePages}: {@code GET /} (a
 * page with this instance's keys and a query box), {@code GET /keys/{key}/picture.png?query=TEXT&spans=K} (the picture
 * of the memory, {@link io.ltm.topology.picture.MemoryPicture}), {@code GET /keys/{key}/view?query=TEXT} (a page with
 * the picture and the spans) and {@code GET /view?key=K&query=TEXT} (the form's target, redirects); pictures are
 * forwarded to the owner like the statistics.
 */
public final class HttpEndpoint implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaStreams streams;
    /** Places a key as the node does, so that the instance holding its memory is found. */
    private final StreamPartitioner<String, Object> keys;

    private final HostInfo self;
    private final HttpServer server;
    private final PicturePages pages;
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Something that renders the process's metrics in the Prometheus text format. */
    @FunctionalInterface
    public interface MetricsScraper {
        String scrape();
    }

    /**
     * {@code pages} (may be null) serves the web page and the pictures; {@code placement} finds the instance that holds
     * a key's memory.
     */
    public HttpEndpoint(
            KafkaStreams streams,
            KeyPlacement placement,
            String host,
            int port,
            MetricsScraper metrics,
            NodeHealth health,
            PicturePages pages)
            throws IOException {
        this.streams = streams;
        this.keys = KeyPartitioner.ofStringKeys(placement);
        this.pages = pages;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
        this.self = new HostInfo(host, server.getAddress().getPort());
        server.createContext("/keys/", this::keys);
        if (pages != null) {
            server.createContext("/", this::root);
        }
        server.createContext("/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4", metrics.scrape()));
        server.createContext("/health", ex -> {
            NodeHealth.Report r = health.report(streams);
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
            String rest = ex.getRequestURI().getRawPath().substring("/keys/".length());
            String view = null;
            if (pages != null) {
                for (String suffix : new String[] {"/picture.png", "/view"}) {
                    if (rest.endsWith(suffix)) {
                        view = suffix;
                        rest = rest.substring(0, rest.length() - suffix.length());
                    }
                }
            }
            String key = URLDecoder.decode(rest, StandardCharsets.UTF_8);
            Map<String, String> params = params(ex.getRequestURI().getRawQuery());
            boolean local = "true".equals(params.get("local"));
            KeyQueryMetadata md = streams.queryMetadataForKey(Names.STORE_MEMORY, key, keys);
            HostInfo owner = md == null || md == KeyQueryMetadata.NOT_AVAILABLE ? self : md.activeHost();
            if (!local && !owner.equals(self)) {
                String q = ex.getRequestURI().getRawQuery();
                forward(
                        ex,
                        owner,
                        "/keys/"
                                + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20")
                                + (view == null ? "" : view) + "?local=true" + (q == null ? "" : "&" + q));
                return;
            }
            if (view != null) {
                picture(ex, key, view, params);
                return;
            }
            send(
                    ex,
                    200,
                    "application/json",
                    JSON.writeValueAsString(KeyInspector.describe(streams, key, self.host() + ":" + self.port())));
        } catch (RuntimeException e) {
            send(ex, 503, "application/json", JSON.writeValueAsString(Map.of("error", String.valueOf(e.getMessage()))));
        }
    }

    private void picture(HttpExchange ex, String key, String view, Map<String, String> params) throws IOException {
        String query = params.get("query");
        int spans = parseInt(params.get("spans"), 2);
        if (view.equals("/view")) {
            String page = pages.view(key, query, spans);
            if (page == null) {
                send(
                        ex,
                        404,
                        "text/html; charset=utf-8",
                        "<!DOCTYPE html><html><body><p>no memory of "
                                + io.ltm.topology.picture.MemoryPicture.escape(key)
                                + " here</p><p><a href=\"/\">all keys</a></p></body></html>");
            } else {
                send(ex, 200, "text/html; charset=utf-8", page);
            }
            return;
        }
        io.ltm.topology.picture.MemoryPicture.Data d = pages.data(key, query, spans);
        if (d == null) {
            send(ex, 404, "application/json", JSON.writeValueAsString(Map.of("error", "no memory of " + key)));
            return;
        }
        sendBytes(ex, 200, "image/png", io.ltm.topology.picture.MemoryPicture.png(d));
    }

    private void root(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getRawPath();
            if (path.equals("/") || path.equals("/index.html")) {
                send(ex, 200, "text/html; charset=utf-8", pages.index());
            } else if (path.equals("/view")) {
                Map<String, String> p = params(ex.getRequestURI().getRawQuery());
                String key = p.getOrDefault("key", "");
                String q = p.get("query");
                String loc = "/keys/"
                        + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20") + "/view"
                        + "?spans=" + parseInt(p.get("spans"), 2)
                        + (q == null || q.isBlank() ? "" : "&query=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
                ex.getResponseHeaders().set("Location", loc);
                ex.sendResponseHeaders(303, -1);
                ex.close();
            } else {
                send(ex, 404, "text/plain", "not found");
            }
        } catch (RuntimeException e) {
            send(ex, 503, "application/json", JSON.writeValueAsString(Map.of("error", String.valueOf(e.getMessage()))));
        }
    }

    private static Map<String, String> params(String raw) {
        Map<String, String> m = new java.util.HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String kv : raw.split("&")) {
            int i = kv.indexOf('=');
            String k = URLDecoder.decode(i < 0 ? kv : kv.substring(0, i), StandardCharsets.UTF_8);
            String v = i < 0 ? "" : URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8);
            m.putIfAbsent(k, v);
        }
        return m;
    }

    private static int parseInt(String s, int dflt) {
        try {
            return s == null ? dflt : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private void forward(HttpExchange ex, HostInfo owner, String pathAndQuery) throws IOException {
        URI uri = URI.create("http://" + owner.host() + ":" + owner.port() + pathAndQuery);
        try {
            HttpResponse<byte[]> r = client.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            sendBytes(ex, r.statusCode(), r.headers().firstValue("Content-Type").orElse("application/json"), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + owner, e);
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        sendBytes(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void sendBytes(HttpExchange ex, int status, String type, byte[] b) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        if (pages != null) {
            pages.close();
        }
    }
}
