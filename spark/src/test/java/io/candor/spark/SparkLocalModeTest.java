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
 * Candor's jobs on Spark in local mode give the single-machine figures. evaluate: exactly, on a split of
 * three batches (256, 256, 88 samples) with a mask per sample, at one and two task slots, from a dataset
 * folder and from Parquet (its columns in any order). explain: each sample's attributions, logit,
 * completeness and CD parts as the explainer gives them for the same batch on one machine.
 */
class SparkLocalModeTest {
    @TempDir
    static Path dir;

    private static Path data;
    private static Path model;

    @BeforeAll
    static void aSmallLesionModel() {
        data = SmallLesions.data();
        model = SmallLesions.model();
    }

    private static String candor(String... args) {
        return SmallLesions.candor(args);
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
        // The command line reads the same rows (after the session above is gone: it opens its own).
        ObjectMapper json = new ObjectMapper();
        try {
            JsonNode fromParquet = json.readTree(candor("evaluate", "--model", model.toString(), "--data", parquet.toString(),
                    "--json", "--spark", "local[1]"));
            JsonNode plain = json.readTree(candor("evaluate", "--model", model.toString(), "--data", data.toString(), "--split",
                    "test", "--json"));
            assertEquals(plain, fromParquet);
            StringWriter err = new StringWriter();
            assertEquals(2, Candor.run(new String[] {"evaluate", "--model", model.toString(), "--data", parquet.toString()},
                    new PrintWriter(new StringWriter()), new PrintWriter(err, true)));
            assertTrue(err.toString().contains("add --spark"), err.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
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

    @Test
    void explanationsWrittenAsParquetEqualTheExplainersOnTheSameBatches() throws Exception {
        // 200 samples in batches of 64: four batches, the last of 8.
        DatasetSplit all = DatasetFolder.read(data, "test_attacked");
        int[] first = java.util.stream.IntStream.range(0, 200).toArray();
        DatasetSplit attacked = new DatasetSplit(all.x().rows(first), all.y().rows(first), all.mask().rows(first));
        Path subset = dir.resolve("subset");
        attacked.write(subset.resolve("test_attacked"));
        byte[] onnx = Files.readAllBytes(model);
        SparkSession spark = Sessions.open("local[2]");
        try {
            for (String method : new String[] {"cd", "integrated-gradients"}) {
                SparkJobs.ExplainSettings settings = new SparkJobs.ExplainSettings(method, "top", 4, "trapezoid", 64, false,
                        0.15f, 25, "saliency", 0L, null, 4, 2, method.equals("cd"), 64, 1);
                Path out = dir.resolve(method + ".parquet");
                SparkExplanation.ofFolder(spark, onnx, "cnn.onnx", subset.toString(), "test_attacked", settings).write()
                        .parquet(out.toString());
                Dataset<Row> read = spark.read().parquet(out.toString());
                assertArrayEquals(new long[] {3, 32, 32}, read.schema().apply(SparkExplanation.ATTRIBUTIONS).metadata()
                        .getLongArray("candor.shape"));
                java.util.List<Row> rows = read.orderBy(TensorRows.ID).collectAsList();
                assertEquals(200, rows.size());
                compareWithOneMachine(attacked, settings, rows);
            }
        } finally {
            spark.stop();
        }
    }

    /** The explainer on each batch here, against the rows Spark wrote. */
    private static void compareWithOneMachine(DatasetSplit split, SparkJobs.ExplainSettings settings, java.util.List<Row> rows) {
        boolean cd = settings.method().equals("cd");
        try (Executor ex = Executor.of(OnnxReader.read(model))) {
            int size = settings.batchSize();
            for (int start = 0; start < split.size(); start += size) {
                int[] which = java.util.stream.IntStream.range(start, (int) Math.min(split.size(), start + size)).toArray();
                try (ai.djl.ndarray.NDManager m = io.candor.interop.exec.Engines.newManager()) {
                    io.candor.attribution.Explanation e = io.candor.attribution.Explainer.explain(
                            io.candor.attribution.ExecutorModel.of(ex), m, split.x().rows(which).toNDArray(m),
                            settings.options(split.mask().rows(which).toNDArray(m)));
                    float[] a = e.attributions().toFloatArray();
                    int each = a.length / which.length;
                    for (int k = 0; k < which.length; k++) {
                        Row r = rows.get(which[k]);
                        assertEquals(which[k], r.getLong(0));
                        assertEquals(e.targets()[k], r.getLong(2));
                        assertEquals(e.targetLogits()[k], r.getFloat(3), 1e-6);
                        float[] got = io.candor.interop.tensor.HostTensor.ofFloats(new long[] {each}, new float[each]).toFloatArray();
                        java.nio.ByteBuffer.wrap((byte[]) r.get(4)).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(got);
                        for (int j = 0; j < each; j++) {
                            assertEquals(a[k * each + j], got[j], 1e-6, "sample " + which[k] + ", feature " + j);
                        }
                        if (cd) {
                            float[] rel = e.cdRelevant().toFloatArray();
                            java.util.List<Float> relevant = r.getList(6);
                            assertEquals(rel[k * 2], relevant.get(0), 1e-6);
                            assertEquals(rel[k * 2 + 1], relevant.get(1), 1e-6);
                            assertTrue(Float.isNaN(r.getFloat(5)), "CD has no completeness error");
                        } else {
                            assertEquals(e.completeness()[k], r.getFloat(5), 1e-6);
                        }
                    }
                }
            }
        }
    }

    @Test
    void explainOnTheCommandLineWritesParquetAndAPerClassSummary() throws Exception {
        Path out = dir.resolve("explained");
        candor("explain", "--model", model.toString(), "--data", data.toString(), "--split", "test_attacked", "--method", "cd",
                "--spark", "--out", out.toString());
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(600, summary.get("samples").asLong());
        long perClass = 0;
        for (JsonNode c : summary.get("classes")) {
            perClass += c.get("samples").asLong();
            double share = c.get("cdShare").asDouble();
            assertTrue(share > 0 && share < 1, summary.toString());
            assertArrayEquals(new long[] {3, 32, 32},
                    io.candor.interop.tensor.Npy.read(out.resolve(c.get("meanAbsAttribution").asText())).shape());
        }
        assertEquals(600, perClass, "every sample under its explained class");
        assertTrue(Files.isDirectory(out.resolve("explanations.parquet")));
        for (int i = 0; i < 16; i++) {
            java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(out.resolve(String.format("heatmap_%03d.png", i)).toFile());
            assertTrue(png != null && png.getWidth() >= 32, "heatmap " + i + " decodes");
        }
        assertTrue(!Files.exists(out.resolve("heatmap_016.png")), "a sample of 16, not every row");

        StringWriter err = new StringWriter();
        int code = Candor.run(new String[] {"explain", "--model", model.toString(), "--input", "x.npy", "--method", "cd",
            "--spark", "--out", out.toString()}, new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        assertEquals(2, code);
        assertTrue(err.toString().contains("give --data DIR"), err.toString());
        code = Candor.run(new String[] {"explain", "--model", model.toString(), "--data", data.toString(), "--method",
            "saliency", "--spark", "--out", out.toString()}, new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        assertEquals(1, code, "the Parquet output exists already");
        assertTrue(err.toString().contains("exists already"), err.toString());
    }
}
