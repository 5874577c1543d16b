package io.ltm.topology.cli;

import java.util.List;
import java.util.concurrent.Callable;

import io.ltm.topology.bench.AttentionBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Benchmarks (never tests): each prints JSON with the numbers and the device they were measured on. */
@Command(name = "bench", description = "Benchmarks: math (memory update and reads), encoder (tokens/s by batch), "
        + "attention (batched reads across keys, next to a plain matmul of the same work).")
final class BenchCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "math, encoder or attention")
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
            default -> {
                System.err.println("unknown benchmark '" + which + "': math, encoder or attention");
                return 2;
            }
        }
        return 0;
    }
}
