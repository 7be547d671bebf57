package io.candor.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code candor reproduce cdep} runs: the CDEP paper's synthetic benchmarks as Candor builds them,
 * each with its data, network, schedule and the methods compared (vanilla, CDEP, RRR, Expected
 * Gradients), the paper's figures and the target Candor is held to. {@code quick} shrinks the data,
 * epochs and Expected Gradients' references so that the whole table takes minutes on two cores.
 */
final class CdepBenchmarks {
    private CdepBenchmarks() {
    }

    /** One compared method: its name in the table, the --penalty, lambda and any further options. */
    record Method(String name, String penalty, Float lambda, List<String> options) {
        static Method vanilla() {
            return new Method("vanilla", "none", null, List.of());
        }

        /** The train (or finetune) options that select this method. */
        List<String> arguments() {
            List<String> args = new ArrayList<>(List.of("--penalty", penalty));
            if (lambda != null) {
                args.addAll(List.of("--lambda", OptionChecks.plain(lambda)));
            }
            args.addAll(options);
            return args;
        }
    }

    /**
     * @param make the {@code candor data make} arguments after the output folder
     * @param train the {@code candor train} arguments every method shares (architecture, schedule)
     * @param split the split whose accuracy the table reports
     * @param paper the paper's figures for this benchmark, as text
     * @param target what Candor's CDEP must reach on {@code split}, or NaN for none
     */
    record Benchmark(String name, List<String> make, List<String> train, String split, List<Method> methods,
            String paper, double target, String note) {
    }

    /**
     * The fine-tuning case the paper does not show: the vanilla decoy-digits model, fine-tuned after its
     * convolutions without and with CDEP.
     */
    record Finetune(String benchmark, String cut, int epochs, List<Method> methods) {
    }

    static List<Benchmark> benchmarks(boolean quick) {
        String epochs = quick ? "2" : "5";
        List<Benchmark> all = new ArrayList<>();
        all.add(new Benchmark("decoy-digits",
                sizes(quick ? 10000 : 30000, quick ? 1000 : 3000, quick ? 2000 : 3000),
                List.of("--arch", "mnist-cnn", "--epochs", epochs, "--patience", "2"), "test",
                List.of(Method.vanilla(),
                        new Method("CDEP", "cdep", 100f, List.of()),
                        new Method("RRR", "rrr", 1000f, List.of()),
                        new Method("EG", "eg", 10f, List.of("--eg-references", quick ? "4" : "200"))),
                "vanilla 60.1, CDEP 97.2, RRR 99.0, EG 97.8 (test accuracy, lying patches)", 95,
                quick ? "Expected Gradients with 4 references per image instead of 200, to fit the quick run" : ""));
        all.add(new Benchmark("color-digits",
                sizes(quick ? 6000 : 30000, quick ? 1000 : 3000, quick ? 2000 : 3000),
                // The reference's batch of 256; the quick run's few samples need more, smaller steps.
                List.of("--arch", "color-cnn", "--epochs", quick ? "2" : "5", "--patience", "2", "--batch",
                        quick ? "64" : "256", "--weight-decay", "0.001"), "test",
                List.of(Method.vanilla(), new Method("CDEP", "cdep", 1000f, List.of("--cdep-pixels", "8"))),
                "vanilla 0.2, CDEP 31.0, RRR 0.2, EG 10.0 (test accuracy, colours inverted)", 25,
                "CDEP's colour protocol: 8 single pixels per batch drawn by ink frequency; RRR and EG need masks"
                        + " here, which a colour does not have"));
        all.add(new Benchmark("decoy-text",
                sizes(quick ? 4000 : 20000, quick ? 500 : 2000, quick ? 1000 : 2000),
                List.of("--arch", "lstm-text", "--epochs", quick ? "4" : "10", "--patience", "3"), "test",
                List.of(Method.vanilla(), new Method("CDEP", "cdep", 10f, List.of())),
                "about 52 (vanilla) to about 78 (CDEP, lambda 100) test accuracy on SST with decoy words", 75,
                "RRR and EG are image baselines in the paper; text compares vanilla and CDEP"));
        return all;
    }

    static Finetune finetune() {
        return new Finetune("decoy-digits", "flatten", 3,
                List.of(Method.vanilla(), new Method("CDEP", "cdep", 1000f, List.of())));
    }

    /** The {@code data make} options for the split sizes. */
    static List<String> sizes(int train, int val, int test) {
        return List.of("--n-train", Integer.toString(train), "--n-val", Integer.toString(val), "--n-test",
                Integer.toString(test));
    }
}
