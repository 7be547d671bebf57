package io.candor.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.candor.cli.HeatmapFiles;
import io.candor.cli.SparkJobs;
import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.data.DatasetSplit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Candor's jobs on Spark, as the CLI's --spark option runs them. */
public final class SparkCandor implements SparkJobs {
    /** Samples whose heatmaps {@code explain} draws. */
    private static final int PICTURES = 16;

    @Override
    public Evaluated evaluate(String master, Path model, Path data, String split, int batchSize, int cdBatch) {
        byte[] onnx = modelBytes(model);
        return inSession(master, null, spark -> {
            SparkEvaluation.Work work = new SparkEvaluation.Work(batchSize, cdBatch > 0, cdBatch, Sessions.torchThreads(spark));
            String label = model.getFileName().toString();
            if (isParquet(data)) {
                return SparkEvaluation.ofRows(spark, onnx, label, spark.read().parquet(data.toString()), work);
            }
            return SparkEvaluation.ofFolder(spark, onnx, label, data.toAbsolutePath().toString(), split, work);
        });
    }

    @Override
    public List<String> explain(String master, Path model, Path data, String split, ExplainSettings settings, Path out) {
        byte[] onnx = modelBytes(model);
        Path parquet = out.resolve("explanations.parquet");
        if (Files.exists(parquet)) {
            throw new CandorException(parquet + " exists already; choose another --out or remove it");
        }
        boolean rowsGiven = isParquet(data);
        DatasetSplit folder = rowsGiven ? null : FolderSplits.get(data.toAbsolutePath().toString(), split);
        return inSession(master, parquet, spark -> {
            Dataset<Row> input = rowsGiven ? spark.read().parquet(data.toString()) : null;
            boolean masked = rowsGiven ? TensorRows.layout(input.schema()).maskShape() != null : folder.mask() != null;
            if (settings.maskFromSplit() && !masked) {
                throw new CandorException("cd on --data decomposes each sample's mask, and " + (rowsGiven ? data + " has no mask"
                        + " column" : data.resolve(split) + " has no mask.npy"));
            }
            String label = model.getFileName().toString();
            ExplainSettings withThreads = settings.withThreads(Sessions.torchThreads(spark));
            Dataset<Row> explained = rowsGiven ? SparkExplanation.ofRows(spark, onnx, label, input, withThreads)
                    : SparkExplanation.ofFolder(spark, onnx, label, data.toAbsolutePath().toString(), split, withThreads);
            createDirectories(out);
            explained.write().parquet(uri(parquet));
            Dataset<Row> written = spark.read().parquet(uri(parquet));
            long[] shape = written.schema().apply(SparkExplanation.ATTRIBUTIONS).metadata().getLongArray("candor.shape");
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", model.toString());
            summary.put("data", rowsGiven ? data.toString() : data.resolve(split).toString());
            summary.put("method", settings.method());
            summary.put("attributionShape", shape);
            summary.putAll(ExplanationSummary.write(written, shape, out));
            AtomicFiles.writeString(out.resolve("summary.json"), json(summary));
            List<String> files = new ArrayList<>(List.of("explanations.parquet", "summary.json"));
            ((Map<?, ?>) summary.get("classes")).keySet().forEach(k -> files.add("mean-abs-class-" + k + ".npy"));
            java.util.function.Function<long[], HostTensor> inputs = rowsGiven ? ids -> inputsOf(input, ids)
                    : ids -> folder.x().rows(java.util.stream.LongStream.of(ids).mapToInt(Math::toIntExact).toArray());
            files.addAll(pictures(written, inputs, shape, settings.method(), out));
            return files;
        });
    }

    @Override
    public long writeRows(String master, Path data, String split, ImageSpec images, Path out) {
        if (Files.exists(out)) {
            throw new CandorException(out + " exists already; choose another --out or remove it");
        }
        return inSession(master, out, spark -> {
            if (images == null) {
                return SparkRows.ofFolder(spark, data.toAbsolutePath().toString(), split, out);
            }
            return SparkRows.ofImages(spark, new SparkRows.Decoding(images.height(), images.width(), images.mean(), images.std(),
                    images.grayscale(), data.resolve(split).toAbsolutePath().toString(),
                    images.masks() == null ? null : images.masks().resolve(split).toAbsolutePath().toString()), out);
        });
    }

    /** The inputs of the rows with these ids, in the order given. */
    private static HostTensor inputsOf(Dataset<Row> rows, long[] ids) {
        Object[] wanted = java.util.stream.LongStream.of(ids).boxed().toArray();
        List<Row> found = TensorRows.canonical(rows).where(org.apache.spark.sql.functions.col(TensorRows.ID).isin(wanted))
                .orderBy(TensorRows.ID).collectAsList();
        Map<Long, Row> byId = new java.util.HashMap<>();
        found.forEach(r -> byId.put(r.getLong(0), r));
        List<Row> ordered = java.util.stream.LongStream.of(ids).mapToObj(byId::get).toList();
        return TensorRows.split(ordered, TensorRows.layout(rows.schema())).x();
    }

    @Override
    public Map<String, Long> cachePrefix(String master, Path model, Path data, List<String> splits, String cut,
            boolean decompose, int shardRows, Path out) {
        byte[] onnx = modelBytes(model);
        ShardSet.requireFree(out);
        return inSession(master, out, spark -> SparkPrefixCache.write(spark, onnx, model.getFileName().toString(),
                new SparkPrefixCache.Request(data.toAbsolutePath().toString(), splits, cut, decompose, shardRows,
                        Sessions.torchThreads(spark)), out));
    }

    @Override
    public io.candor.finetune.PrefixShards prefixShards(Path shards, String split) {
        return SparkPrefixCache.read(shards, split);
    }

    @Override
    public Map<String, Long> cacheTaps(String master, byte[] onnx, String label, Path data, List<String> splits,
            List<String> taps, int batchSize, int shardRows, Path out) {
        ShardSet.requireFree(out);
        return inSession(master, out, spark -> SparkTapCache.write(spark, onnx, label, new SparkTapCache.Request(
                data.toAbsolutePath().toString(), splits, taps, batchSize, shardRows, Sessions.torchThreads(spark)), out));
    }

    @Override
    public io.candor.interpreter.TapCache tapShards(Path shards, String split, byte[] onnx, List<String> taps) {
        return SparkTapCache.read(shards, split, onnx, taps);
    }

    /**
     * Runs {@code job} in a session at {@code master} and stops the session after. When the job fails,
     * what it began to write at {@code partial} (a path that did not exist before, or an empty folder;
     * null for none) is removed, and the error a worker raised reaches the user as Candor's own (Spark
     * wraps it in its job failure), or as one line naming the root cause.
     */
    private static <T> T inSession(String master, Path partial, java.util.function.Function<SparkSession, T> job) {
        boolean existed = partial != null && Files.exists(partial);
        SparkSession spark = Sessions.open(master);
        try {
            return job.apply(spark);
        } catch (Exception e) { // Spark's job failures are checked exceptions thrown without being declared
            if (partial != null) {
                Outputs.remove(partial, existed);
            }
            throw Outputs.asCandor(e);
        } finally {
            FolderSplits.clear();
            spark.stop();
        }
    }

    /** A local path as the URI Spark reads and writes, so a cluster's default file system does not take it over. */
    static String uri(Path path) {
        return path.toAbsolutePath().toUri().toString();
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CandorException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String json(Object value) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("maps of strings, numbers and arrays always serialise", e);
        }
    }

    /**
     * Whether {@code data} is Parquet rows (a .parquet file, or a folder of part files as Spark writes
     * them) rather than a dataset folder of splits.
     */
    static boolean isParquet(Path data) {
        if (data.getFileName() != null && data.getFileName().toString().endsWith(".parquet")) {
            return true;
        }
        return Files.isRegularFile(data.resolve("_SUCCESS"));
    }

    /** Heatmaps of the first {@link #PICTURES} samples, drawn on the driver from the written rows. */
    private static List<String> pictures(Dataset<Row> written, java.util.function.Function<long[], HostTensor> inputsOf,
            long[] shape, String method, Path out) {
        List<Row> first = written.orderBy(TensorRows.ID).limit(PICTURES).collectAsList();
        if (first.isEmpty()) {
            return List.of();
        }
        int n = first.size();
        long[] ids = new long[n];
        long[] targets = new long[n];
        float[] logits = new float[n];
        List<byte[]> attributions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Row r = first.get(i);
            ids[i] = r.getLong(r.fieldIndex(TensorRows.ID));
            targets[i] = r.getLong(r.fieldIndex("target"));
            logits[i] = r.getFloat(r.fieldIndex("logit"));
            attributions.add(r.getAs(SparkExplanation.ATTRIBUTIONS));
        }
        if (targets[0] < 0) {
            return List.of();
        }
        long[] all = new long[shape.length + 1];
        all[0] = n;
        System.arraycopy(shape, 0, all, 1, shape.length);
        HostTensor maps = TensorRows.stack(io.candor.interop.tensor.DataType.FLOAT32, all, attributions);
        return HeatmapFiles.write(out, method, inputsOf.apply(ids), List.of(), maps, targets, logits, ids);
    }

    /** The model's bytes, checked on the driver first so that a bad file fails before any task starts. */
    private static byte[] modelBytes(Path model) {
        if (!Files.isRegularFile(model)) {
            throw new CandorException("model file " + model + " does not exist");
        }
        try {
            byte[] bytes = Files.readAllBytes(model);
            io.candor.interop.onnx.OnnxReader.read(bytes, model.toString());
            return bytes;
        } catch (IOException e) {
            throw new CandorException("cannot read model file " + model + ": " + e.getMessage(), e);
        }
    }
}
