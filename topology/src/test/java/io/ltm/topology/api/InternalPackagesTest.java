package io.ltm.topology.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The {@code internal} packages are the library's own ({@code package-info} says so): the main code of every module
 * is read, and a class may name one (an import, a qualified name, a {@code {@link}}) only from the library itself or
 * from a module allowed below for a reason. Tests may use them freely.
 */
class InternalPackagesTest {
    private static final Pattern INTERNAL = Pattern.compile("io\\.ltm\\.(\\w+)\\.internal\\b");

    /**
     * Modules whose main code may name an internal package besides its own module's: topology is built on the
     * model's; bench measures the math below the model's API (Half, Basis, the solver) and checks it against the
     * paper's reference (VerifyReference), and its node bench's plain pipeline asks for commits with the node's own
     * CommitPacer, so that node and baseline commit alike; cli's {@code inspect} decodes changelog records with the
     * node's own reader (ChangelogMemory), so that it reads what this release's node writes.
     */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "topology", Set.of("model"),
            "bench", Set.of("model", "topology"),
            "cli", Set.of("topology"));

    @Test
    void internalPackagesAreNamedOnlyByTheLibraryAndTheModulesAllowed() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> violations = new ArrayList<>();
        Set<String> scanned = new TreeSet<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.sorted().toList()) {
                Path sources = module.resolve("src/main/java");
                if (!Files.isDirectory(sources)) continue;
                String name = module.getFileName().toString();
                scanned.add(name);
                violations.addAll(violations(root, sources, name));
            }
        }
        assertThat(scanned).as("modules read").contains("model", "topology", "bench", "cli", "embedded", "test-utils");
        assertThat(violations)
                .as("main classes naming an internal package of another module")
                .isEmpty();
    }

    /** One line per file and internal package that {@code module} may not name. */
    private static List<String> violations(Path root, Path sources, String module) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Set<String> named = new TreeSet<>();
                Matcher m = INTERNAL.matcher(Files.readString(f));
                while (m.find()) named.add(m.group(1));
                for (String owner : named) {
                    if (!owner.equals(module)
                            && !ALLOWED.getOrDefault(module, Set.of()).contains(owner)) {
                        out.add(root.relativize(f) + " names io.ltm." + owner + ".internal");
                    }
                }
            }
        }
        return out;
    }
}
