package io.candor.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.candor.tests.CliRunner.Run;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import io.candor.interop.testing.Arrays2;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.tensor.DataType;
import io.candor.models.arch.MnistCnn;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The candor command end to end, in-process: output, files written, exit codes and error lines. */
class CliTest {
    private static Run candor(String... args) {
        return CliRunner.candor(args);
    }

    @TempDir
    static Path dir;
    static Path model;
    static Path input;

    @BeforeAll
    static void writeModel() throws Exception {
        model = dir.resolve("mnist.onnx");
        Files.write(model, MnistCnn.build(7).toByteArray());
        input = dir.resolve("x.npy");
        Npy.write(input, HostTensor.ofFloats(new long[] {3, 1, 28, 28}, Arrays2.random(3, 3 * 784)));
    }

    @Test
    void benchFinetuneTimesEachPenaltyAndWritesOneProfilePerConfiguration() throws Exception {
        Path trace = dir.resolve("steps.json");
        Run r = candor("bench", "finetune", "--penalties", "none,cdep", "--iterations", "2", "--warmup", "0",
                "--profile", trace.toString());
        assertEquals(0, r.code(), r.err());
        for (String row : new String[] {"none     whole network", "cdep     after 'flatten' (cached)"}) {
            assertTrue(r.out().contains(row), r.out());
        }
        for (String config : new String[] {"none-whole", "none-cached", "cdep-whole", "cdep-cached"}) {
            Path file = dir.resolve("steps-" + config + ".json");
            JsonNode events = new ObjectMapper().readTree(file.toFile());
            events = events.has("traceEvents") ? events.get("traceEvents") : events;
            boolean convolves = false;
            for (JsonNode e : events) {
                convolves |= e.path("name").asText().startsWith("aten::conv");
            }
            // Only the whole network's steps convolve; the cached ones start after the convolutions.
            assertEquals(config.endsWith("whole"), convolves, config);
        }
        assertEquals(2, candor("bench", "finetune", "--iterations", "0").code());
    }

    @Test
    void everyCommandsHelpRendersWithoutPicocliWarnings() {
        // picocli formats descriptions with String.format: a lone '%' prints a warning and the raw text.
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true));
        java.util.List<String> rendered = new java.util.ArrayList<>();
        try {
            java.util.Deque<picocli.CommandLine> todo = new java.util.ArrayDeque<>();
            todo.add(new picocli.CommandLine(new io.candor.cli.Candor()));
            while (!todo.isEmpty()) {
                picocli.CommandLine command = todo.poll();
                assertFalse(command.getUsageMessage().isBlank());
                rendered.add(command.getCommandSpec().qualifiedName());
                todo.addAll(command.getSubcommands().values());
            }
        } finally {
            System.setErr(stderr);
        }
        assertTrue(rendered.size() > 20, rendered.toString());
        assertEquals("", captured.toString(), "warnings while rendering " + rendered);
    }

    @Test
    void helpListsTheCommands() {
        Run r = candor("--help");
        assertEquals(0, r.code());
        for (String command : new String[] {"inspect", "predict", "bench", "demo", "reproduce"}) {
            assertTrue(r.out().contains(command), r.out());
        }
        Run reproduce = candor("reproduce", "cdep", "--help");
        assertEquals(0, reproduce.code());
        assertTrue(reproduce.out().contains("results.md") && reproduce.out().contains("--quick"), reproduce.out());
        assertEquals(2, candor("reproduce", "cdep", "--seeds", "0").code(), "at least one seed");
        Run clarc = candor("reproduce", "clarc", "--help");
        assertEquals(0, clarc.code());
        assertTrue(clarc.out().contains("P-ClArC") && clarc.out().contains("--benchmark"), clarc.out());
        Run unknown = candor("reproduce", "clarc", "--benchmark", "imagenet");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("patch-lesions or decoy-digits"), unknown.err());
    }

    @Test
    void doctorChecksEveryKernelAtOneAndTwoThreadsAndGivesAVerdict() {
        Run r = candor("doctor");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("oneDNN ISA"), r.out());
        assertTrue(r.out().matches("(?s).*1 thread\\s+2 threads.*"), r.out());
        for (String kernel : new String[] {"Conv in 20, out 24", "Conv in 50, out 20", "MatMul", "MaxPool 3x3", "AveragePool", "LSTM hidden 16"}) {
            assertTrue(r.out().matches("(?s).*" + kernel + "[^\\n]*ok[^\\n]*ok\\n.*"), kernel + ": " + r.out());
        }
        assertTrue(r.out().contains("Verdict: this machine computes Candor's kernels correctly."), r.out());
    }

    @Test
    void inspectShowsEveryTensorWithItsShape() {
        Run r = candor("inspect", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("opset:      13"), r.out());
        assertTrue(r.out().matches("(?s).*conv1\\s+\\[1, 20, 24, 24\\].*"), r.out());
        assertTrue(r.out().matches("(?s).*pool2\\s+\\[1, 50, 4, 4\\].*"), r.out());
        assertTrue(r.out().contains("233,196"), "parameter count: " + r.out());
    }

    @Test
    void inspectJson() throws Exception {
        Run r = candor("inspect", model.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(233_196, json.get("parameters").asLong());
        assertEquals(10, json.get("nodes").size());
        JsonNode fc2 = json.get("nodes").get(9).get("outputs").get(0);
        assertEquals("fc2", fc2.get("tensor").asText());
        assertEquals("[1,10]", fc2.get("shape").toString());
    }

    @Test
    void predictGivesTheSameLogitsOnBothEngines() {
        Path ort = dir.resolve("ort.npy");
        Path djl = dir.resolve("djl.npy");
        Run a = candor("predict", "--model", model.toString(), "--input", input.toString(), "--out", ort.toString());
        Run b = candor("predict", "--model", model.toString(), "--input", input.toString(), "--out", djl.toString(),
                "--engine", "djl");
        assertEquals(0, a.code(), a.err());
        assertEquals(0, b.code(), b.err());
        HostTensor ya = Npy.read(ort);
        HostTensor yb = Npy.read(djl);
        assertArrayEquals(new long[] {3, 10}, ya.shape());
        Arrays2.assertClose(ya.toFloatArray(), yb.toFloatArray(), 1e-5, "ort vs djl");
        assertTrue(a.out().contains("top class per sample"), a.out());
    }

    @Test
    void badNumbersAreUsageErrorsBeforeAnyWork() {
        Path out = dir.resolve("never.onnx");
        String[][] cases = {
            {"--lr", "-1", "--lr must be a positive number, got -1"},
            {"--lr", "NaN", "--lr must be a positive number, got NaN"},
            {"--epochs", "0", "--epochs must be a positive number, got 0"},
            {"--batch", "0", "--batch must be a positive number"},
            {"--weight-decay", "-0.1", "--weight-decay must be zero or more"},
            {"--optimizer", "rmsprop", "--optimizer must be one of adam, sgd"},
            {"--momentum", "0.5", "--momentum applies only to --optimizer sgd"}};
        for (String[] c : cases) {
            Run r = candor("train", "--data", dir.resolve("no-data").toString(), "--out", out.toString(), c[0], c[1]);
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().startsWith("candor: " + c[2]), r.err());
            assertTrue(r.err().contains("(see 'candor train --help')"), r.err());
        }
        assertFalse(Files.exists(out));
        Run data = candor("data", "make", "decoy-digits", "--out", dir.resolve("d").toString(), "--n-train", "0");
        assertEquals(2, data.code(), data.err());
    }

    @Test
    void nonFiniteResultsAreNeverWrittenAsResults() throws Exception {
        // y = x / x * w: a sample with a zero in it gives NaN, the others are finite.
        GraphBuilder g = new GraphBuilder("nan-maker", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2);
        String ratio = g.node("Div", "ratio", new String[] {x, x});
        g.node("Gemm", "y", new String[] {ratio, g.initializer("w", HostTensor.ofFloats(new long[] {2, 2}, 1, 2, 3, 4))},
                "transB", 1L);
        g.output("y", DataType.FLOAT32, -1, 2);
        Path nanModel = dir.resolve("nan-maker.onnx");
        Files.write(nanModel, g.build().toByteArray());
        Path x3 = dir.resolve("x3.npy");
        Npy.write(x3, HostTensor.ofFloats(new long[] {3, 2}, 1, 2, 0, 3, 4, 5));
        for (String engine : new String[] {"ort", "djl"}) {
            Path y = dir.resolve("y-" + engine + ".npy");
            Run r = candor("predict", "--model", nanModel.toString(), "--input", x3.toString(), "--out", y.toString(),
                    "--engine", engine);
            assertEquals(1, r.code(), engine + ": " + r.out());
            assertTrue(r.err().contains("of sample [1] are not finite"), r.err());
            assertFalse(Files.exists(y), "nothing is written");
        }
        Path explained = dir.resolve("nan-explained");
        Run e = candor("explain", "--model", nanModel.toString(), "--input", x3.toString(), "--method", "saliency",
                "--target", "0", "--out", explained.toString());
        assertEquals(1, e.code(), e.out());
        assertTrue(e.err().contains("sample [1]"), e.err());
        assertFalse(Files.exists(explained.resolve("attributions.npy")), "nothing is written");
    }

    @Test
    void badInputIsOneLineAndExitCodeOne() throws Exception {
        Run missing = candor("inspect", dir.resolve("nope.onnx").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().startsWith("candor: model file") && missing.err().contains("does not exist"),
                missing.err());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());

        Path text = dir.resolve("notes.onnx");
        Files.writeString(text, "this is not a model\n");
        Run corrupt = candor("inspect", text.toString());
        assertEquals(1, corrupt.code());
        assertTrue(corrupt.err().contains(text.toString()), corrupt.err());

        Path truncated = dir.resolve("truncated.onnx");
        byte[] bytes = Files.readAllBytes(model);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Run cut = candor("predict", "--model", truncated.toString(), "--input", input.toString(), "--out",
                dir.resolve("y.npy").toString());
        assertEquals(1, cut.code());
        assertTrue(cut.err().contains("truncated"), cut.err());
        // One readable line: the first sentence of protobuf's message, nothing of ONNX Runtime's logging.
        assertEquals(1, cut.err().strip().lines().count(), cut.err());
        assertTrue(cut.err().startsWith("candor: ") && cut.err().strip().length() < 300, cut.err());

        Path wrong = dir.resolve("wrong.npy");
        Npy.write(wrong, HostTensor.ofFloats(new long[] {1, 3, 28, 28}, new float[3 * 784]));
        Path out = dir.resolve("never.npy");
        Run shape = candor("predict", "--model", model.toString(), "--input", wrong.toString(), "--out", out.toString(),
                "--engine", "djl");
        assertEquals(1, shape.code());
        assertTrue(shape.err().contains("expects"), shape.err());
        assertFalse(Files.exists(out), "nothing is written on failure");

        float[] v = new float[784];
        v[5] = Float.NaN;
        Path nan = dir.resolve("nan.npy");
        Npy.write(nan, HostTensor.ofFloats(new long[] {1, 1, 28, 28}, v));
        Run nanRun = candor("predict", "--model", model.toString(), "--input", nan.toString(), "--out", out.toString());
        assertEquals(1, nanRun.code());
        assertTrue(nanRun.err().contains("NaN"), nanRun.err());
    }

    @Test
    void wrongUsageIsExitCodeTwo() {
        Run r = candor("predict", "--model", model.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Missing required option"), r.err());
        assertEquals(2, candor("inspect", model.toString(), "--no-such-option").code());
    }

    @Test
    void dataTrainAndEvaluateFromTheCommandLine() throws Exception {
        Path data = dir.resolve("digits");
        assertEquals(0, candor("data", "make", "decoy-digits", "--out", data.toString(), "--n-train", "600", "--n-val", "100",
                "--n-test", "100").code());
        Path grid = dir.resolve("grid.png");
        assertEquals(0, candor("data", "show", data.toString(), "--count", "10", "--out", grid.toString()).code());
        java.awt.image.BufferedImage picture = javax.imageio.ImageIO.read(grid.toFile());
        assertEquals(8 * (28 * 3 + 8), picture.getWidth(), "8 columns of enlarged digits");
        assertEquals(0xff0000, picture.getRGB(4, 4) & 0xffffff, "the corner mask's outline is red");
        Path model = dir.resolve("trained.onnx");
        Run train = candor("train", "--data", data.toString(), "--epochs", "2", "--out", model.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(Files.exists(dir.resolve("trained.metrics.json")) && Files.exists(dir.resolve("trained.checkpoint.zip")));
        Path fixed = dir.resolve("fixed.onnx");
        Run finetune = candor("finetune", "--model", model.toString(), "--data", data.toString(), "--cut", "flatten",
                "--penalty", "cdep", "--lambda", "30", "--epochs", "1", "--cache", dir.resolve("cache").toString(),
                "--out", fixed.toString());
        assertEquals(0, finetune.code(), finetune.err());
        assertTrue(finetune.out().contains("computed 'flatten' for 600 train samples"), finetune.out());
        String page = Files.readString(dir.resolve("fixed.report.html"));
        assertTrue(page.contains("bias score") && page.contains("candor finetune --model "), "the curves, the table, the command");
        assertEquals(6, page.split("class=\"series\"", -1).length - 1,
                "loss and accuracy have two series each, penalty and bias score one: 6 in all");
        Run again = candor("finetune", "--model", model.toString(), "--data", data.toString(), "--cut", "flatten",
                "--penalty", "cdep", "--lambda", "30", "--epochs", "1", "--cache", dir.resolve("cache").toString(),
                "--out", dir.resolve("again.onnx").toString());
        assertTrue(again.out().contains("read 'flatten' for 600 train samples"), again.out());
        assertArrayEquals(Files.readAllBytes(fixed), Files.readAllBytes(dir.resolve("again.onnx")),
                "the cached prefix gives the same repaired model");
        var before = io.candor.interop.onnx.OnnxReader.read(model);
        var after = io.candor.interop.onnx.OnnxReader.read(fixed);
        assertEquals(before.graph().nodes().size(), after.graph().nodes().size(), "the same graph");
        Arrays2.assertClose(before.graph().initializers().get("conv1.weight").toFloatArray(),
                after.graph().initializers().get("conv1.weight").toFloatArray(), 0, "frozen before the cut");
        assertTrue(Arrays2.relativeError(after.graph().initializers().get("fc2.weight").toFloatArray(),
                before.graph().initializers().get("fc2.weight").toFloatArray()) > 0, "trained after the cut");
        Run predicted = candor("predict", "--model", fixed.toString(), "--input", input.toString(), "--out",
                dir.resolve("fixed-y.npy").toString());
        assertEquals(0, predicted.code(), "ONNX Runtime runs the repaired model: " + predicted.err());
        Run badCut = candor("finetune", "--model", model.toString(), "--data", data.toString(), "--cut", "nowhere",
                "--out", dir.resolve("never.onnx").toString());
        assertEquals(1, badCut.code());
        assertTrue(badCut.err().contains("no tensor named 'nowhere'"), badCut.err());
        Run afterOutput = candor("finetune", "--model", model.toString(), "--data", data.toString(), "--cut", "fc2",
                "--out", dir.resolve("never.onnx").toString());
        assertEquals(1, afterOutput.code());
        assertTrue(afterOutput.err().contains("no weights to train after 'fc2'"), afterOutput.err());
        assertFalse(Files.exists(dir.resolve("never.onnx")));
        Path repaired = dir.resolve("cdep.onnx");
        Run cdep = candor("train", "--data", data.toString(), "--epochs", "1", "--penalty", "cdep", "--lambda", "30",
                "--out", repaired.toString());
        assertEquals(0, cdep.code(), cdep.err());
        assertTrue(cdep.out().contains("penalty"), cdep.out());
        JsonNode epoch1 = new ObjectMapper().readTree(dir.resolve("cdep.metrics.json").toFile()).get(0);
        double share = epoch1.get("penalty").asDouble();
        assertTrue(share > 0 && share < 1, "the corner patches' mean share of the logits: " + share);
        double bias = epoch1.get("biasScore").asDouble();
        assertTrue(bias > 0 && bias < 1, "the bias score on validation: " + bias);
        assertTrue(cdep.out().contains("bias score"), cdep.out());
        Run rrr = candor("train", "--data", data.toString(), "--epochs", "1", "--penalty", "rrr", "--lambda", "100",
                "--out", dir.resolve("rrr.onnx").toString());
        assertEquals(0, rrr.code(), rrr.err());
        double rrrPenalty = new ObjectMapper().readTree(dir.resolve("rrr.metrics.json").toFile()).get(0).get("penalty").asDouble();
        assertTrue(rrrPenalty > 0, "the squared input gradient on the corners: " + rrrPenalty);
        Run eg = candor("train", "--data", data.toString(), "--epochs", "1", "--penalty", "eg", "--lambda", "1",
                "--eg-references", "4", "--out", dir.resolve("eg.onnx").toString());
        assertEquals(0, eg.code(), eg.err());
        double egPenalty = new ObjectMapper().readTree(dir.resolve("eg.metrics.json").toFile()).get(0).get("penalty").asDouble();
        assertTrue(egPenalty > 0, "Expected Gradients on the corners: " + egPenalty);
        Run egMisused = candor("train", "--data", data.toString(), "--penalty", "cdep", "--lambda", "1",
                "--eg-references", "4", "--out", dir.resolve("never.onnx").toString());
        assertEquals(2, egMisused.code(), "--eg-references only with --penalty eg");
        assertEquals(2, candor("train", "--data", data.toString(), "--penalty", "rrr", "--lambda", "1", "--cdep-pixels", "8",
                "--out", dir.resolve("never.onnx").toString()).code(), "--cdep-pixels only with --penalty cdep");
        Run pixelsOnMasks = candor("train", "--data", data.toString(), "--penalty", "cdep", "--cdep-pixels", "8", "--out",
                dir.resolve("never.onnx").toString());
        assertEquals(2, pixelsOnMasks.code(), "the data has masks");
        assertTrue(pixelsOnMasks.err().contains("leave --cdep-pixels out"), pixelsOnMasks.err());
        Run noGpu = candor("train", "--data", data.toString(), "--epochs", "1", "--device", "gpu", "--out",
                dir.resolve("gpu.onnx").toString());
        assertEquals(1, noGpu.code(), "this machine has no GPU");
        assertTrue(noGpu.err().contains("--device gpu") && noGpu.err().contains("-Pgpu"), noGpu.err());
        assertFalse(Files.exists(dir.resolve("gpu.onnx")));
        assertEquals(2, candor("train", "--data", data.toString(), "--device", "tpu", "--out",
                dir.resolve("tpu.onnx").toString()).code());
        Run rrrFinetune = candor("finetune", "--model", model.toString(), "--data", data.toString(), "--cut", "flatten",
                "--penalty", "rrr", "--lambda", "100", "--epochs", "1", "--out", dir.resolve("rrr-fixed.onnx").toString());
        assertEquals(0, rrrFinetune.code(), rrrFinetune.err());
        assertTrue(rrrFinetune.out().contains("--penalty rrr takes the gradient with respect to the input"), rrrFinetune.out());
        Run defaultLambda = candor("train", "--data", data.toString(), "--penalty", "cdep", "--epochs", "1", "--out",
                dir.resolve("default-lambda.onnx").toString());
        assertEquals(0, defaultLambda.code(), defaultLambda.err());
        assertTrue(defaultLambda.out().contains("lambda 1000 (the default for --penalty cdep"), defaultLambda.out());
        Run negative = candor("train", "--data", data.toString(), "--penalty", "cdep", "--lambda", "-1", "--out",
                dir.resolve("x.onnx").toString());
        assertEquals(2, negative.code());
        Run resumed = candor("train", "--data", data.toString(), "--epochs", "3", "--patience", "0", "--resume", "--out",
                model.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("epoch 3:") && !resumed.out().contains("epoch 1:"), resumed.out());
        assertEquals(3, new ObjectMapper().readTree(dir.resolve("trained.metrics.json").toFile()).size());
        Run eval = candor("evaluate", "--model", model.toString(), "--data", data.toString(), "--split", "val", "--json");
        assertEquals(0, eval.code(), eval.err());
        JsonNode json = new ObjectMapper().readTree(eval.out());
        assertEquals(100, json.get("samples").asLong());
        assertTrue(json.get("accuracy").asDouble() > 0.3, "two epochs on 600 digits learn something: " + json.get("accuracy"));
        assertEquals(10, json.get("confusion").size());
        Path text = dir.resolve("text");
        assertEquals(0, candor("data", "make", "decoy-text", "--out", text.toString(), "--n-train", "800", "--n-val", "200",
                "--n-test", "200").code());
        Run lstm = candor("train", "--arch", "lstm-text", "--data", text.toString(), "--epochs", "3", "--lr", "0.003",
                "--out", dir.resolve("lstm.onnx").toString());
        assertEquals(0, lstm.code(), lstm.err());
        Run textCdep = candor("train", "--arch", "lstm-text", "--data", text.toString(), "--epochs", "1", "--penalty", "cdep",
                "--lambda", "1", "--out", dir.resolve("lstm-cdep.onnx").toString());
        assertEquals(0, textCdep.code(), textCdep.err());
        JsonNode textEpoch = new ObjectMapper().readTree(dir.resolve("lstm-cdep.metrics.json").toFile()).get(0);
        assertTrue(textEpoch.get("penalty").asDouble() > 0, "the decoy words are penalised: " + textEpoch);
        Files.delete(text.resolve("train").resolve("mask.npy"));
        Run unmarked = candor("train", "--arch", "lstm-text", "--data", text.toString(), "--penalty", "cdep", "--lambda", "1",
                "--out", dir.resolve("never.onnx").toString());
        assertEquals(1, unmarked.code());
        assertTrue(unmarked.err().contains("marks nothing spurious"), unmarked.err());
        assertFalse(Files.exists(dir.resolve("never.onnx")));
        Run missing = candor("train", "--data", dir.resolve("none").toString(), "--out", model.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("does not exist"), missing.err());
    }
}
