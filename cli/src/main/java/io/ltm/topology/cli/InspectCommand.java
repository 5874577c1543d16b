package io.ltm.topology.cli;

import ai.djl.Device;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.encoder.EncodedText;
import io.ltm.model.encoder.TextEncoder;
import io.ltm.topology.api.EncoderChoice;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.UserFacingException;
import io.ltm.topology.internal.ChangelogMemory;
import io.ltm.topology.picture.MemoryPicture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ltm inspect KEY [--query TEXT] --out FILE.png|.html}: the picture of a key's memory, read from the memory
 * node's changelog topics (no running node needed), drawn by {@link MemoryPicture}.
 */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description =
                "Draw a key's memory along t in [0,1] (content |X(t)|, timeline, and a query's attention and spans) "
                        + "as PNG or HTML, from the memory node's changelogs.")
final class InspectCommand implements Callable<Integer> {

    @CommandLine.Mixin
    LtmCli.ClientConfigOption config = new LtmCli.ClientConfigOption();

    @Parameters(index = "0", description = "memory key")
    String key;

    @Option(names = "--query", description = "question text: its attention density and spans are drawn too")
    String query;

    @Option(names = "--spans", description = "spans of the query (default ${DEFAULT-VALUE})")
    int spans = 2;

    @Option(names = "--out", required = true, description = "output file: .png or .html")
    Path out;

    @Option(names = "--timeout", description = "seconds to read the changelogs (default ${DEFAULT-VALUE})")
    int timeoutSeconds = 60;

    @Override
    public Integer call() throws Exception {
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean html = name.endsWith(".html") || name.endsWith(".htm");
        if (!html && !name.endsWith(".png")) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--out must end in .png or .html: " + out);
        }
        LtmConfig cfg = config.load();
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        LtmCli.requireCluster(cfg, timeout, LtmConfig.TOPIC_TOKENS);
        MemoryState state = ChangelogMemory.read(cfg, key, timeout);
        if (state == null) {
            throw new UserFacingException("no memory of key '" + key + "' in the changelogs of application.id "
                    + cfg.getString(LtmConfig.APPLICATION_ID));
        }
        MemoryConfig mc = cfg.memoryConfig();
        MemoryPicture.Data data;
        if (query == null || query.isBlank()) {
            data = MemoryPicture.of(key, state, mc, null, null, 0, null, 0, null);
        } else {
            // the picture needs a query vector even when the node itself runs without an encoder
            EncoderChoice enc = cfg.encoder() == EncoderChoice.NONE ? EncoderChoice.MINILM : cfg.encoder();
            try (TextEncoder encoder = enc.create(mc.dim());
                    LongTermMemory engine = LongTermMemory.create(mc, Device.cpu())) {
                EncodedText e = encoder.encode(query);
                data = MemoryPicture.of(key, state, mc, query, e.vectors(), e.count(), e.tokens(), spans, engine);
            }
        }
        if (html) {
            Files.writeString(out, MemoryPicture.html(data), StandardCharsets.UTF_8);
        } else {
            Files.write(out, MemoryPicture.png(data));
        }
        System.out.printf(
                Locale.ROOT,
                "%s: %s, %,d tokens (%d short-term), %d contractions%s%n",
                out,
                key,
                data.tokensAbsorbed(),
                data.shortTermTokens(),
                data.contractions(),
                data.spans().isEmpty()
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                "; top span t = %.3f ± %.3f, tokens %d-%d, score %.2f",
                                data.spans().get(0).mu(),
                                data.spans().get(0).sigma(),
                                data.spans().get(0).tokenStart(),
                                data.spans().get(0).tokenEnd(),
                                data.spans().get(0).score()));
        return 0;
    }
}
