package io.candor.tests;

import static io.candor.tests.CliRunner.candor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.ort.OrtModel;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.testing.Arrays2;
import io.candor.tests.CliRunner.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterpretCliTest {
    @TempDir
    Path dir;

    @Test
    void learnsADictionaryAndWritesTheInterpreterAsOnnx() throws IOException {
        Path data = dir.resolve("digits");
        assertEquals(0, candor("data", "make", "decoy-digits", "--no-decoys", "--out", data.toString(), "--n-train", "600",
                "--n-val", "100", "--n-test", "200").code());
        Path model = dir.resolve("cnn.onnx");
        assertEquals(0, candor("train", "--data", data.toString(), "--epochs", "1", "--out", model.toString()).code());
        Path out = dir.resolve("dictionary");
        Run run = candor("interpret", "--model", model.toString(), "--data", data.toString(), "--taps", "pool2",
                "--attributes", "8", "--epochs", "3", "--loss-weights", "of=1@0,cd=0.2@1", "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("epoch 3:") && run.out().contains("fidelity"), run.out());
        JsonNode d = new ObjectMapper().readTree(out.resolve("dictionary.json").toFile());
        assertEquals(8, d.get("attributes").asInt());
        assertEquals(3, d.get("epochs").size());
        JsonNode metrics = d.get("metrics");
        assertEquals(200, metrics.get("samples").asInt());
        for (String key : new String[] {"accuracyF", "accuracyG", "fidelity", "top5Fidelity"}) {
            double v = metrics.get(key).asDouble();
            assertTrue(v >= 0 && v <= 1, key + " " + v);
        }
        assertEquals(6, metrics.get("conciseness").size());
        assertEquals(10, d.get("classRelevance").size());
        assertEquals(8, d.get("classRelevance").get(0).size());
        assertEquals(8, d.get("maxSamples").size());
        assertEquals(3, d.get("maxSamples").get(0).size());
        // Any runtime runs the interpreter: ONNX Runtime gives attributes for a batch of taps.
        try (OrtModel ort = OrtModel.open(OnnxReader.read(out.resolve("interpreter.onnx")))) {
            HostTensor taps = HostTensor.ofFloats(new long[] {2, 50, 4, 4}, Arrays2.random(3, 1600));
            assertArrayEquals(new long[] {2, 8}, ort.run(Map.of("pool2", taps)).get("attributes").shape());
        }
        // The model with the interpreter grafted on: its own output unchanged, the interpreter's beside it,
        // and Candor's executor agreeing with ONNX Runtime on all of them.
        HostTensor digits = io.candor.models.data.DatasetFolder.read(data, "test").x();
        HostTensor few = HostTensor.ofFloats(new long[] {4, 1, 28, 28}, java.util.Arrays.copyOf(digits.toFloatArray(), 4 * 784));
        var merged = OnnxReader.read(out.resolve("model_interpreted.onnx"));
        java.util.List<String> names = java.util.List.of("fc2", "attributes", "interpreter_logits", "reconstruction");
        try (OrtModel ort = OrtModel.open(merged); OrtModel original = OrtModel.open(OnnxReader.read(model));
                io.candor.interop.exec.Executor ex = io.candor.interop.exec.Executor.of(merged);
                ai.djl.ndarray.NDManager m = io.candor.interop.exec.Engines.newManager()) {
            Map<String, HostTensor> theirs = ort.run(Map.of("input", few), names);
            Arrays2.assertClose(original.run(Map.of("input", few)).get("fc2").toFloatArray(),
                    theirs.get("fc2").toFloatArray(), 1e-6, "the model's output is unchanged");
            var ours = ex.run(m, Map.of("input", few.toNDArray(m)), names);
            for (String name : names) {
                Arrays2.assertClose(theirs.get(name).toFloatArray(), HostTensor.of(ours.get(name)).toFloatArray(), 1e-4, name);
            }
        }
        Run noTap = candor("interpret", "--model", model.toString(), "--data", data.toString(), "--taps", "pool9",
                "--out", dir.resolve("never").toString());
        assertEquals(1, noTap.code());
        assertTrue(noTap.err().contains("pool9"), noTap.err());
        assertFalse(Files.exists(dir.resolve("never")), "nothing written");
        assertEquals(2, candor("interpret", "--model", model.toString(), "--data", data.toString(), "--taps", "pool2",
                "--attributes", "0", "--out", dir.resolve("never").toString()).code());
        Run badWeights = candor("interpret", "--model", model.toString(), "--data", data.toString(), "--taps", "pool2",
                "--loss-weights", "zz=1", "--out", dir.resolve("never").toString());
        assertEquals(2, badWeights.code());
        assertTrue(badWeights.err().contains("--loss-weights"), badWeights.err());
        assertEquals(2, candor("interpret", "--model", model.toString(), "--data", data.toString(), "--taps", "pool2",
                "--loss-weights", "of=0@0,if=0@0", "--epochs", "5", "--out", dir.resolve("never").toString()).code(),
                "epochs 1 to 4 would train nothing");
        Run again = candor("interpret", "--model", out.resolve("model_interpreted.onnx").toString(), "--data",
                data.toString(), "--taps", "pool2", "--out", dir.resolve("never").toString());
        assertEquals(1, again.code());
        assertTrue(again.err().contains("already has a tensor named 'attributes'"), again.err());
        assertFalse(Files.exists(dir.resolve("never")), "nothing written");
    }

    @Test
    void conceptsBindAttributesFromTheirOwnSplitAndTwoTapsFeedThem() throws IOException {
        Path data = dir.resolve("decoys");
        assertEquals(0, candor("data", "make", "decoy-digits", "--out", data.toString(), "--n-train", "600", "--n-val", "100",
                "--n-test", "300").code());
        Path model = dir.resolve("biased.onnx");
        assertEquals(0, candor("train", "--data", data.toString(), "--epochs", "1", "--out", model.toString()).code());
        Path concepts = data.resolve("concepts").resolve("concepts.npy");
        Path out = dir.resolve("dictionary");
        Run run = candor("interpret", "--model", model.toString(), "--data", data.toString(), "--taps", "pool1,pool2",
                "--attributes", "6", "--epochs", "2", "--concepts", concepts.toString(), "--picture-steps", "1x2",
                "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("on 240 samples of") && run.out().contains("(60 more held out)")
                && run.out().contains("concept corner_patch = attribute 0"), run.out());
        JsonNode d = new ObjectMapper().readTree(out.resolve("dictionary.json").toFile());
        assertEquals(2, d.get("taps").size());
        JsonNode bound = d.get("concepts");
        assertEquals(3, bound.size());
        assertEquals("closed_loop", bound.get(1).get("name").asText());
        assertEquals(1, bound.get(1).get("attribute").asInt());
        assertEquals(10, bound.get(1).get("weights").size());
        double auc = bound.get(1).get("auc").asDouble();
        assertTrue(auc >= 0 && auc <= 1, "test AUC " + auc);
        assertTrue(d.get("epochs").get(0).has("co"), "the binding loss is reported");
        assertEquals(3, d.get("conceptsHeldOut").size());
        double heldAuc = d.get("conceptsHeldOut").get(1).get("auc").asDouble();
        assertTrue(heldAuc >= 0 && heldAuc <= 1, "held-out AUC " + heldAuc);
        // The test split has the corner mask: each attribute's share of attribution inside it, and the one that reads it most.
        JsonNode exposure = d.get("biasExposure");
        assertEquals(6, exposure.get("maskShare").size());
        assertEquals(100.0 / 784, exposure.get("maskArea").asDouble(), 1e-6, "the four 5 x 5 corners");
        int most = exposure.get("mostInsideMask").asInt();
        for (JsonNode share : exposure.get("maskShare")) {
            assertTrue(share.asDouble() <= exposure.get("maskShare").get(most).asDouble());
        }
        assertTrue(run.out().contains("attribute " + most + " reads the masked region most"), run.out());
        for (int j = 0; j < 6; j++) {
            java.awt.image.BufferedImage picture = javax.imageio.ImageIO.read(out.resolve("pictures").resolve("attribute_" + j + ".png").toFile());
            assertTrue(picture.getWidth() > picture.getHeight(), "a row of pictures for attribute " + j);
        }
        assertTrue(javax.imageio.ImageIO.read(out.resolve("pictures").resolve("relevance.png").toFile()) != null);
        String report = Files.readString(out.resolve("report.html"));
        assertEquals(6, report.split("<img ", -1).length - 1, "report.html shows each attribute's pictures");
        assertTrue(report.contains("attribute 0 (corner_patch)") && report.contains("candor interpret --model "), "concepts and the command");
        try (OrtModel ort = OrtModel.open(OnnxReader.read(out.resolve("model_interpreted.onnx")))) {
            HostTensor x = HostTensor.ofFloats(new long[] {2, 1, 28, 28}, Arrays2.random(4, 2 * 784));
            assertArrayEquals(new long[] {2, 3}, ort.run(Map.of("input", x), java.util.List.of("concept_logits"))
                    .get("concept_logits").shape(), "the merged model reads both taps and gives the concept logits");
        }
        // Bad input: nothing written, a message that names the problem.
        Path never = dir.resolve("never");
        Run tooFew = candor("interpret", "--model", model.toString(), "--data", data.toString(), "--taps", "pool2",
                "--attributes", "2", "--concepts", concepts.toString(), "--out", never.toString());
        assertEquals(1, tooFew.code());
        assertTrue(tooFew.err().contains("need at least as many attributes"), tooFew.err());
        Run badSteps = candor("interpret", "--model", model.toString(), "--data", data.toString(), "--taps", "pool2",
                "--picture-steps", "6by50", "--out", never.toString());
        assertEquals(2, badSteps.code());
        assertTrue(badSteps.err().contains("ROUNDSxSTEPS"), badSteps.err());
        Path misfit = dir.resolve("misfit.npy");
        Files.copy(data.resolve("val").resolve("concepts.npy"), misfit);
        Files.copy(data.resolve("val").resolve("concepts.json"), dir.resolve("misfit.json"));
        Run rows = candor("interpret", "--model", model.toString(), "--data", data.toString(), "--taps", "pool2",
                "--concepts", misfit.toString(), "--out", never.toString());
        assertEquals(1, rows.code());
        assertTrue(rows.err().contains("100 rows") && rows.err().contains("600 samples"), rows.err());
        Run onTest = candor("interpret", "--model", model.toString(), "--data", data.toString(), "--taps", "pool2",
                "--concepts", data.resolve("test").resolve("concepts.npy").toString(), "--out", never.toString());
        assertEquals(2, onTest.code());
        assertTrue(onTest.err().contains("labels the test split"), onTest.err());
        assertFalse(Files.exists(never), "nothing written");
    }

    @Test
    void jointTrainingWritesTheModelAndItsInterpreter() throws IOException {
        Path data = dir.resolve("digits");
        assertEquals(0, candor("data", "make", "decoy-digits", "--no-decoys", "--out", data.toString(), "--n-train", "400",
                "--n-val", "50", "--n-test", "100").code());
        Path model = dir.resolve("joint.onnx");
        Run run = candor("train", "--data", data.toString(), "--epochs", "2", "--interpreter", "taps=pool1,pool2,attributes=5",
                "--out", model.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("epoch 2: ce"), run.out());
        Path folder = dir.resolve("joint.interpreter");
        JsonNode d = new ObjectMapper().readTree(folder.resolve("dictionary.json").toFile());
        assertEquals(2, d.get("taps").size());
        assertTrue(d.get("epochs").get(1).has("ce"), "the model's cross-entropy is part of the loss");
        assertFalse(OnnxReader.read(model).graph().hasTensor("attributes"), "MODEL.onnx is the model alone");
        assertTrue(Files.readString(folder.resolve("report.html")).contains("candor train --data "), "the report and its command");
        assertTrue(Files.exists(folder.resolve("pictures").resolve("attribute_4.png")));
        HostTensor x = HostTensor.ofFloats(new long[] {2, 1, 28, 28}, Arrays2.random(8, 2 * 784));
        try (OrtModel alone = OrtModel.open(OnnxReader.read(model));
                OrtModel merged = OrtModel.open(OnnxReader.read(folder.resolve("model_interpreted.onnx")))) {
            Arrays2.assertClose(alone.run(Map.of("input", x)).get("fc2").toFloatArray(),
                    merged.run(Map.of("input", x), java.util.List.of("fc2")).get("fc2").toFloatArray(), 1e-5,
                    "the merged model's prediction is the trained model's");
        }
        Path never = dir.resolve("never.onnx");
        Run bad = candor("train", "--data", data.toString(), "--interpreter", "taps=pool2,attributes=x", "--out", never.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("attributes must be a whole number"), bad.err());
        Run withPenalty = candor("train", "--data", data.toString(), "--interpreter", "taps=pool2", "--penalty", "cdep",
                "--out", never.toString());
        assertEquals(2, withPenalty.code());
        assertFalse(Files.exists(never), "nothing written");
    }

    @Test
    void theBenchRunsTheCommandsAndReportsTheirTimes() {
        Run bench = candor("bench", "interpret", "--samples", "300", "--epochs", "1", "--keep", dir.resolve("bench").toString());
        assertEquals(0, bench.code(), bench.err());
        assertTrue(bench.out().contains("cached tap pool2") && bench.out().contains("s per epoch"), bench.out());
        assertTrue(Files.exists(dir.resolve("bench").resolve("dictionary").resolve("dictionary.json")));
    }

    @Test
    void anLstmsLastHiddenStateAsTheTap() throws IOException {
        Path data = dir.resolve("text");
        assertEquals(0, candor("data", "make", "decoy-text", "--out", data.toString(), "--n-train", "300", "--n-val", "50",
                "--n-test", "100").code());
        Path lstm = dir.resolve("lstm.onnx");
        assertEquals(0, candor("train", "--arch", "lstm-text", "--data", data.toString(), "--epochs", "1", "--out",
                lstm.toString()).code());
        Path out = dir.resolve("text-dictionary");
        Run run = candor("interpret", "--model", lstm.toString(), "--data", data.toString(), "--taps", "last",
                "--attributes", "6", "--epochs", "2", "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        JsonNode epoch1 = new ObjectMapper().readTree(out.resolve("dictionary.json").toFile()).get("epochs").get(0);
        assertTrue(epoch1.get("if").asDouble() > 0, "token ids are reconstructed as their mean embedding: " + epoch1);
        HostTensor ids = io.candor.models.data.DatasetFolder.read(data, "test").x();
        HostTensor two = HostTensor.ofLongs(new long[] {2, ids.shape()[1]},
                java.util.Arrays.copyOf(ids.toLongArray(), (int) (2 * ids.shape()[1])));
        try (OrtModel ort = OrtModel.open(OnnxReader.read(out.resolve("model_interpreted.onnx")))) {
            Map<String, HostTensor> y = ort.run(Map.of("input", two), java.util.List.of("attributes", "reconstruction"));
            assertArrayEquals(new long[] {2, 6}, y.get("attributes").shape());
            assertArrayEquals(new long[] {2, 32}, y.get("reconstruction").shape(), "lstm-text's 32-wide embedding");
        }
        // The LSTM's own output Y [T, 1, N, H] as the tap, with concepts: read at its last step, batch first.
        Path sequence = dir.resolve("sequence-dictionary");
        Run onY = candor("interpret", "--model", lstm.toString(), "--data", data.toString(), "--taps", "lstm1.Y",
                "--attributes", "4", "--epochs", "1", "--concepts", data.resolve("concepts").resolve("concepts.npy").toString(),
                "--out", sequence.toString());
        assertEquals(0, onY.code(), onY.err());
        JsonNode d = new ObjectMapper().readTree(sequence.resolve("dictionary.json").toFile());
        assertEquals("lstm1.Y/last_step", d.get("taps").get(0).asText());
        assertEquals("decoy_word", d.get("concepts").get(0).get("name").asText());
        try (OrtModel ort = OrtModel.open(OnnxReader.read(sequence.resolve("model_interpreted.onnx")))) {
            Map<String, HostTensor> y = ort.run(Map.of("input", two), java.util.List.of("fc", "attributes"));
            assertArrayEquals(new long[] {2, 4}, y.get("attributes").shape());
            assertArrayEquals(new long[] {2, 2}, y.get("fc").shape(), "the model's own output is still there");
        }
    }
}
