package io.candor.spark;

import io.candor.cli.SparkJobs;
import io.candor.finetune.CdShare;
import io.candor.finetune.Evaluation;
import io.candor.finetune.SwapTest;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.models.data.DatasetSplit;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code evaluate} on Spark. Each task takes whole batches of the single-machine command (sample ids
 * [b B, (b + 1) B)) and computes what the command computes per batch: class probabilities and the swap
 * test's counts. The driver gathers them by id and derives the metrics with the same code, from the same
 * numbers.
 */
final class SparkEvaluation {
    private SparkEvaluation() {
    }

    /** What one batch gave; {@code shares} (CD's, NaN where unmarked) only when asked for. */
    record BatchResult(long[] ids, long[] labels, float[][] probabilities, long pairs, long followed, long changed,
            float[] shares) implements Serializable {
    }

    /**
     * What every task computes per batch: batches of {@code batchSize} for the metrics, sub-batches of
     * {@code cdBatch} for CD's share when {@code cdShare}.
     */
    record Work(int batchSize, boolean cdShare, int cdBatch, int threads) implements Serializable {
    }

    /** A dataset folder's split: the tasks get batch numbers and read the samples where the folder lies. */
    static SparkJobs.Evaluated ofFolder(SparkSession spark, byte[] onnx, String label, String data, String split,
            Work work) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        BatchTask.FolderBatches batches = BatchTask.FolderBatches.of(jsc, data, split, work.batchSize());
        return run(jsc, onnx, label, work, batches.numbers(), batches.reader());
    }

    /** Rows from anywhere (Parquet): grouped into batches by id, each batch within one partition and in id order. */
    static SparkJobs.Evaluated ofRows(SparkSession spark, byte[] onnx, String label, Dataset<Row> rows, Work work) {
        BatchTask.RowBatches batches = BatchTask.RowBatches.of(spark, rows, work.batchSize());
        return run(JavaSparkContext.fromSparkContext(spark.sparkContext()), onnx, label, work, batches.batches(),
                batches.reader());
    }

    private static <T> SparkJobs.Evaluated run(JavaSparkContext jsc, byte[] onnx, String label, Work work,
            JavaRDD<T> batches, BatchTask.Reader<T> reader) {
        Broadcast<byte[]> model = jsc.broadcast(onnx);
        try {
            BatchTask.Work<BatchResult> perBatch = (executor, batch) -> List.of(evaluate(executor, batch, work));
            return gather(batches.mapPartitions(new BatchTask<>(model, label, work.threads(), reader, perBatch)).collect(),
                    work.cdShare());
        } finally {
            model.destroy();
        }
    }

    private static SparkJobs.Evaluated gather(List<BatchResult> results, boolean cdShare) {
        int n = results.stream().mapToInt(r -> r.ids().length).sum();
        long[] labels = new long[n];
        float[][] probabilities = new float[n][];
        float[] shares = new float[n];
        long pairs = 0;
        long followed = 0;
        long changed = 0;
        for (BatchResult r : results) {
            for (int i = 0; i < r.ids().length; i++) {
                long id = r.ids()[i];
                if (id < 0 || id >= n || probabilities[(int) id] != null) {
                    throw new CandorException("the rows' ids must be 0 .. " + (n - 1) + ", each once; found " + id);
                }
                labels[(int) id] = r.labels()[i];
                probabilities[(int) id] = r.probabilities()[i];
                shares[(int) id] = cdShare ? r.shares()[i] : Float.NaN;
            }
            pairs += r.pairs();
            followed += r.followed();
            changed += r.changed();
        }
        SwapTest swap = pairs == 0 ? null : new SwapTest(pairs, followed / (double) pairs, changed / (double) pairs);
        // Summed in id order, as the single-machine command sums them.
        return new SparkJobs.Evaluated(Evaluation.of(labels, probabilities), swap, cdShare ? CdShare.of(shares) : null);
    }

    /** What the plain command computes on one batch. */
    private static BatchResult evaluate(Executor executor, BatchTask.Chunk chunk, Work work) {
        DatasetSplit split = chunk.split();
        float[][] p = Evaluation.probabilities(executor, split, work.batchSize());
        SwapTest swap = SwapTest.of(executor, split, work.batchSize());
        long pairs = swap == null ? 0 : swap.pairs();
        return new BatchResult(chunk.ids(), split.labels(), p, pairs, swap == null ? 0 : Math.round(swap.followed() * pairs),
                swap == null ? 0 : Math.round(swap.changed() * pairs),
                work.cdShare() ? CdShare.shares(executor, split, work.cdBatch()) : null);
    }
}
