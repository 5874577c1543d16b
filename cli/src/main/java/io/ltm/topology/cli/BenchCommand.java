package io.ltm.topology.cli;

import io.ltm.topology.bench.AttentionBench;
import io.ltm.topology.bench.NodeBench;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Benchmarks (never tests): each prints JSON with the numbers and the device they were measured on. */
@Command(
        name = "bench",
        description = "Benchmarks: math (memory update and reads), encoder (tokens/s by batch), "
                + "attention (the attention worker's reads by batch size, resident and from snapshots, next to the copy-bandwidth "
                + "bound), node (ingest throughput and "
                + "query latency of the memory node on an embedded broker, next to a plain stateful Streams topology), retrieval "
                + "(labelled questions over real text: does the top span point at the answer?), recall (planted needles in long "
                + "Debian text streams: the memory against equal-bytes baselines), sorting (the paper's sorting-by-frequency task, "
                + "read zero-shot, against equal-bytes baselines).",
        modelTransformer = BenchCommand.PassOptions.class)
final class BenchCommand implements Callable<Integer> {

    /** Everything after the benchmark's name (e.g. {@code --events 800}) goes to the benchmark unparsed. */
    static final class PassOptions implements CommandLine.IModelTransformer {
        @Override
        public CommandLine.Model.CommandSpec transform(CommandLine.Model.CommandSpec spec) {
            spec.parser().stopAtPositional(true);
            return spec;
        }
    }

    @Parameters(index = "0", description = "math, encoder, attention, node, retrieval, recall or sorting")
    String which;

    @Parameters(index = "1..*", description = "arguments of the benchmark")
    List<String> args = List.of();

    @Override
    public Integer call() throws Exception {
        String[] a = args.toArray(String[]::new);
        switch (which) {
            case "math" -> io.ltm.model.tools.MathBench.main(a);
            case "encoder" -> io.ltm.model.encoder.EncoderBench.main(a);
            case "attention" -> AttentionBench.main(a);
            case "node" -> NodeBench.main(a);
            case "retrieval" -> io.ltm.model.tools.RetrievalBench.main(a);
            case "recall" -> io.ltm.model.tools.RecallBench.main(a);
            case "sorting" -> io.ltm.model.tools.SortingBench.main(a);
            default -> {
                System.err.println("unknown benchmark '" + which
                        + "': math, encoder, attention, node, retrieval, recall or sorting");
                return 2;
            }
        }
        return 0;
    }
}
