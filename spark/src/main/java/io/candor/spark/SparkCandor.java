package io.candor.spark;

import io.candor.cli.SparkJobs;
import io.candor.interop.CandorException;
import io.candor.models.data.DatasetFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
