package io.candor.spark;

import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.ImageOptions;
import io.candor.models.data.DatasetSplit;
import io.candor.models.data.ImageFolder;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code candor data parquet}: a split of a dataset folder, or an image folder, written as Candor's
 * Parquet rows ({@link TensorRows}) by Spark's workers, each reading or decoding its own samples where
 * they lie. The rows are what {@code evaluate} and {@code explain} read from anywhere Spark reads.
 */
final class SparkRows {
    /** Images decoded per pass in a task. */
    private static final int IMAGES_PER_PASS = 256;

    private SparkRows() {
    }

    /** A dataset folder's split; the tasks take batch numbers and read the split where it lies. */
    static long ofFolder(SparkSession spark, String data, String split, Path out) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        TensorRows.Layout layout = TensorRows.layout(FolderSplits.get(data, split));
        BatchTask.FolderBatches batches = BatchTask.FolderBatches.of(jsc, data, split, IMAGES_PER_PASS);
        BatchTask.Reader<Integer> reader = batches.reader();
        boolean shared = layout.maskShared();
        JavaRDD<Row> rows = batches.numbers().flatMap(b -> {
            BatchTask.Chunk chunk = reader.read(b);
            return TensorRows.rows(chunk.split(), chunk.ids(), shared).iterator();
        });
        return write(spark, rows, layout, out);
    }

    /** An image to decode: its id (place in the folder's order), file and class. */
    record Image(long id, String file, long label) implements Serializable {
    }

    /** How the workers decode the images (ImageOptions itself does not travel). */
    record Decoding(int height, int width, float[] mean, float[] std, boolean grayscale, String root, String masks)
            implements Serializable {
        ImageOptions options() {
            return new ImageOptions(height, width, mean, std, grayscale);
        }
    }

    /**
     * An image folder (CLASS/NAME.png under {@code decoding.root()}, classes sorted, as {@code train} reads
     * them); the driver lists the files and the tasks decode them, with their masks if given.
     */
    static long ofImages(SparkSession spark, Decoding decoding, Path out) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Path root = Path.of(decoding.root());
        List<ImageFolder.Labelled> files = ImageFolder.files(root);
        List<Image> images = IntStream.range(0, files.size())
                .mapToObj(i -> new Image(i, files.get(i).file().toString(), files.get(i).label())).toList();
        DatasetSplit first = ImageFolder.load(root, files.subList(0, 1), decoding.options(),
                decoding.masks() == null ? null : Path.of(decoding.masks()));
        long[] x = first.x().shape();
        long[] mask = first.mask() == null ? null : first.mask().shape();
        TensorRows.Layout layout = new TensorRows.Layout(DataType.FLOAT32, Arrays.copyOfRange(x, 1, x.length),
                mask == null ? null : DataType.FLOAT32, mask == null ? null : Arrays.copyOfRange(mask, 1, mask.length), false);
        int slices = Math.max(1, Math.min(jsc.defaultParallelism() * 4, (images.size() + IMAGES_PER_PASS - 1) / IMAGES_PER_PASS));
        JavaRDD<Row> rows = jsc.parallelize(images, slices).mapPartitions((FlatMapFunction<Iterator<Image>, Row>) it -> {
            List<Image> part = new ArrayList<>();
            it.forEachRemaining(part::add);
            List<Row> rowsOut = new ArrayList<>();
            for (int from = 0; from < part.size(); from += IMAGES_PER_PASS) {
                List<Image> pass = part.subList(from, Math.min(part.size(), from + IMAGES_PER_PASS));
                DatasetSplit decoded = ImageFolder.load(Path.of(decoding.root()),
                        pass.stream().map(i -> new ImageFolder.Labelled(Path.of(i.file()), i.label())).toList(),
                        decoding.options(), decoding.masks() == null ? null : Path.of(decoding.masks()));
                rowsOut.addAll(TensorRows.rows(decoded, pass.stream().mapToLong(Image::id).toArray(), false));
            }
            return rowsOut.iterator();
        });
        return write(spark, rows, layout, out);
    }

    private static long write(SparkSession spark, JavaRDD<Row> rows, TensorRows.Layout layout, Path out) {
        spark.createDataFrame(rows, TensorRows.schema(layout)).write().parquet(SparkCandor.uri(out));
        return spark.read().parquet(SparkCandor.uri(out)).count();
    }
}
