package io.candor.spark;

import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.models.data.DatasetSplit;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The loop every Candor task runs: borrow the model's executor for the partition, set libtorch's
 * threads, read each element of the partition as a batch and turn it into results.
 *
 * @param <T> what the partition holds: batch numbers of a dataset folder, or a batch's rows
 * @param <R> what each batch gives
 */
final class BatchTask<T, R> implements FlatMapFunction<Iterator<T>, R> {
    private static final long serialVersionUID = 1L;

    /** One batch as a task reads it: the samples and their ids (places in the split). */
    record Chunk(DatasetSplit split, long[] ids) {
    }

    /** How a task turns one element of its partition into a batch. */
    interface Reader<T> extends Serializable {
        Chunk read(T element);
    }

    /** What a task computes from a batch. */
    interface Work<R> extends Serializable {
        List<R> apply(Executor executor, Chunk batch);
    }

    private final Broadcast<byte[]> model;
    private final String label;
    private final int threads;
    private final Reader<T> reader;
    private final Work<R> work;

    BatchTask(Broadcast<byte[]> model, String label, int threads, Reader<T> reader, Work<R> work) {
        this.model = model;
        this.label = label;
        this.threads = threads;
        this.reader = reader;
        this.work = work;
    }

    @Override
    public Iterator<R> call(Iterator<T> batches) {
        return Engines.withThreads(threads, () -> {
            List<R> out = new ArrayList<>();
            try (ModelPool.Lease lease = ModelPool.borrow(model.value(), label)) {
                batches.forEachRemaining(b -> out.addAll(work.apply(lease.executor(), reader.read(b))));
            }
            return out.iterator();
        });
    }

    /**
     * Rows from anywhere (Parquet) as the single-machine command's batches: keyed by batch ({@code id /
     * batchSize}), range-partitioned on the key and sorted by id within each partition, so that each batch
     * reaches one task whole and in order; and the reader that turns a batch's rows into samples.
     */
    record RowBatches(JavaRDD<List<Row>> batches, Reader<List<Row>> reader) {
        private static final String BATCH = "batch";

        static RowBatches of(SparkSession spark, Dataset<Row> rows,
                int batchSize) {
            Dataset<Row> keyed = TensorRows.canonical(rows).withColumn(BATCH,
                    functions.floor(functions.col(TensorRows.ID).divide(batchSize)));
            Row last = keyed.agg(functions.max(BATCH)).first();
            long count = last.isNullAt(0) ? 0 : last.getLong(0) + 1;
            int partitions = (int) Math.max(1, Math.min(count, spark.sparkContext().defaultParallelism()));
            JavaRDD<List<Row>> batches = keyed.repartitionByRange(partitions,
                    functions.col(BATCH)).sortWithinPartitions(TensorRows.ID).javaRDD()
                    .mapPartitions((FlatMapFunction<Iterator<Row>, List<Row>>)
                            it -> BatchGroups.of(it, BATCH));
            TensorRows.Layout layout = TensorRows.layout(rows.schema());
            Reader<List<Row>> reader = batch -> new Chunk(TensorRows.split(batch, layout),
                    batch.stream().mapToLong(r -> r.getLong(0)).toArray());
            return new RowBatches(batches, reader);
        }
    }

    /**
     * A dataset folder's split as batch numbers, a slice of them per task slot with no shuffle, and the
     * reader that gives each number's samples where the folder lies ({@link FolderSplits}).
     */
    record FolderBatches(JavaRDD<Integer> numbers, Reader<Integer> reader) {
        static FolderBatches of(JavaSparkContext jsc, String data, String split, int batchSize) {
            return of(jsc, data, split, batchSize, jsc.defaultParallelism());
        }

        /** The same in {@code slices} slices (fewer when there are fewer batches), each a run of consecutive batches. */
        static FolderBatches of(JavaSparkContext jsc, String data, String split, int batchSize, int slicesWanted) {
            int size = (int) FolderSplits.get(data, split).size();
            List<Integer> numbers = IntStream.range(0, (size + batchSize - 1) / batchSize).boxed().toList();
            int slices = Math.max(1, Math.min(numbers.size(), slicesWanted));
            Reader<Integer> reader = b -> {
                DatasetSplit all = FolderSplits.get(data, split);
                int from = b * batchSize;
                int to = (int) Math.min(all.size(), from + batchSize);
                return new Chunk(FolderSplits.slice(all, from, to), LongStream.range(from, to).toArray());
            };
            return new FolderBatches(jsc.parallelize(numbers, slices), reader);
        }
    }
}
