package io.ltm.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * In-memory registry for unit tests and {@code TopologyTestDriver} tests, selected by the URL {@code mock://SCOPE}:
 * every client of the same scope shares one registry (like Confluent's {@code MockSchemaRegistry}).
 * Ids are global per scope and the same schema gets the same id under every subject. Compatibility is checked
 * with Avro's {@link SchemaCompatibility}; the default level is BACKWARD (Confluent's default).
 *
 * <p>A test double, yet in the main artifact rather than in test-utils: {@code mock://} is a configuration value that
 * {@link SchemaRegistryClients#fromConfig} resolves, so every serde built from a configuration reaches it, a library
 * user's {@code TopologyTestDriver} test included (Confluent ships its {@code MockSchemaRegistry} in its registry
 * client for the same reason). Moving it would take a look-up by URL scheme here, and this module's own tests, which
 * use it, cannot depend on test-utils, which depends on this module.
 */
public final class MockSchemaRegistryClient implements SchemaRegistryClient {
    private static final Map<String, MockSchemaRegistryClient> SCOPES = new ConcurrentHashMap<>();

    private final String scope;
    private final Map<Integer, Schema> byId = new HashMap<>();
    private final Map<Schema, Integer> idOf = new HashMap<>();
    private final Map<String, List<Integer>> versions = new HashMap<>();
    private final Map<String, Compatibility> subjectLevel = new HashMap<>();
    private Compatibility globalLevel = Compatibility.BACKWARD;
    private int nextId = 1;

    private MockSchemaRegistryClient(String scope) {
        this.scope = scope;
    }

    /** The shared registry of {@code scope}. */
    public static MockSchemaRegistryClient forScope(String scope) {
        return SCOPES.computeIfAbsent(scope, MockSchemaRegistryClient::new);
    }

    /** Forgets the registry of {@code scope} (tests call this between cases). */
    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }

    public String scope() {
        return scope;
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        List<Integer> vs = versions.computeIfAbsent(subject, s -> new ArrayList<>());
        Integer existing = idOf.get(schema);
        if (existing != null && vs.contains(existing)) return existing;
        List<String> problems = incompatibilities(subject, schema);
        if (!problems.isEmpty()) {
            throw new SchemaRegistryException(
                    "Schema being registered is incompatible with an earlier schema for subject \"" + subject + "\" ("
                            + levelOf(subject) + "): " + String.join("; ", problems),
                    409,
                    409);
        }
        int id = existing != null ? existing : nextId++;
        byId.put(id, schema);
        idOf.put(schema, id);
        vs.add(id);
        return id;
    }

    @Override
    public synchronized Schema getById(int id) {
        Schema s = byId.get(id);
        if (s == null)
            throw new SchemaRegistryException("Schema " + id + " not found (mock://" + scope + ")", 404, 40403);
        return s;
    }

    @Override
    public synchronized Optional<Integer> lookup(String subject, Schema schema) {
        Integer id = idOf.get(schema);
        List<Integer> vs = versions.get(subject);
        return id != null && vs != null && vs.contains(id) ? Optional.of(id) : Optional.empty();
    }

    @Override
    public synchronized Optional<RegisteredSchema> latest(String subject) {
        List<Integer> vs = versions.get(subject);
        if (vs == null || vs.isEmpty()) return Optional.empty();
        int id = vs.get(vs.size() - 1);
        return Optional.of(new RegisteredSchema(subject, id, vs.size(), byId.get(id)));
    }

    @Override
    public synchronized boolean testCompatibility(String subject, Schema schema) {
        return incompatibilities(subject, schema).isEmpty();
    }

    @Override
    public synchronized void setCompatibility(String subject, Compatibility level) {
        if (subject == null) globalLevel = level;
        else subjectLevel.put(subject, level);
    }

    @Override
    public synchronized Optional<Compatibility> getCompatibility(String subject) {
        return subject == null ? Optional.of(globalLevel) : Optional.ofNullable(subjectLevel.get(subject));
    }

    @Override
    public synchronized List<String> subjects() {
        return versions.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
    }

    private Compatibility levelOf(String subject) {
        return subjectLevel.getOrDefault(subject, globalLevel);
    }

    private List<String> incompatibilities(String subject, Schema candidate) {
        List<Integer> vs = versions.getOrDefault(subject, List.of());
        if (vs.isEmpty()) return List.of();
        Compatibility level = levelOf(subject);
        if (level == Compatibility.NONE) return List.of();
        boolean transitive = level.name().endsWith("_TRANSITIVE");
        boolean backward = level.name().startsWith("BACKWARD") || level.name().startsWith("FULL");
        boolean forward = level.name().startsWith("FORWARD") || level.name().startsWith("FULL");
        List<Integer> against = transitive ? vs : List.of(vs.get(vs.size() - 1));
        List<String> problems = new ArrayList<>();
        for (int id : against) {
            Schema old = byId.get(id);
            if (backward) check(candidate, old, "new schema cannot read data written with id " + id, problems);
            if (forward)
                check(old, candidate, "schema id " + id + " cannot read data written with the new schema", problems);
        }
        return problems;
    }

    private static void check(Schema reader, Schema writer, String what, List<String> problems) {
        SchemaCompatibility.SchemaPairCompatibility r =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (r.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            problems.add(what + ": "
                    + r.getResult().getIncompatibilities().stream()
                            .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")")
                            .toList());
        }
    }
}
