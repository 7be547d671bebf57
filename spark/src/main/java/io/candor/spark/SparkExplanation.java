package io.candor.spark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.attribution.ExecutorModel;
import io.candor.cli.SparkJobs.ExplainSettings;
import io.candor.attribution.Explainer;
import io.candor.attribution.Explanation;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.data.DatasetSplit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructType;

/**
 * {@code explain} over a dataset on Spark: each task explains whole batches exactly as the
 * single-machine explainer does ({@link Explainer#explain} on the batch), and the rows it returns
 * (one per sample) stay on the cluster until they are written.
 *
 * <p>Output columns: {@code id}, {@code label}, {@code target} (-1 when every class is explained),
 * {@code logit} (the target's), {@code attributions} (bytes of one sample's float32 attributions, its
 * shape in the column metadata), {@code completeness} (NaN for methods without one), and for CD
 * {@code cd_relevant} and {@code cd_irrelevant} (one value per class).
 */
final class SparkExplanation {
    static final String ATTRIBUTIONS = "attributions";
    /**
     * DJL's PyTorch engine records gradients with one collector per JVM ("only one can be collecting at a
     * time"), so tasks that share a worker JVM take turns for the gradient methods; CD and occlusion
     * only run forward and go in parallel.
     */
    private static final Object GRADIENTS = new Object();
    private static final List<String> FORWARD_ONLY = List.of("cd", "occlusion");

    private SparkExplanation() {
    }

    /**
     * Explains every sample of a dataset folder's split; the tasks get batch numbers and read the samples
     * where the folder lies. The rows are computed when the result is used (written, say).
     */
    static Dataset<Row> ofFolder(SparkSession spark, byte[] onnx, String label, String data, String split,
            ExplainSettings settings) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        BatchTask.FolderBatches batches = BatchTask.FolderBatches.of(jsc, data, split, settings.batchSize());
        DatasetSplit first = FolderSplits.slice(FolderSplits.get(data, split), 0, 1);
        return explained(spark, jsc, onnx, label, first, settings, batches.numbers(), batches.reader());
    }

    /**
     * Explains every sample of Parquet rows (Candor's columns; ids 0 .. N-1), in the batches the
     * single-machine explainer would take.
     */
    static Dataset<Row> ofRows(SparkSession spark, byte[] onnx, String label, Dataset<Row> rows, ExplainSettings settings) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Row> firstRow = TensorRows.canonical(rows).orderBy(TensorRows.ID).limit(1).collectAsList();
        if (firstRow.isEmpty()) {
            throw new io.candor.interop.CandorException("the rows hold no samples");
        }
        BatchTask.RowBatches batches = BatchTask.RowBatches.of(spark, rows, settings.batchSize());
        return explained(spark, jsc, onnx, label, TensorRows.split(firstRow, TensorRows.layout(rows.schema())), settings,
                batches.batches(), batches.reader());
    }

    private static <T> Dataset<Row> explained(SparkSession spark, JavaSparkContext jsc, byte[] onnx, String label,
            DatasetSplit first, ExplainSettings settings, JavaRDD<T> batches, BatchTask.Reader<T> reader) {
        StructType schema = schema(attributionShape(onnx, label, first, settings), settings.method().equals("cd"));
        BatchTask.Work<Row> perBatch = (executor, batch) -> rows(executor, batch, settings);
        JavaRDD<Row> rows = batches.mapPartitions(new BatchTask<>(jsc.broadcast(onnx), label, settings.threads(), reader,
                perBatch));
        return spark.createDataFrame(rows, schema);
    }

    /** One sample's attribution shape, from explaining {@code first} (one sample) here, before the tasks run. */
    private static long[] attributionShape(byte[] onnx, String label, DatasetSplit first, ExplainSettings settings) {
        try (ModelPool.Lease lease = ModelPool.borrow(onnx, label); NDManager m = Engines.newManager()) {
            long[] shape = explain(lease.executor(), m, first, settings).attributions().getShape().getShape();
            return Arrays.copyOfRange(shape, 1, shape.length);
        }
    }

    static StructType schema(long[] attributionShape, boolean cd) {
        StructType s = DataTypes.createStructType(List.of(
                DataTypes.createStructField(TensorRows.ID, DataTypes.LongType, false),
                DataTypes.createStructField(TensorRows.LABEL, DataTypes.LongType, false),
                DataTypes.createStructField("target", DataTypes.LongType, false),
                DataTypes.createStructField("logit", DataTypes.FloatType, false),
                DataTypes.createStructField(ATTRIBUTIONS, DataTypes.BinaryType, false, new MetadataBuilder()
                        .putString("candor.dtype", "FLOAT32").putLongArray("candor.shape", attributionShape).build()),
                DataTypes.createStructField("completeness", DataTypes.FloatType, false)));
        if (cd) {
            s = s.add("cd_relevant", DataTypes.createArrayType(DataTypes.FloatType, false), false)
                    .add("cd_irrelevant", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        }
        return s;
    }

    private static Explanation explain(Executor executor, NDManager m, DatasetSplit batch, ExplainSettings settings) {
        NDArray mask = batch.mask() == null ? null : batch.mask().toNDArray(m);
        NDArray x = batch.x().toNDArray(m);
        if (FORWARD_ONLY.contains(settings.method())) {
            return Explainer.explain(ExecutorModel.of(executor), m, x, settings.options(mask));
        }
        synchronized (GRADIENTS) {
            return Explainer.explain(ExecutorModel.of(executor), m, x, settings.options(mask));
        }
    }

    /** A row per sample of one batch. */
    private static List<Row> rows(Executor executor, BatchTask.Chunk batch, ExplainSettings settings) {
        DatasetSplit split = batch.split();
        try (NDManager m = Engines.newManager()) {
            Explanation e = explain(executor, m, split, settings);
            float[] attributions = e.attributions().toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                    .toFloatArray();
            int n = batch.ids().length;
            int each = attributions.length / n;
            float[] relevant = e.cdRelevant() == null ? null : e.cdRelevant().toFloatArray();
            float[] irrelevant = e.cdIrrelevant() == null ? null : e.cdIrrelevant().toFloatArray();
            List<Row> rows = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] a = TensorRows.bytes(HostTensor.ofFloats(new long[] {each},
                        Arrays.copyOfRange(attributions, i * each, (i + 1) * each)));
                long target = e.targets().length == 0 ? -1 : e.targets()[i];
                float logit = e.targetLogits().length == 0 ? Float.NaN : e.targetLogits()[i];
                float completeness = e.completeness().length == 0 ? Float.NaN : e.completeness()[i];
                Object[] values = relevant == null
                        ? new Object[] {batch.ids()[i], split.labels()[i], target, logit, a, completeness}
                        : new Object[] {batch.ids()[i], split.labels()[i], target, logit, a, completeness,
                            slice(relevant, i, n), slice(irrelevant, i, n)};
                rows.add(RowFactory.create(values));
            }
            return rows;
        }
    }

    private static float[] slice(float[] all, int i, int n) {
        int each = all.length / n;
        return Arrays.copyOfRange(all, i * each, (i + 1) * each);
    }
}
