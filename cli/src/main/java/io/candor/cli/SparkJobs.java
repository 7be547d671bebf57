package io.candor.cli;

import io.candor.finetune.CdShare;
import io.candor.finetune.Evaluation;
import io.candor.finetune.SwapTest;
import io.candor.interop.CandorException;
import ai.djl.ndarray.NDArray;
import io.candor.attribution.ExplainOptions;
import io.candor.attribution.Targets;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * Candor's jobs on Apache Spark. The {@code spark} module implements this and the CLI finds it at run
 * time, so the CLI and its jar stay free of Spark; {@code ./candor} puts Spark on the class path when a
 * command is given {@code --spark}.
 */
public interface SparkJobs {
    /**
     * What {@code evaluate} measures: the metrics, and where the split marks something the swap test and,
     * when asked for, CD's share of the marked region (otherwise null).
     */
    record Evaluated(Evaluation evaluation, SwapTest swap, CdShare cdShare) {
        /** Whether every metric is the same to the last bit (records compare arrays by reference). */
        public boolean sameAs(Evaluated other) {
            Evaluation a = evaluation;
            Evaluation b = other.evaluation;
            return a.samples() == b.samples() && Double.compare(a.accuracy(), b.accuracy()) == 0
                    && Arrays.equals(a.perClassAccuracy(), b.perClassAccuracy()) && Arrays.deepEquals(a.confusion(), b.confusion())
                    && Objects.equals(a.rocAuc(), b.rocAuc()) && Objects.equals(a.bestF1(), b.bestF1())
                    && Objects.equals(swap, other.swap) && Objects.equals(cdShare, other.cdShare);
        }
    }

    /**
     * {@code candor evaluate} on a split, its batches of {@code batchSize} spread over the cluster at
     * {@code master}; with {@code cdBatch} > 0 (a divisor of the batch size), also CD's share of the marked
     * region, decomposed in batches of that many.
     */
    Evaluated evaluate(String master, Path model, Path data, String split, int batchSize, int cdBatch);

    /**
     * The settings of {@code explain} over a dataset, sent to the workers, which turn them into
     * {@link ExplainOptions}. With {@code maskFromSplit}, CD's relevant features are each sample's mask.
     */
    record ExplainSettings(String method, String target, int steps, String integration, int internalBatch,
            boolean absolute, float noise, int samples, String smoothed, long seed, String layer, int window, int stride,
            boolean maskFromSplit, int batchSize, int threads) implements Serializable {

        public ExplainOptions options(NDArray mask) {
            return new ExplainOptions(method, Targets.parse(target), null, steps, integration, internalBatch, absolute, noise,
                    samples, smoothed, seed, layer, window, stride, maskFromSplit ? mask : null, null);
        }

        /** The same settings with libtorch's threads per task. */
        public ExplainSettings withThreads(int perTask) {
            return new ExplainSettings(method, target, steps, integration, internalBatch, absolute, noise, samples, smoothed,
                    seed, layer, window, stride, maskFromSplit, batchSize, perTask);
        }
    }

    /**
     * {@code candor explain} over a split at {@code master}: writes {@code out/explanations.parquet}
     * (a row per sample) and the per-class summary beside it; returns what it wrote.
     */
    java.util.List<String> explain(String master, Path model, Path data, String split, ExplainSettings settings, Path out);

    /**
     * {@code candor cache prefix}: the frozen prefix up to {@code cut} of every sample of {@code splits}
     * (with its decomposition at the cut for the marked samples when {@code decompose}), computed at
     * {@code master} and written as Parquet shards of about {@code shardRows} samples under {@code out};
     * returns the samples per split.
     */
    java.util.Map<String, Long> cachePrefix(String master, Path model, Path data, java.util.List<String> splits, String cut,
            boolean decompose, int shardRows, Path out);

    /** One split of the shards {@link #cachePrefix} wrote, as {@code finetune} streams them. */
    io.candor.finetune.PrefixShards prefixShards(Path shards, String split);

    /**
     * {@code candor cache taps}: the tap cache of {@code interpret} for every sample of {@code splits},
     * computed at {@code master} from {@code onnx} (the model with its taps as interpret reads them),
     * written as Parquet shards under {@code out}; returns the samples per split.
     */
    java.util.Map<String, Long> cacheTaps(String master, byte[] onnx, String label, Path data, java.util.List<String> splits,
            java.util.List<String> taps, int batchSize, int shardRows, Path out);

    /**
     * One split of the shards {@link #cacheTaps} wrote, read shard by shard (without concept labels),
     * after checking that they come from {@code onnx} (as {@link #cacheTaps} was given it) and these taps.
     */
    io.candor.interpreter.TapCache tapShards(Path shards, String split, byte[] onnx, java.util.List<String> taps);

    /**
     * How {@code data parquet} turns an image folder's pictures into tensors: the size, the per-channel
     * normalisation (null for none), grey or colour, and where the masks lie (null for none).
     */
    record ImageSpec(int height, int width, float[] mean, float[] std, boolean grayscale, Path masks) {
    }

    /**
     * {@code candor data parquet}: writes the split {@code split} of a dataset folder ({@code images}
     * null) or the image folder {@code data/split} as Parquet rows at {@code out}; returns how many.
     */
    long writeRows(String master, Path data, String split, ImageSpec images, Path out);

    /** The implementation on the class path, or a clear error saying how to get one. */
    static SparkJobs load() {
        try {
            return ServiceLoader.load(SparkJobs.class).findFirst().orElseThrow(() -> new CandorException(
                    "this needs Candor's spark module and Spark on the class path: run Candor through ./candor, which"
                            + " builds them and adds them for --spark, cache, data parquet, --prefix-shards and --tap-shards"
                            + " (docs/spark.md)"));
        } catch (java.util.ServiceConfigurationError | NoClassDefFoundError e) {
            throw new CandorException("Candor's spark module is there but Spark is not on the class path ("
                    + e.getMessage() + "); run Candor through ./candor, or spark-submit (docs/spark.md)", e);
        }
    }
}
