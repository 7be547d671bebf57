package io.candor.tests;

import static io.candor.tests.CliRunner.candor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import io.candor.models.data.DatasetFolder;
import io.candor.tests.CliRunner.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code candor clarc}: the CAV from concept labels, the projection written into the graph. Checked
 * independently: in the repaired model, the corrected activations lie at z along v and differ from the
 * original ones only along v; both runtimes run it.
 */
class ClarcCliTest {
    @TempDir
    static Path dir;

    private static Path data;
    private static Path model;

    @BeforeAll
    static void aSmallLesionModel() {
        data = dir.resolve("lesions");
        assertEquals(0, candor("data", "make", "patch-lesions", "--size", "32", "--out", data.toString(), "--n-train", "400",
                "--n-val", "50", "--n-test", "200").code());
        model = dir.resolve("cnn.onnx");
        assertEquals(0, candor("train", "--arch", "lesion-cnn", "--data", data.toString(), "--epochs", "1", "--out",
                model.toString()).code());
    }

    @Test
    void projectionHoldsTheArtifactsDirectionAtItsArtifactFreeValue() throws Exception {
        for (String cav : List.of("signal", "svm")) {
            Path out = dir.resolve("repaired-" + cav + ".onnx");
            Run run = candor("clarc", "--model", model.toString(), "--data", data.toString(), "--layer", "relu4", "--concept",
                    "patch", "--cav", cav, "--out", out.toString());
            assertEquals(0, run.code(), run.err());
            assertTrue(run.out().contains(data.resolve("concepts").toString()), "fits on the concepts split: " + run.out());
            JsonNode about = new ObjectMapper().readTree(dir.resolve("repaired-" + cav + ".cav.json").toFile());
            assertEquals(cav, about.get("cav").asText());
            assertTrue(about.get("runtimesMaxDifference").asDouble() < 1e-5, about.toString());
            assertTrue(about.get("probeAccuracy").asDouble() > 0.5, about.toString());
            float[] v = Npy.read(dir.resolve("repaired-" + cav + ".cav.npy")).toFloatArray();
            float[] z = Npy.read(dir.resolve("repaired-" + cav + ".mean-without.npy")).toFloatArray();
            assertEquals(64, v.length);
            assertEquals(1, dot(v, v), 1e-4, "a unit direction");

            OnnxModel repaired = OnnxReader.read(out);
            HostTensor x = DatasetFolder.read(data, "test").x().rows(IntStream.range(0, 8).toArray());
            try (Executor ex = Executor.of(repaired); NDManager m = Engines.newManager()) {
                Map<String, ai.djl.ndarray.NDArray> values = ex.run(m, Map.of("input", x.toNDArray(m)),
                        List.of("relu4", "relu4/clarc"));
                float[] a = values.get("relu4").toFloatArray();
                float[] corrected = values.get("relu4/clarc").toFloatArray();
                for (int n = 0; n < 8; n++) {
                    float[] before = java.util.Arrays.copyOfRange(a, n * 64, (n + 1) * 64);
                    float[] after = java.util.Arrays.copyOfRange(corrected, n * 64, (n + 1) * 64);
                    float[] centred = new float[64];
                    float[] moved = new float[64];
                    for (int k = 0; k < 64; k++) {
                        centred[k] = after[k] - z[k];
                        moved[k] = before[k] - after[k];
                    }
                    assertEquals(0, dot(v, centred), 1e-4, "v^T (a' - z) = 0, sample " + n);
                    // a - a' is a multiple of v: its part orthogonal to v is zero.
                    double along = dot(v, moved);
                    for (int k = 0; k < 64; k++) {
                        assertEquals(along * v[k], moved[k], 1e-4, "only along v, sample " + n);
                    }
                }
            }
        }
    }

    @Test
    void augmentFineTunesTheLayersAfterOnTheArtifactsMeanAndKeepsTheGraph() throws Exception {
        Path out = dir.resolve("aclarc.onnx");
        Run run = candor("clarc", "--mode", "augment", "--model", model.toString(), "--data", data.toString(), "--layer",
                "gpool", "--concept", "patch", "--epochs", "1", "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        OnnxModel original = OnnxReader.read(model);
        OnnxModel repaired = OnnxReader.read(out);
        assertEquals(original.graph().nodes().stream().map(n -> n.opType() + n.outputs()).toList(),
                repaired.graph().nodes().stream().map(n -> n.opType() + n.outputs()).toList(), "the original graph");
        for (String w : List.of("conv1.weight", "conv3.bias")) {
            assertEquals(original.graph().initializers().get(w).data(), repaired.graph().initializers().get(w).data(),
                    w + " lies before the layer: frozen");
        }
        assertFalse(original.graph().initializers().get("fc1.weight").data()
                .equals(repaired.graph().initializers().get("fc1.weight").data()), "fc1 lies after it: tuned");
        // The augmenting model held every sample at the artifact's mean along v.
        OnnxModel augmented = OnnxReader.read(dir.resolve("aclarc.augmented.onnx"));
        float[] z = augmented.graph().initializers().get("gpool/clarc/z").toFloatArray();
        float[] with = Npy.read(dir.resolve("aclarc.mean-with.npy")).toFloatArray();
        org.junit.jupiter.api.Assertions.assertArrayEquals(with, z);
        assertEquals("augment", new ObjectMapper().readTree(dir.resolve("aclarc.cav.json").toFile()).get("mode").asText());
    }

    @Test
    void rrClarcFineTunesFromTheCachedPrefixWithoutMasks() throws Exception {
        Path out = dir.resolve("rr.onnx");
        Run run = candor("finetune", "--model", model.toString(), "--data", data.toString(), "--cut", "gpool", "--penalty",
                "rr-clarc", "--concept", "patch", "--lambda", "10", "--epochs", "2", "--cache", dir.resolve("cache").toString(),
                "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("CAV (signal) at gpool") && run.out().contains("frozen prefix: computed 'gpool'"),
                run.out());
        JsonNode epochs = new ObjectMapper().readTree(dir.resolve("rr.metrics.json").toFile());
        for (JsonNode e : epochs) {
            double penalty = e.get("penalty").asDouble();
            assertTrue(Double.isFinite(penalty) && penalty >= 0, e.toString());
        }
        assertTrue(epochs.get(1).get("penalty").asDouble() < epochs.get(0).get("penalty").asDouble(),
                "the penalty falls: " + epochs);
        assertEquals(0, candor("evaluate", "--model", out.toString(), "--data", data.toString(), "--split", "test_attacked")
                .code());

        String[] base = {"finetune", "--model", model.toString(), "--data", data.toString(), "--penalty", "rr-clarc",
            "--out", dir.resolve("never.onnx").toString()};
        Run noConcept = candor(concat(base, "--cut", "gpool"));
        assertEquals(2, noConcept.code(), noConcept.err());
        assertTrue(noConcept.err().contains("--penalty rr-clarc needs --concept NAME"), noConcept.err());
        Run atInput = candor(concat(base, "--cut", "input", "--concept", "patch"));
        assertEquals(2, atInput.code(), atInput.err());
        assertTrue(atInput.err().contains("give it as --cut"), atInput.err());
        Run elsewhere = candor("finetune", "--model", model.toString(), "--data", data.toString(), "--cut", "gpool",
                "--penalty", "cdep", "--concept", "patch", "--out", dir.resolve("never.onnx").toString());
        assertEquals(2, elsewhere.code(), elsewhere.err());
        assertTrue(elsewhere.err().contains("--concept applies only to --penalty rr-clarc"), elsewhere.err());
        assertFalse(Files.exists(dir.resolve("never.onnx")));
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void evaluateGivesCdsShareOfThePatchesAndRefusesASplitThatMarksNone() throws Exception {
        Run run = candor("evaluate", "--model", model.toString(), "--data", data.toString(), "--split", "test_attacked",
                "--cd-share", "--json");
        assertEquals(0, run.code(), run.err());
        JsonNode share = new ObjectMapper().readTree(run.out()).get("cdShare");
        assertEquals(200, share.get("samples").asLong(), "every attacked image carries a patch");
        assertTrue(share.get("share").asDouble() > 0 && share.get("share").asDouble() < 1, share.toString());
        Run clean = candor("evaluate", "--model", model.toString(), "--data", data.toString(), "--split", "test_no_patches",
                "--cd-share");
        assertEquals(1, clean.code(), clean.out());
        assertTrue(clean.err().contains("marks nothing spurious"), clean.err());
    }

    @Test
    void badInputIsAClearErrorAndWritesNothing() {
        Path out = dir.resolve("never.onnx");
        expect(1, "has no concept 'ruler'", "--concept", "ruler", "--layer", "relu4", "--out", out.toString());
        expect(1, "no tensor named 'nowhere'", "--concept", "patch", "--layer", "nowhere", "--out", out.toString());
        expect(2, "--mode must be one of project, augment", "--mode", "retrain", "--concept", "patch", "--layer", "relu4",
                "--out", out.toString());
        expect(2, "--epochs applies only to --mode augment", "--epochs", "2", "--concept", "patch", "--layer", "relu4",
                "--out", out.toString());
        expect(2, "--cav must be one of signal, svm", "--cav", "pca", "--concept", "patch", "--layer", "relu4", "--out",
                out.toString());
        expect(1, "is a folder", "--concept", "patch", "--layer", "relu4", "--out", dir.toString());
        assertFalse(Files.exists(out), "nothing written");
    }

    private static void expect(int code, String message, String... options) {
        String[] args = new String[options.length + 5];
        args[0] = "clarc";
        args[1] = "--model";
        args[2] = model.toString();
        args[3] = "--data";
        args[4] = data.toString();
        System.arraycopy(options, 0, args, 5, options.length);
        Run run = candor(args);
        assertEquals(code, run.code(), String.join(" ", args) + ": " + run.err());
        assertTrue(run.err().contains(message), run.err());
        assertFalse(run.err().contains("\tat "), "one line, no stack trace: " + run.err());
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * (double) b[k];
        }
        return s;
    }
}
