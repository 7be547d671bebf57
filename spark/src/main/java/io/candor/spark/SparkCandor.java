package io.candor.spark;

import io.candor.cli.SparkJobs;
import io.candor.interop.CandorException;
import io.candor.models.data.DatasetFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.candor.interop.io.AtomicFiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Candor's jobs on Spark, as the CLI's --spark option runs them. */
public final class SparkCandor implements SparkJobs {

    @Override
    public Evaluated evaluate(String master, Path model, Path data, String split, int batchSize, int cdBatch) {
        byte[] onnx = modelBytes(model);
        var rows = DatasetFolder.read(data, split);
        SparkSession spark = Sessions.open(master);
        try {
            return SparkEvaluation.ofSplit(spark, onnx, model.getFileName().toString(), rows,
                    new SparkEvaluation.Work(batchSize, cdBatch > 0, cdBatch, Sessions.torchThreads(spark)));
        } finally {
            spark.stop();
        }
    }

    @Override
    public List<String> explain(String master, Path model, Path data, String split, ExplainSettings settings, Path out) {
        byte[] onnx = modelBytes(model);
        var rows = DatasetFolder.read(data, split);
        if (settings.maskFromSplit() && rows.mask() == null) {
            throw new CandorException("cd on --data decomposes each sample's mask.npy row, and " + data.resolve(split)
                    + " has no mask.npy");
        }
        Path parquet = out.resolve("explanations.parquet");
        if (Files.exists(parquet)) {
            throw new CandorException(parquet + " exists already; choose another --out or remove it");
        }
        SparkSession spark = Sessions.open(master);
        try {
            Dataset<Row> explained = SparkExplanation.ofSplit(spark, onnx, model.getFileName().toString(), rows,
                    settings.withThreads(Sessions.torchThreads(spark)));
            Files.createDirectories(out);
            explained.write().parquet(parquet.toString());
            Dataset<Row> written = spark.read().parquet(parquet.toString());
            long[] shape = written.schema().apply(SparkExplanation.ATTRIBUTIONS).metadata().getLongArray("candor.shape");
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", model.toString());
            summary.put("data", data.resolve(split).toString());
            summary.put("method", settings.method());
            summary.put("attributionShape", shape);
            summary.putAll(ExplanationSummary.write(written, shape, out));
            AtomicFiles.writeString(out.resolve("summary.json"),
                    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(summary));
            List<String> files = new ArrayList<>(List.of("explanations.parquet", "summary.json"));
            ((Map<?, ?>) summary.get("classes")).keySet().forEach(k -> files.add("mean-abs-class-" + k + ".npy"));
            return files;
        } catch (IOException e) {
            throw new CandorException("cannot write to " + out + ": " + e.getMessage(), e);
        } finally {
            spark.stop();
        }
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
