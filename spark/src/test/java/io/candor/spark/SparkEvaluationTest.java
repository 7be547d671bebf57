package io.candor.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.candor.cli.Candor;
import io.candor.cli.SparkJobs;
import io.candor.finetune.CdShare;
import io.candor.finetune.Evaluation;
import io.candor.finetune.SwapTest;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxReader;
import io.candor.models.data.DatasetFolder;
import io.candor.models.data.DatasetSplit;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * evaluate on Spark in local mode gives exactly the single-machine metrics: on a split of three batches
 * (256, 256, 88 samples) with a mask per sample, at one and two task slots, from a dataset folder and
 * from Parquet (its columns in any order).
 */
class SparkEvaluationTest {
    @TempDir
    static Path dir;

    private static Path data;
    private static Path model;

    @BeforeAll
    static void aSmallLesionModel() {
        data = dir.resolve("lesions");
        candor("data", "make", "patch-lesions", "--size", "32", "--out", data.toString(), "--n-train", "300", "--n-val", "50",
                "--n-test", "600");
        model = dir.resolve("cnn.onnx");
        candor("train", "--arch", "lesion-cnn", "--data", data.toString(), "--epochs", "1", "--out", model.toString());
    }

    private static String candor(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Candor.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, String.join(" ", args) + ": " + err);
        return out.toString();
    }

    private static SparkJobs.Evaluated singleMachine(String split) {
        DatasetSplit s = DatasetFolder.read(data, split);
        try (Executor ex = Executor.of(OnnxReader.read(model))) {
            return new SparkJobs.Evaluated(Evaluation.of(ex, s, 256), SwapTest.of(ex, s, 256), CdShare.of(ex, s, 64));
        }
    }

    private static void assertSame(SparkJobs.Evaluated expected, SparkJobs.Evaluated actual) {
        Evaluation e = expected.evaluation();
        Evaluation a = actual.evaluation();
        assertEquals(e.samples(), a.samples());
        assertEquals(e.accuracy(), a.accuracy());
        assertArrayEquals(e.perClassAccuracy(), a.perClassAccuracy());
        for (int c = 0; c < e.confusion().length; c++) {
            assertArrayEquals(e.confusion()[c], a.confusion()[c]);
        }
        assertEquals(e.rocAuc(), a.rocAuc(), "ROC AUC, exactly");
        assertEquals(e.bestF1(), a.bestF1());
        assertEquals(expected.swap(), actual.swap(), "the swap test, exactly");
        assertEquals(expected.cdShare(), actual.cdShare(), "CD's share, exactly");
        assertTrue(expected.sameAs(actual));
    }

    @Test
    void metricsEqualTheSingleMachineOnesAtOneAndTwoSlots() {
        SparkJobs.Evaluated expected = singleMachine("test_attacked");
        assertNotNull(expected.swap(), "the attacked split marks every sample");
        for (String master : new String[] {"local[1]", "local[2]"}) {
            SparkJobs.Evaluated actual = new SparkCandor().evaluate(master, model, data, "test_attacked", 256, 64);
            assertSame(expected, actual);
        }
    }

    @Test
    void parquetRowsKeepTheTensorsLayoutAndGiveTheSameMetrics() {
        SparkJobs.Evaluated expected = singleMachine("test");
        Path parquet = dir.resolve("test.parquet");
        SparkSession spark = Sessions.open("local[2]");
        try {
            TensorRows.of(spark, DatasetFolder.read(data, "test")).write().parquet(parquet.toString());
            Dataset<Row> rows = spark.read().parquet(parquet.toString());
            TensorRows.Layout layout = TensorRows.layout(rows.schema());
            assertArrayEquals(new long[] {3, 32, 32}, layout.shape());
            assertArrayEquals(new long[] {1, 32, 32}, layout.maskShape(), "a mask per sample");
            byte[] onnx = Files.readAllBytes(model);
            assertSame(expected, SparkEvaluation.ofRows(spark, onnx, "cnn.onnx", rows, new SparkEvaluation.Work(256, true, 64, 1)));
            Dataset<Row> reordered = rows.select(TensorRows.MASK, TensorRows.X, TensorRows.LABEL, TensorRows.ID);
            assertSame(expected, SparkEvaluation.ofRows(spark, onnx, "cnn.onnx", reordered, new SparkEvaluation.Work(256, true, 64, 2)));

            CandorException e = assertThrows(CandorException.class,
                    () -> TensorRows.layout(rows.drop(TensorRows.LABEL).schema()));
            assertTrue(e.getMessage().contains("no 'label' column"), e.getMessage());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            spark.stop();
        }
    }

    @Test
    void theCommandLineRunsOnSparkAndPrintsTheSameJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode plain = json.readTree(candor("evaluate", "--model", model.toString(), "--data", data.toString(), "--split",
                "test_attacked", "--json", "--cd-share"));
        JsonNode distributed = json.readTree(candor("evaluate", "--model", model.toString(), "--data", data.toString(),
                "--split", "test_attacked", "--json", "--cd-share", "--spark"));
        assertTrue(plain.has("cdShare"), plain.toString());
        assertEquals(plain, distributed);
    }
}
