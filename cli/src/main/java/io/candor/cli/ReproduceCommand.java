package io.candor.cli;

import io.candor.interop.io.AtomicFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code candor reproduce}: reruns a paper's experiments with Candor's own commands. */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = "Reruns a paper's experiments with Candor's commands and writes the table.",
        subcommands = ReproduceCommand.Cdep.class)
final class ReproduceCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "cdep", mixinStandardHelpOptions = true,
            description = {"The CDEP paper's synthetic benchmarks (Rieger et al. 2020): vanilla training, CDEP, RRR and",
                "Expected Gradients on decoy-digits, vanilla and CDEP on color-digits and decoy-text, plus fine-tuning the vanilla",
                "decoy-digits model after its convolutions with and without CDEP. Writes DIR/results.md and",
                "DIR/results.json (accuracy mean and standard deviation over seeds, the lambda, seconds per epoch,",
                "peak resident memory, and the command of each row), the data, models and a log per command.",
                "--quick: one seed, smaller data and fewer epochs, a few minutes on two cores; the full run takes",
                "hours."})
    static final class Cdep implements Callable<Integer> {
        @Option(names = "--quick", description = "One seed, smaller data, fewer epochs (minutes, not hours).")
        boolean quick;

        @Option(names = "--seeds", paramLabel = "N", description = "Seeds per method (default 1 with --quick, else 5).")
        Integer seeds;

        @Option(names = "--out", defaultValue = "reproduce-cdep", paramLabel = "DIR",
                description = "Where to write results, data, models and logs (default ${DEFAULT-VALUE}).")
        Path out;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            int n = seeds != null ? seeds : quick ? 1 : 5;
            OptionChecks.of(spec).positive("--seeds", n);
            PrintWriter pw = spec.commandLine().getOut();
            Reproduction reproduction = new Reproduction(out, pw);
            List<Map<String, Object>> rows = new ArrayList<>();
            Map<String, List<Reproduction.Run>> vanilla = new LinkedHashMap<>();
            long start = System.nanoTime();
            for (CdepBenchmarks.Benchmark b : CdepBenchmarks.benchmarks(quick)) {
                pw.printf("%s (%s accuracy):%n", b.name(), b.split());
                Path data = out.resolve("data").resolve(b.name());
                List<String> make = new ArrayList<>(List.of("data", "make", b.name(), "--out", data.toString()));
                make.addAll(b.make());
                reproduction.candor(b.name() + "-data", make);
                for (CdepBenchmarks.Method m : b.methods()) {
                    List<Reproduction.Run> runs = new ArrayList<>();
                    for (int seed = 0; seed < n; seed++) {
                        String name = b.name() + "-" + m.name().toLowerCase(Locale.ROOT) + "-seed" + seed;
                        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString()));
                        args.addAll(b.train());
                        args.addAll(m.arguments());
                        args.addAll(List.of("--seed", Integer.toString(seed), "--out",
                                out.resolve("models").resolve(name + ".onnx").toString()));
                        runs.add(reproduction.train(name, args, data, b.split()));
                    }
                    if (m.penalty().equals("none")) {
                        vanilla.put(b.name(), runs);
                    }
                    rows.add(Reproduction.row(b.name(), m, runs));
                }
            }
            List<Map<String, Object>> finetuned = finetune(reproduction, vanilla, n, pw);
            Map<String, Object> results = new LinkedHashMap<>();
            results.put("quick", quick);
            results.put("seeds", n);
            results.put("rows", rows);
            results.put("finetuning", finetuned);
            results.put("minutes", (System.nanoTime() - start) / 6e10);
            reproduction.writeJson(results);
            Path md = out.resolve("results.md");
            AtomicFiles.writeString(md, CdepResultsTable.markdown(results, CdepBenchmarks.benchmarks(quick)));
            pw.printf("wrote %s and %s (%.1f minutes)%n", md, out.resolve("results.json"), (System.nanoTime() - start) / 6e10);
            return 0;
        }

        /** Fine-tunes each seed's vanilla model after the cut, per method, from one cached prefix. */
        private List<Map<String, Object>> finetune(Reproduction reproduction, Map<String, List<Reproduction.Run>> vanilla,
                int n, PrintWriter pw) {
            CdepBenchmarks.Finetune f = CdepBenchmarks.finetune();
            Path data = out.resolve("data").resolve(f.benchmark());
            pw.printf("%s, fine-tuning the vanilla model after '%s' for %d epochs:%n", f.benchmark(), f.cut(), f.epochs());
            List<Map<String, Object>> rows = new ArrayList<>();
            for (CdepBenchmarks.Method m : f.methods()) {
                List<Reproduction.Run> runs = new ArrayList<>();
                for (int seed = 0; seed < n; seed++) {
                    String name = f.benchmark() + "-finetune-" + m.name().toLowerCase(Locale.ROOT) + "-seed" + seed;
                    Path start = vanilla.get(f.benchmark()).get(seed).model();
                    List<String> args = new ArrayList<>(List.of("finetune", "--model", start.toString(), "--data",
                            data.toString(), "--cut", f.cut(), "--epochs", Integer.toString(f.epochs()), "--cache",
                            out.resolve("cache").toString()));
                    args.addAll(m.arguments());
                    args.addAll(List.of("--seed", Integer.toString(seed), "--out",
                            out.resolve("models").resolve(name + ".onnx").toString()));
                    runs.add(reproduction.train(name, args, data, "test"));
                }
                Map<String, Object> row = Reproduction.row(f.benchmark(), m, runs);
                row.put("before", vanilla.get(f.benchmark()).stream().mapToDouble(Reproduction.Run::accuracy).average()
                        .orElse(Double.NaN));
                row.put("cut", f.cut());
                rows.add(row);
            }
            return rows;
        }
    }
}
