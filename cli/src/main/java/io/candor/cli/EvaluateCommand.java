package io.candor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.candor.finetune.CdShare;
import io.candor.finetune.Evaluation;
import io.candor.finetune.SwapTest;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxReader;
import io.candor.models.data.DatasetFolder;
import io.candor.models.data.DatasetSplit;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code candor evaluate}: accuracy and confusion of a model on a dataset split. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Measures a model on a dataset split: accuracy, accuracy per class, confusion matrix",
            "(rows: true class), and for two classes ROC AUC and the best F1. Where the split marks something",
            "spurious (mask.npy), the swap test: how often the prediction follows another sample's marked part;",
            "with --cd-share, also how much of the predicted logit contextual decomposition gives to the marked part."})
final class EvaluateCommand implements Callable<Integer> {
    /** Samples per batch, here and on Spark (whose workers take whole batches, so the numbers agree). */
    static final int BATCH = 256;
    /** Samples per contextual decomposition; a divisor of {@link #BATCH}, so Spark's batches split the same way. */
    static final int CD_BATCH = 64;

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "A dataset folder; with --spark also Parquet rows (X.parquet; docs/spark.md gives the columns).")
    Path data;

    @Option(names = "--split", defaultValue = "test", description = "The split to measure (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--json", description = "Print JSON on standard output.")
    boolean json;

    @Option(names = "--cd-share", description = {"Where the split marks something spurious: the mean over marked samples of",
        "|beta| / (|beta| + |gamma|), the CD parts of the predicted logit due to the marked region and to the rest",
        "(one decomposition per batch; the model must output logits)."})
    boolean cdShare;

    @Option(names = "--spark", arity = "0..1", fallbackValue = "local[2]", paramLabel = "MASTER",
            description = {"Run on Apache Spark at MASTER (local[2] when given without one; spark://HOST:PORT, yarn,",
                "k8s://...): the split's batches are spread over the workers and the figures are the same (docs/spark.md)."})
    String spark;

    @Spec
    CommandSpec spec;

    /**
     * The metrics and the swap test on this machine, batch by batch as Spark's workers take them, and with
     * {@code cdShare} CD's share of the marked region (in batches of {@link #CD_BATCH}).
     */
    static SparkJobs.Evaluated here(Executor executor, DatasetSplit split, boolean cdShare) {
        return new SparkJobs.Evaluated(Evaluation.of(executor, split, BATCH), SwapTest.of(executor, split, BATCH),
                cdShare ? CdShare.of(executor, split, CD_BATCH) : null);
    }

    @Override
    public Integer call() throws Exception {
        SparkJobs.Evaluated done;
        if (spark != null) {
            done = SparkJobs.load().evaluate(spark, model, data, split, BATCH, cdShare ? CD_BATCH : 0);
        } else {
            OptionChecks.of(spec).require(!data.toString().endsWith(".parquet"), "Parquet rows are read on Spark: add --spark");
            try (Executor executor = Executor.of(OnnxReader.read(model))) {
                done = here(executor, DatasetFolder.read(data, split), cdShare);
            }
        }
        if (cdShare && done.cdShare() == null) {
            throw new CandorException("--cd-share: " + data.resolve(split) + " marks nothing spurious (no mask.npy, or"
                    + " every mask is empty)");
        }
        Evaluation e = done.evaluation();
        SwapTest swap = done.swap();
        CdShare share = done.cdShare();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            com.fasterxml.jackson.databind.node.ObjectNode tree = mapper.valueToTree(e);
            tree.set("swapTest", mapper.valueToTree(swap));
            if (share != null) {
                tree.set("cdShare", mapper.valueToTree(share));
            }
            out.println(mapper.writeValueAsString(tree));
        } else {
            out.printf("%s on %s/%s: %d samples, accuracy %.4f%n", model.getFileName(), data.getFileName(), split, e.samples(),
                    e.accuracy());
            for (int c = 0; c < e.perClassAccuracy().length; c++) {
                out.printf("  class %d: accuracy %.4f   confusion %s%n", c, e.perClassAccuracy()[c],
                        java.util.Arrays.toString(e.confusion()[c]));
            }
            if (e.rocAuc() != null) {
                out.printf("ROC AUC %.4f, best F1 %.4f%n", e.rocAuc(), e.bestF1());
            }
            if (swap != null) {
                out.printf("swap test (%d marked samples given another's spurious part): the prediction follows it in"
                        + " %.1f%%, changes in %.1f%%%n", swap.pairs(), 100 * swap.followed(), 100 * swap.changed());
            }
            if (share != null) {
                out.printf("CD share of the marked region in the predicted logit, |beta| / (|beta| + |gamma|): %.1f%% (mean"
                        + " over %d marked samples)%n", 100 * share.share(), share.samples());
            }
        }
        out.flush();
        return 0;
    }
}
