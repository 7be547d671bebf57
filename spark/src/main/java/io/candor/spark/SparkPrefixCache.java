package io.candor.spark;

import com.fasterxml.jackson.databind.JsonNode;
import io.candor.finetune.FrozenPrefix;
import io.candor.finetune.PrefixShards;
import io.candor.finetune.SpuriousMasks;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.tensor.DataType;
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
import org.apache.spark.sql.types.StructType;

/**
 * The frozen prefix of {@code finetune} computed on Spark and written as Parquet shards, which
 * {@code finetune --prefix-shards} streams. Each task computes chunks of {@link FrozenPrefix#CHUNK}
 * samples exactly as the single-machine {@link FrozenPrefix} does, so the values are the same to the
 * bit. Columns: id, label, {@code marked} (whether the sample's mask marks anything), {@code values}
 * (the cut tensor, float32 bytes) and, when decomposed, {@code relevant} (its relevant part).
 */
final class SparkPrefixCache {
    static final String KIND = "prefix";
    private static final String MARKED = "marked";
    private static final String VALUES = "values";
    private static final String RELEVANT = "relevant";

    private SparkPrefixCache() {
    }

    /** What the job was asked to do. */
    record Request(String data, List<String> splits, String cut, boolean decompose, int shardRows, int threads)
            implements java.io.Serializable {
    }

    /**
     * Computes and writes the shards of every split, then {@code about.json}; returns the samples per split.
     * A split whose samples are all unmarked carries no decomposition ({@code about.json}'s
     * {@code decomposed} says so per split).
     */
    static Map<String, Long> write(SparkSession spark, byte[] onnx, String label, Request request, Path out) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String key;
        long[] sampleShape;
        DataType inputType;
        try (ModelPool.Lease lease = ModelPool.borrow(onnx, label)) {
            FrozenPrefix prefix = new FrozenPrefix(lease.executor(), request.cut(), null, line -> { });
            key = prefix.prefixKey();
            DatasetSplit first = FolderSplits.slice(FolderSplits.get(request.data(), request.splits().get(0)), 0, 1);
            long[] shape = prefix.compute(first, false, false).values().shape();
            sampleShape = Arrays.copyOfRange(shape, 1, shape.length);
            inputType = first.x().type();
        }
        // Which splits carry a decomposition is settled before any job runs, so a refusal writes nothing.
        Map<String, Boolean> decomposed = new LinkedHashMap<>();
        for (String split : request.splits()) {
            decomposed.put(split, request.decompose() && SpuriousMasks.any(SpuriousMasks.marked(FolderSplits.get(request.data(), split))));
        }
        if (request.decompose() && !decomposed.containsValue(true)) {
            throw new CandorException(request.data() + ": no sample of " + request.splits() + " is marked spurious, so there"
                    + " is nothing to decompose; give --no-decompose for a penalty-free fine-tuning");
        }
        Map<String, Long> written = new LinkedHashMap<>();
        for (String split : request.splits()) {
            DatasetSplit all = FolderSplits.get(request.data(), split);
            boolean parts = decomposed.get(split);
            boolean perSample = SpuriousMasks.perSample(all);
            int chunksPerShard = Math.max(1, request.shardRows() / FrozenPrefix.CHUNK);
            int chunks = (int) ((all.size() + FrozenPrefix.CHUNK - 1) / FrozenPrefix.CHUNK);
            BatchTask.FolderBatches batches = BatchTask.FolderBatches.of(jsc, request.data(), split, FrozenPrefix.CHUNK,
                    Math.max(1, (chunks + chunksPerShard - 1) / chunksPerShard));
            String cut = request.cut();
            BatchTask.Work<Row> work = (executor, chunk) -> rows(executor, cut, chunk, perSample, parts);
            JavaRDD<Row> rows = batches.numbers().mapPartitions(new BatchTask<>(jsc.broadcast(onnx), label, request.threads(),
                    batches.reader(), work));
            written.put(split, ShardSet.writeSplit(spark, rows, schema(parts), out, split));
        }
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("kind", KIND);
        about.put("model", label);
        about.put("data", request.data());
        about.put("cut", request.cut());
        about.put("prefixKey", key);
        about.put("decomposed", decomposed);
        about.put("sampleShape", sampleShape);
        about.put("inputType", inputType.name());
        about.put("splits", written);
        ShardSet.finish(out, about);
        return written;
    }

    private static StructType schema(boolean decomposed) {
        StructType s = DataTypes.createStructType(List.of(
                DataTypes.createStructField(TensorRows.ID, DataTypes.LongType, false),
                DataTypes.createStructField(TensorRows.LABEL, DataTypes.LongType, false),
                DataTypes.createStructField(MARKED, DataTypes.BooleanType, false),
                DataTypes.createStructField(VALUES, DataTypes.BinaryType, false)));
        return decomposed ? s.add(RELEVANT, DataTypes.BinaryType, false) : s;
    }

    private static List<Row> rows(Executor executor, String cut, BatchTask.Chunk chunk, boolean perSample, boolean decompose) {
        DatasetSplit split = chunk.split();
        FrozenPrefix.Values v = new FrozenPrefix(executor, cut, null, line -> { }).compute(split, perSample, decompose);
        boolean[] marked = SpuriousMasks.marked(split);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < chunk.ids().length; i++) {
            byte[] value = TensorRows.bytes(v.values().rows(i));
            rows.add(decompose
                    ? RowFactory.create(chunk.ids()[i], split.labels()[i], marked[i], value, TensorRows.bytes(v.relevant().rows(i)))
                    : RowFactory.create(chunk.ids()[i], split.labels()[i], marked[i], value));
        }
        return rows;
    }

    /** One split of a written set, as {@code finetune} streams it. */
    static PrefixShards read(Path dir, String split) {
        ShardSet set = ShardSet.open(dir, KIND);
        JsonNode about = set.about();
        List<Path> parts = set.parts(split);
        long[] counts = parts.stream().mapToLong(ShardSet::rows).toArray();
        long[] starts = new long[counts.length + 1];
        for (int i = 0; i < counts.length; i++) {
            starts[i + 1] = starts[i] + counts[i];
        }
        long[] sampleShape = ShardSet.longs(about.path("sampleShape"));
        boolean decomposed = about.path("decomposed").path(split).asBoolean();
        return new PrefixShards() {
            @Override
            public String cut() {
                return about.path("cut").asText();
            }

            @Override
            public String prefixKey() {
                return about.path("prefixKey").asText();
            }

            @Override
            public boolean tokenInputs() {
                return about.path("inputType").asText().equals(DataType.INT64.name());
            }

            @Override
            public boolean decomposed() {
                return decomposed;
            }

            @Override
            public long[] sampleShape() {
                return sampleShape.clone();
            }

            @Override
            public int count() {
                return counts.length;
            }

            @Override
            public long rows(int shard) {
                return counts[shard];
            }

            @Override
            public Shard read(int shard) {
                List<String> tensors = decomposed ? List.of(VALUES, RELEVANT) : List.of(VALUES);
                ShardSet.Part p = ShardSet.read(parts.get(shard), starts[shard], List.of(MARKED), tensors);
                return new Shard(p.tensor(VALUES, DataType.FLOAT32, sampleShape),
                        decomposed ? p.tensor(RELEVANT, DataType.FLOAT32, sampleShape) : null, p.labels(), p.flags().get(MARKED));
            }
        };
    }
}
