package io.ltm.topology.internal;

import ai.djl.Device;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.encoder.EncodedText;
import io.ltm.model.encoder.TextEncoder;
import io.ltm.topology.picture.MemoryPicture;
import java.util.List;

/**
 * The node's small web page: the keys this instance holds, a key's picture ({@link MemoryPicture}) and a query box
 * whose answer is drawn on the picture (query encoded by the node's encoder, attention computed on the CPU by an engine
 * of the HTTP threads, never in a stream thread).
 */
public final class PicturePages {

    private final LocalMemories memories;
    private final MemoryConfig config;
    private final TextEncoder encoder;
    private LongTermMemory engine;

    public PicturePages(LocalMemories memories, MemoryConfig config, TextEncoder encoder) {
        this.memories = memories;
        this.config = config;
        this.encoder = encoder;
    }

    List<String> keys() {
        return memories.keys(1000);
    }

    /** The picture's data, or null when this instance has no memory of the key. */
    synchronized MemoryPicture.Data data(String key, String query, int spans) {
        MemoryState s = memories.load(key);
        if (s == null) {
            return null;
        }
        if (query == null || query.isBlank()) {
            return MemoryPicture.of(key, s, config, null, null, 0, null, 0, null);
        }
        if (encoder == null) {
            throw new IllegalStateException(
                    "this node has no text encoder (ltm.encoder=none): it cannot draw a text query");
        }
        EncodedText e = encoder.encode(query);
        if (e.count() == 0) {
            return MemoryPicture.of(key, s, config, null, null, 0, null, 0, null);
        }
        if (engine == null) {
            engine = LongTermMemory.create(config, Device.cpu());
        }
        return MemoryPicture.of(
                key, s, config, query, e.vectors(), e.count(), e.tokens(), Math.max(1, Math.min(8, spans)), engine);
    }

    /** The index page: keys, and a form that shows a key's picture with a query. */
    String index() {
        List<String> keys = keys();
        StringBuilder b = head("LTM memory node");
        b.append("<h1>LTM memory node</h1>\n");
        b.append(form(keys, null, null));
        b.append("<h2>Keys on this instance (").append(keys.size()).append(")</h2>\n<ul id=\"keys\">\n");
        for (String k : keys) {
            b.append("<li><a href=\"/keys/")
                    .append(path(k))
                    .append("/view\">")
                    .append(MemoryPicture.escape(k))
                    .append("</a></li>\n");
        }
        b.append("</ul>\n</body></html>\n");
        return b.toString();
    }

    /** A key's page: the form, the picture and the spans; null when this instance has no memory of the key. */
    String view(String key, String query, int spans) {
        MemoryPicture.Data d = data(key, query, spans);
        if (d == null) {
            return null;
        }
        StringBuilder b = head("LTM memory of " + key);
        b.append("<p><a href=\"/\">all keys</a></p>\n");
        b.append(form(keys(), key, query));
        b.append(MemoryPicture.fragment(d));
        b.append("</body></html>\n");
        return b.toString();
    }

    private static StringBuilder head(String title) {
        return new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
                .append(MemoryPicture.escape(title))
                .append("</title></head><body style=\"font-family:sans-serif\">\n");
    }

    /** GET /view?key=K&query=Q (the endpoint redirects to /keys/K/view?query=Q). */
    private static String form(List<String> keys, String key, String query) {
        StringBuilder b = new StringBuilder(
                "<form id=\"ask\" method=\"get\" action=\"/view\">\n<select name=\"key\" id=\"key\">\n");
        for (String k : keys) {
            b.append("<option")
                    .append(k.equals(key) ? " selected" : "")
                    .append(" value=\"")
                    .append(MemoryPicture.escape(k))
                    .append("\">")
                    .append(MemoryPicture.escape(k))
                    .append("</option>\n");
        }
        b.append(
                        "</select>\n<input type=\"text\" name=\"query\" id=\"text\" size=\"60\" placeholder=\"ask the memory\" value=\"")
                .append(MemoryPicture.escape(query == null ? "" : query))
                .append("\">\n")
                .append("<input type=\"number\" name=\"spans\" value=\"2\" min=\"1\" max=\"8\">\n")
                .append("<button type=\"submit\">show</button>\n</form>\n");
        return b.toString();
    }

    static String path(String key) {
        return java.net.URLEncoder.encode(key, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20");
    }

    synchronized void close() {
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }
}
