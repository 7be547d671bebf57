package io.candor.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code candor reproduce}: reruns a paper's experiments with Candor's own commands. */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = "Reruns a paper's experiments with Candor's commands and writes the table.",
        subcommands = {ReproduceCommand.Cdep.class, ReproduceCommand.Clarc.class})
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
                "hours. Default: 5 seeds."})
    static final class Cdep implements Callable<Integer> {
        @Mixin
        Shared shared;

        @Spec
        CommandSpec spec;

        private Path out;

        @Override
        public Integer call() {
            boolean quick = shared.quick;
            int n = shared.seeds(5);
            OptionChecks.of(spec).positive("--seeds", n);
            out = shared.out("cdep");
            PrintWriter pw = spec.commandLine().getOut();
            Reproduction reproduction = new Reproduction(out, pw);
            List<Map<String, Object>> rows = new ArrayList<>();
            Map<String, List<Reproduction.Run>> vanilla = new LinkedHashMap<>();
            for (CdepBenchmarks.Benchmark b : CdepBenchmarks.benchmarks(quick)) {
                pw.printf("%s (%s accuracy):%n", b.name(), b.split());
                Path data = reproduction.makeData(b.name(), b.make());
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
            Map<String, Object> results = reproduction.results(quick, n);
            results.put("rows", rows);
            results.put("finetuning", finetuned);
            reproduction.finish(results, r -> CdepResultsTable.markdown(r, CdepBenchmarks.benchmarks(quick)));
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

    @Command(name = "clarc", mixinStandardHelpOptions = true,
            description = {"Repairs from concept labels against repairs from masks, on the two patch benchmarks",
                "(patch-lesions and decoy-digits): trains a biased model, then repairs it by fine-tuning without a",
                "penalty, with CDEP and RRR on the patch masks, and by P-ClArC, A-ClArC and RR-ClArC from the concept",
                "labels alone. Reports accuracy on the clean split, the lost measure on the attacked split (malignant",
                "recall on patch-lesions' test_attacked, accuracy on decoy-digits' lying test) and how much of it each",
                "repair wins back, and CD's share of the artifact. Writes DIR/results.md and DIR/results.json, the",
                "data, models and a log per command. --quick: one seed and smaller digits data (about 15 minutes on",
                "two cores). Default: 3 seeds."})
    static final class Clarc implements Callable<Integer> {
        @Mixin
        Shared shared;

        @Option(names = "--benchmark", paramLabel = "NAME", description = "Only this benchmark: patch-lesions or decoy-digits.")
        String benchmark;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            int n = shared.seeds(3);
            List<ClarcBenchmarks.Benchmark> chosen = ClarcBenchmarks.benchmarks(shared.quick).stream()
                    .filter(b -> benchmark == null || b.name().equals(benchmark)).toList();
            OptionChecks.of(spec).positive("--seeds", n)
                    .require(!chosen.isEmpty(), "--benchmark must be patch-lesions or decoy-digits, got '" + benchmark + "'");
            Path out = shared.out("clarc");
            PrintWriter pw = spec.commandLine().getOut();
            Reproduction reproduction = new Reproduction(out, pw);
            ClarcReproduction run = new ClarcReproduction(reproduction, out, pw);
            Map<String, Object> tables = new LinkedHashMap<>();
            for (ClarcBenchmarks.Benchmark b : chosen) {
                tables.put(b.name(), run.run(b, n));
            }
            Map<String, Object> results = reproduction.results(shared.quick, n);
            results.put("benchmarks", tables);
            reproduction.finish(results, r -> ClarcResultsTable.markdown(r, chosen));
            return 0;
        }
    }

    /** The options every reproduction takes. */
    static final class Shared {
        @Option(names = "--quick", description = "One seed, smaller data, fewer epochs (see the description).")
        boolean quick;

        @Option(names = "--seeds", paramLabel = "N", description = "Seeds per method (default 1 with --quick; see the description).")
        Integer seeds;

        @Option(names = "--out", paramLabel = "DIR",
                description = "Where to write results, data, models and logs (default reproduce-NAME in this folder).")
        Path out;

        int seeds(int full) {
            return seeds != null ? seeds : quick ? 1 : full;
        }

        Path out(String name) {
            return out != null ? out : Path.of("reproduce-" + name);
        }
    }
}
