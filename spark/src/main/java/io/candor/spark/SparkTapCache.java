package io.candor.spark;

import com.fasterxml.jackson.databind.JsonNode;
import io.candor.interop.CandorException;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import io.candor.interpreter.TapCache;
import io.candor.models.data.DatasetSplit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The tap cache of {@code interpret} computed on Spark and written as Parquet shards, which
 * {@code interpret --tap-shards} reads instead of running the model. Each task computes batches with
 * the single-machine {@link TapCache#compute}. Columns: id, label, {@code logits}, {@code inputs} (what
 * the decoder reconstructs) and {@code tap_0}, {@code tap_1}, ... in the order of {@code about.json}'s
 * {@code taps} (Parquet column names cannot hold every character a tensor name can).
 */
final class SparkTapCache {
    static final String KIND = "taps";
    private static final String LOGITS = "logits";
    private static final String INPUTS = "inputs";

    private SparkTapCache() {
    }

    /** What the job was asked to do. */
    record Request(String data, List<String> splits, List<String> taps, int batchSize, int shardRows, int threads)
            implements java.io.Serializable {
    }

    /**
     * Computes and writes every split's shards, then {@code about.json}; returns the samples per split.
     * {@code onnx} is the model as interpret reads it (an LSTM's taps already adapted).
     */
    static Map<String, Long> write(SparkSession spark, byte[] onnx, String label, Request request, Path out) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        TapCache first;
        try (ModelPool.Lease lease = ModelPool.borrow(onnx, label)) {
            DatasetSplit one = FolderSplits.slice(FolderSplits.get(request.data(), request.splits().get(0)), 0, 1);
            first = TapCache.compute(lease.executor(), one, request.taps(), 1);
        }
        Map<String, Long> written = new LinkedHashMap<>();
        for (String split : request.splits()) {
            int batches = (int) ((FolderSplits.get(request.data(), split).size() + request.batchSize() - 1) / request.batchSize());
            int perShard = Math.max(1, request.shardRows() / request.batchSize());
            BatchTask.FolderBatches numbers = BatchTask.FolderBatches.of(jsc, request.data(), split, request.batchSize(),
                    Math.max(1, (batches + perShard - 1) / perShard));
            List<String> taps = request.taps();
            int batchSize = request.batchSize();
            BatchTask.Work<Row> work = (executor, chunk) -> rows(TapCache.compute(executor, chunk.split(), taps, batchSize),
                    chunk.ids());
            JavaRDD<Row> rows = numbers.numbers().mapPartitions(new BatchTask<>(jsc.broadcast(onnx), label, request.threads(),
                    numbers.reader(), work));
            written.put(split, ShardSet.writeSplit(spark, rows, schema(taps.size()), out, split));
        }
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("kind", KIND);
        about.put("model", label);
        about.put("modelSha256", ModelPool.digest(onnx));
        about.put("data", request.data());
        about.put("taps", request.taps());
        Map<String, long[]> shapes = new LinkedHashMap<>(first.sampleShapes());
        about.put("tapShapes", shapes);
        about.put("classes", first.logits().shape()[1]);
        about.put("inputType", first.inputs().type().name());
        about.put("inputShape", Arrays.copyOfRange(first.inputs().shape(), 1, first.inputs().rank()));
        about.put("splits", written);
        ShardSet.finish(out, about);
        return written;
    }

    private static StructType schema(int taps) {
        List<StructField> fields = new ArrayList<>(List.of(
                DataTypes.createStructField(TensorRows.ID, DataTypes.LongType, false),
                DataTypes.createStructField(TensorRows.LABEL, DataTypes.LongType, false),
                DataTypes.createStructField(LOGITS, DataTypes.BinaryType, false),
                DataTypes.createStructField(INPUTS, DataTypes.BinaryType, false)));
        for (int i = 0; i < taps; i++) {
            fields.add(DataTypes.createStructField(column(i), DataTypes.BinaryType, false));
        }
        return DataTypes.createStructType(fields);
    }

    private static String column(int tap) {
        return "tap_" + tap;
    }

    private static List<Row> rows(TapCache cache, long[] ids) {
        List<HostTensor> taps = new ArrayList<>(cache.taps().values());
        List<Row> rows = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            Object[] values = new Object[4 + taps.size()];
            values[0] = ids[i];
            values[1] = cache.labels()[i];
            values[2] = TensorRows.bytes(cache.logits().rows(i));
            values[3] = TensorRows.bytes(cache.inputs().rows(i));
            for (int t = 0; t < taps.size(); t++) {
                values[4 + t] = TensorRows.bytes(taps.get(t).rows(i));
            }
            rows.add(RowFactory.create(values));
        }
        return rows;
    }

    /**
     * One split of a written set as a tap cache (without concept labels), its shards read one at a time.
     *
     * @param onnx the model as interpret reads it (its taps adapted), which must be the one cached
     * @param taps the taps the reader wants, which must be the ones cached, in their order
     */
    static TapCache read(Path dir, String split, byte[] onnx, List<String> taps) {
        ShardSet set = ShardSet.open(dir, KIND);
        JsonNode about = set.about();
        if (!ModelPool.digest(onnx).equals(about.path("modelSha256").asText())) {
            throw new CandorException(dir + " was cached from another model (" + about.path("model").asText() + ", SHA-256 "
                    + about.path("modelSha256").asText().substring(0, Math.min(12, about.path("modelSha256").asText().length()))
                    + "...): cache the taps of this one with candor cache taps");
        }
        List<String> cached = new ArrayList<>();
        about.path("taps").forEach(t -> cached.add(t.asText()));
        if (!cached.equals(taps)) {
            throw new CandorException(dir + " caches the taps " + cached + ", not " + taps + ": write shards of these taps"
                    + " with candor cache taps");
        }
        long classes = about.path("classes").asLong();
        DataType inputType = DataType.valueOf(about.path("inputType").asText());
        long[] inputShape = ShardSet.longs(about.path("inputShape"));
        List<String> columns = new ArrayList<>(List.of(LOGITS, INPUTS));
        for (int i = 0; i < taps.size(); i++) {
            columns.add(column(i));
        }
        // Rows gathered from every part and stacked once (joining part by part would copy quadratically).
        Map<String, List<byte[]>> rows = new LinkedHashMap<>();
        columns.forEach(c -> rows.put(c, new ArrayList<>()));
        List<long[]> labels = new ArrayList<>();
        long next = 0;
        for (Path part : set.parts(split)) {
            ShardSet.Part p = ShardSet.read(part, next, List.of(), columns);
            next += p.ids().length;
            labels.add(p.labels());
            columns.forEach(c -> rows.get(c).addAll(p.tensors().get(c)));
        }
        if (next == 0) {
            throw new CandorException(dir.resolve(split) + " holds no samples");
        }
        Map<String, HostTensor> tapped = new LinkedHashMap<>();
        for (int i = 0; i < taps.size(); i++) {
            tapped.put(taps.get(i), ShardSet.stack(rows.get(column(i)), DataType.FLOAT32,
                    ShardSet.longs(about.path("tapShapes").path(taps.get(i)))));
        }
        return new TapCache(tapped, ShardSet.stack(rows.get(LOGITS), DataType.FLOAT32, new long[] {classes}),
                ShardSet.stack(rows.get(INPUTS), inputType, inputShape),
                labels.stream().flatMapToLong(java.util.Arrays::stream).toArray(), null, null);
    }
}
