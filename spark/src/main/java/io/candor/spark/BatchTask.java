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
     * A dataset folder's split as batch numbers, a slice of them per task slot with no shuffle, and the
     * reader that gives each number's samples where the folder lies ({@link FolderSplits}).
     */
    record FolderBatches(JavaRDD<Integer> numbers, Reader<Integer> reader) {
        static FolderBatches of(JavaSparkContext jsc, String data, String split, int batchSize) {
            int size = (int) FolderSplits.get(data, split).size();
            List<Integer> numbers = IntStream.range(0, (size + batchSize - 1) / batchSize).boxed().toList();
            int slices = Math.max(1, Math.min(numbers.size(), jsc.defaultParallelism()));
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
