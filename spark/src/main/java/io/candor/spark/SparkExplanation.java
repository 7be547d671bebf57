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
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
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

    /** Explains every sample of a split held by the driver; the rows are computed when the result is used. */
    static Dataset<Row> ofSplit(SparkSession spark, byte[] onnx, String label, DatasetSplit split, ExplainSettings settings) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<List<Row>> batches = TensorRows.batches(split, settings.batchSize());
        TensorRows.Layout layout = TensorRows.layout(split);
        StructType schema = schema(attributionShape(onnx, label, split, settings), settings.method().equals("cd"));
        int slices = Math.max(1, Math.min(batches.size(), jsc.defaultParallelism()));
        JavaRDD<Row> rows = jsc.parallelize(batches, slices)
                .mapPartitions(new PerBatch(jsc.broadcast(onnx), label, layout, settings));
        return spark.createDataFrame(rows, schema);
    }

    /** One sample's attribution shape, from explaining the first sample here, before the tasks run. */
    private static long[] attributionShape(byte[] onnx, String label, DatasetSplit split, ExplainSettings settings) {
        DatasetSplit first = TensorRows.split(TensorRows.batches(split, 1).get(0), TensorRows.layout(split));
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

    /** A task: its batches explained one at a time, a row per sample. */
    private static final class PerBatch implements FlatMapFunction<Iterator<List<Row>>, Row> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<byte[]> model;
        private final String label;
        private final TensorRows.Layout layout;
        private final ExplainSettings settings;

        PerBatch(Broadcast<byte[]> model, String label, TensorRows.Layout layout, ExplainSettings settings) {
            this.model = model;
            this.label = label;
            this.layout = layout;
            this.settings = settings;
        }

        @Override
        public Iterator<Row> call(Iterator<List<Row>> batches) {
            return Engines.withThreads(settings.threads(), () -> {
                List<Row> out = new ArrayList<>();
                try (ModelPool.Lease lease = ModelPool.borrow(model.value(), label)) {
                    batches.forEachRemaining(batch -> out.addAll(rows(lease.executor(), batch)));
                }
                return out.iterator();
            });
        }

        private List<Row> rows(Executor executor, List<Row> batch) {
            DatasetSplit split = TensorRows.split(batch, layout);
            try (NDManager m = Engines.newManager()) {
                Explanation e = explain(executor, m, split, settings);
                float[] attributions = e.attributions().toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                        .toFloatArray();
                int n = batch.size();
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
                            ? new Object[] {batch.get(i).getLong(0), split.labels()[i], target, logit, a, completeness}
                            : new Object[] {batch.get(i).getLong(0), split.labels()[i], target, logit, a, completeness,
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
}
