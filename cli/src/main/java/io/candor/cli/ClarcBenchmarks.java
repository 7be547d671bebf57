package io.candor.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code candor reproduce clarc} runs: the two patch benchmarks, a biased model trained on each, and
 * the repairs compared on it. Every repair starts from the same biased model and changes only what lies
 * after one tensor (the ClArC papers' setting): the fine-tunings train the layers after it, the
 * projection is inserted at it. Mask-based repairs (CDEP, RRR) see the patch masks; the ClArCs see only
 * which samples of the concepts split carry the artifact.
 */
final class ClarcBenchmarks {
    private ClarcBenchmarks() {
    }

    /** How a repair is run: a fine-tuning penalty, or the clarc command in one of its modes. */
    enum Kind { FINETUNE, PROJECT, AUGMENT }

    /**
     * One repair of the biased model.
     *
     * @param layer the tensor it acts at (the fine-tuning's cut, the projection's place)
     * @param options further options of its command (--penalty, --lambda, --cav)
     */
    record Repair(String name, Kind kind, String layer, Float lambda, List<String> options) {
        /** The command that repairs {@code model} into {@code out}; fine-tunings share {@code cache}. */
        List<String> command(Benchmark b, String model, String data, int epochs, String cache, int seed, String out) {
            List<String> args = new ArrayList<>();
            if (kind == Kind.FINETUNE) {
                args.addAll(List.of("finetune", "--model", model, "--data", data, "--cut", layer));
            } else {
                args.addAll(List.of("clarc", "--mode", kind == Kind.PROJECT ? "project" : "augment", "--model", model,
                        "--data", data, "--layer", layer, "--concept", b.concept()));
            }
            if (kind != Kind.PROJECT) {
                args.addAll(List.of("--epochs", Integer.toString(epochs), "--cache", cache, "--seed", Integer.toString(seed)));
            }
            if (lambda != null) {
                args.addAll(List.of("--lambda", OptionChecks.plain(lambda)));
            }
            args.addAll(options);
            args.addAll(List.of("--out", out));
            return args;
        }
    }

    /**
     * A benchmark and how the table measures it.
     *
     * @param clean the split without the artifact, where a repair may cost at most 2 points of accuracy
     * @param attacked the split where the artifact lies about the class
     * @param others further splits reported
     * @param focusClass the class whose recall the artifact destroys on {@code attacked}, or -1 to use
     *     accuracy
     * @param concept the concept of the concepts split that marks the artifact (what the ClArCs see)
     */
    record Benchmark(String name, List<String> make, List<String> train, String clean, String attacked, List<String> others,
            int focusClass, String focusName, String concept, List<Repair> repairs) {
        /** What the table reports on the attacked split: the focus class's recall, or accuracy. */
        String measure() {
            return focusClass < 0 ? "accuracy" : focusName + " recall";
        }
    }

    /**
     * The biased models train to convergence even with {@code quick} (which only shrinks decoy-digits'
     * data): an undertrained model gains from any fine-tuning, and the table would credit the repairs.
     */
    static List<Benchmark> benchmarks(boolean quick) {
        List<Benchmark> all = new ArrayList<>();
        all.add(new Benchmark("patch-lesions",
                CdepBenchmarks.sizes(4000, 500, 1000),
                List.of("--arch", "lesion-cnn", "--epochs", "6"),
                "test_no_patches", "test_attacked", List.of("test"), 1, "malignant", "patch",
                List.of(finetune("fine-tuned, no penalty", "gpool", "none", null),
                        finetune("CDEP (masks)", "gpool", "cdep", 100f),
                        finetune("RRR (masks)", "gpool", "rrr", 1000f),
                        project("P-ClArC", "gpool"),
                        project("P-ClArC", "relu4"),
                        new Repair("A-ClArC", Kind.AUGMENT, "gpool", null, List.of()),
                        finetune("RR-ClArC", "gpool", "rr-clarc", 100f, "--concept", "patch"))));
        all.add(new Benchmark("decoy-digits",
                CdepBenchmarks.sizes(quick ? 10000 : 30000, quick ? 1000 : 3000, quick ? 2000 : 3000),
                List.of("--arch", "mnist-cnn", "--epochs", "5", "--patience", "2"),
                "test_clean", "test", List.of(), -1, "", "corner_patch",
                List.of(finetune("fine-tuned, no penalty", "flatten", "none", null),
                        finetune("CDEP (masks)", "flatten", "cdep", 1000f),
                        finetune("RRR (masks)", "flatten", "rrr", 1000f),
                        project("P-ClArC", "flatten"),
                        new Repair("A-ClArC", Kind.AUGMENT, "flatten", null, List.of()),
                        finetune("RR-ClArC", "flatten", "rr-clarc", 100f, "--concept", "corner_patch"))));
        return all;
    }

    private static Repair finetune(String name, String cut, String penalty, Float lambda, String... more) {
        List<String> options = new ArrayList<>(List.of("--penalty", penalty));
        options.addAll(List.of(more));
        return new Repair(name, Kind.FINETUNE, cut, lambda, options);
    }

    private static Repair project(String name, String layer) {
        return new Repair(name, Kind.PROJECT, layer, null, List.of("--cav", "signal"));
    }
}
