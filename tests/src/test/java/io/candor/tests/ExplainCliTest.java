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
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** candor explain end to end on the PyTorch fixtures: files, shapes, report, heatmaps, errors. */
class ExplainCliTest {
    private static Run candor(String... args) {
        return CliRunner.candor(args);
    }

    @TempDir
    Path dir;

    private static final Path MNIST = Fixtures.root().resolve("mnist_cnn_modules_opset17");
    private static final Path LSTM = Fixtures.root().resolve("lstm1_opset17");

    private Run explain(Path fixture, Path out, String... extra) {
        String[] base = {"explain", "--model", fixture.resolve("model.onnx").toString(), "--input",
            fixture.resolve("input.npy").toString(), "--out", out.toString()};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return candor(args);
    }

    /** --method METHOD with those of the settings (option, value pairs) that METHOD reads. */
    private static String[] withSettings(String method, String... settings) {
        java.util.Map<String, java.util.List<String>> reads = java.util.Map.of(
                "integrated-gradients", java.util.List.of("--steps"), "smoothgrad", java.util.List.of("--samples"),
                "occlusion", java.util.List.of("--window", "--stride"));
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--method", method));
        for (int i = 0; i < settings.length; i += 2) {
            if (reads.getOrDefault(method, java.util.List.of()).contains(settings[i])) {
                args.add(settings[i]);
                args.add(settings[i + 1]);
            }
        }
        return args.toArray(new String[0]);
    }

    @Test
    void everyImageMethodWritesAttributionsAReportAndHeatmaps() throws Exception {
        for (String method : new String[] {"saliency", "input-x-gradient", "integrated-gradients", "smoothgrad", "deeplift",
            "occlusion", "cd"}) {
            Path out = dir.resolve(method);
            Run r = explain(MNIST, out, withSettings(method, "--steps", "8", "--samples", "3"));
            assertEquals(0, r.code(), method + ": " + r.err());
            assertArrayEquals(new long[] {2, 1, 28, 28}, Npy.read(out.resolve("attributions.npy")).shape(), method);
            JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
            assertEquals(2, report.get("samples").size(), method);
            assertEquals(Fixtures.meta(MNIST).get("targets").get(0).asLong(), report.get("samples").get(0).get("target").asLong());
            BufferedImage heatmap = ImageIO.read(out.resolve("heatmap_000.png").toFile());
            assertTrue(heatmap.getWidth() >= 224, method + " heatmap is enlarged for a 28x28 input");
            String page = java.nio.file.Files.readString(out.resolve("report.html"));
            assertEquals(2, page.split("<img ", -1).length - 1, method + ": report.html shows both heatmaps");
            assertTrue(page.contains("candor explain --model "), method + ": and the command");
        }
        JsonNode ig = new ObjectMapper().readTree(dir.resolve("integrated-gradients/report.json").toFile());
        assertTrue(ig.get("samples").get(0).has("completeness_error"));
        HostTensor relevant = Npy.read(dir.resolve("cd/cd_relevant.npy"));
        assertEquals(3, relevant.rank(), "a sweep gives [batch, tiles, classes]");
        assertEquals(49, relevant.shape()[1], "28x28 in tiles of 4");
    }

    @Test
    void gradCamAtALayerAndEveryTarget() throws Exception {
        Run cam = explain(MNIST, dir.resolve("cam"), "--method", "grad-cam", "--layer", "/features/features.5/MaxPool_output_0");
        assertEquals(0, cam.code(), cam.err());
        assertArrayEquals(new long[] {2, 1, 4, 4}, Npy.read(dir.resolve("cam/attributions.npy")).shape());
        Run all = explain(MNIST, dir.resolve("all"), "--method", "saliency", "--target", "all");
        assertEquals(0, all.code(), all.err());
        HostTensor perClass = Npy.read(dir.resolve("all/attributions.npy"));
        assertArrayEquals(new long[] {2, 10, 1, 28, 28}, perClass.shape());
        Run three = explain(MNIST, dir.resolve("three"), "--method", "saliency", "--target", "3");
        assertEquals(0, three.code(), three.err());
        float[] k3 = Npy.read(dir.resolve("three/attributions.npy")).toFloatArray();
        float[] all3 = new float[784];
        System.arraycopy(perClass.toFloatArray(), 3 * 784, all3, 0, 784);
        Arrays2.assertClose(all3, java.util.Arrays.copyOf(k3, 784), 1e-6, "class 3 of --target all");
    }

    @Test
    void cdWithAMaskAndOnTokensAddsUpToTheLogits() throws Exception {
        Path mask = dir.resolve("mask.npy");
        float[] m = new float[784];
        for (int i = 0; i < 392; i++) {
            m[i] = 1;
        }
        Npy.write(mask, HostTensor.ofFloats(new long[] {28, 28}, m));
        Run r = explain(MNIST, dir.resolve("cdmask"), "--method", "cd", "--mask", mask.toString());
        assertEquals(0, r.code(), r.err());
        float[] logits = Npy.read(MNIST.resolve("output.npy")).toFloatArray();
        float[] rel = Npy.read(dir.resolve("cdmask/cd_relevant.npy")).toFloatArray();
        float[] irr = Npy.read(dir.resolve("cdmask/cd_irrelevant.npy")).toFloatArray();
        float[] sum = new float[rel.length];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = rel[i] + irr[i];
        }
        Arrays2.assertClose(logits, sum, 1e-5, "relevant + irrelevant");

        Run text = explain(LSTM, dir.resolve("text"), "--method", "cd", "--span", "2:4");
        assertEquals(0, text.code(), text.err());
        String html = Files.readString(dir.resolve("text/tokens.html"));
        assertTrue(html.contains("<span class=\"t\""), html);
        // The same tokens marked per sample by a mask: the same decomposition. Sample 1 marks other tokens.
        float[] marks = new float[3 * 7];
        for (int n = 0; n < 3; n++) {
            for (int t = 2; t <= 4; t++) {
                marks[n * 7 + t] = 1;
            }
        }
        Path tokenMask = dir.resolve("token-mask.npy");
        Npy.write(tokenMask, HostTensor.ofFloats(new long[] {3, 7}, marks));
        Run masked = explain(LSTM, dir.resolve("text-mask"), "--method", "cd", "--mask", tokenMask.toString());
        assertEquals(0, masked.code(), masked.err());
        Arrays2.assertClose(Npy.read(dir.resolve("text/cd_relevant.npy")).toFloatArray(),
                Npy.read(dir.resolve("text-mask/cd_relevant.npy")).toFloatArray(), 1e-6, "a mask of 2:4 = --span 2:4");
        java.util.Arrays.fill(marks, 7, 14, 0);
        marks[7] = 1;
        Npy.write(tokenMask, HostTensor.ofFloats(new long[] {3, 7}, marks));
        assertEquals(0, explain(LSTM, dir.resolve("text-mask2"), "--method", "cd", "--mask", tokenMask.toString()).code());
        float[] per = Npy.read(dir.resolve("text-mask2/cd_relevant.npy")).toFloatArray();
        float[] span = Npy.read(dir.resolve("text/cd_relevant.npy")).toFloatArray();
        Arrays2.assertClose(java.util.Arrays.copyOfRange(span, 0, 2), java.util.Arrays.copyOfRange(per, 0, 2), 1e-6, "sample 0");
        assertTrue(Math.abs(span[2] - per[2]) > 1e-6 || Math.abs(span[3] - per[3]) > 1e-6, "sample 1 marks token 0 alone");
        Run sweep = explain(LSTM, dir.resolve("sweep"), "--method", "cd");
        assertEquals(0, sweep.code(), sweep.err());
        assertArrayEquals(new long[] {3, 7, 2}, Npy.read(dir.resolve("sweep/cd_relevant.npy")).shape());
    }

    @Test
    void gradientMethodsAndOcclusionExplainTokensThroughTheirEmbeddings() throws Exception {
        for (String method : new String[] {"saliency", "input-x-gradient", "integrated-gradients", "smoothgrad", "occlusion"}) {
            Path out = dir.resolve("tok-" + method);
            Run r = explain(LSTM, out, withSettings(method, "--steps", "32", "--samples", "3", "--window", "1", "--stride", "1"));
            assertEquals(0, r.code(), method + ": " + r.err());
            assertArrayEquals(new long[] {3, 7}, Npy.read(out.resolve("attributions.npy")).shape(), method);
            assertTrue(Files.readString(out.resolve("tokens.html")).contains("<span class=\"t\""), method);
        }
        JsonNode ig = new ObjectMapper().readTree(dir.resolve("tok-integrated-gradients/report.json").toFile());
        for (JsonNode sample : ig.get("samples")) {
            assertTrue(Math.abs(sample.get("completeness_error").asDouble()) < 1e-2,
                    "IG over the embeddings sums to the logit change: " + sample);
        }
    }

    @Test
    void optionsThatDoNotApplyAreUsageErrors() {
        String[][] images = {
            {"--method", "saliency", "--layer", "x", "--layer applies only to --method grad-cam"},
            {"--method", "cd", "--span", "1:2", "--span applies only to token inputs"},
            {"--method", "saliency", "--steps", "8", "--steps applies only to integrated-gradients"},
            {"--method", "saliency", "--baseline", "zeros", "--baseline applies only to deeplift"},
            {"--method", "occlusion", "--window", "0", "--window must be a positive number, got 0"},
            {"--method", "smoothgrad", "--samples", "-3", "--samples must be a positive number"},
            {"--method", "grad-cam", "--mask", "m.png", "--mask applies only to --method cd"}};
        for (String[] c : images) {
            Run r = explain(MNIST, dir.resolve("u"), c[0], c[1], c[2], c[3]);
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().startsWith("candor: " + c[4]), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        Run mask = explain(LSTM, dir.resolve("t"), "--method", "cd", "--mask", MNIST.resolve("input.npy").toString());
        assertEquals(1, mask.code(), mask.err());
        assertTrue(mask.err().contains("--mask on token inputs [3, 7] must be [7] or [3, 7]"), mask.err());
        Run picture = explain(LSTM, dir.resolve("t"), "--method", "cd", "--mask", "m.png");
        assertEquals(2, picture.code(), picture.err());
        assertTrue(picture.err().contains("--mask applies only to token inputs as an .npy"), picture.err());
        Run baseline = explain(LSTM, dir.resolve("s"), "--method", "integrated-gradients", "--baseline",
                MNIST.resolve("input.npy").toString());
        assertEquals(2, baseline.code(), baseline.err());
        assertTrue(baseline.err().contains("--baseline applies only to float inputs"), baseline.err());
        assertFalse(Files.exists(dir.resolve("s").resolve("attributions.npy")));
    }

    @Test
    void misuseIsOneClearLine() {
        Run noLayer = explain(MNIST, dir.resolve("x"), "--method", "grad-cam");
        assertEquals(1, noLayer.code());
        assertTrue(noLayer.err().contains("--layer"), noLayer.err());
        Run tokens = explain(LSTM, dir.resolve("y"), "--method", "deeplift");
        assertEquals(1, tokens.code());
        assertTrue(tokens.err().contains("does not apply to token inputs"), tokens.err());
        Run method = explain(MNIST, dir.resolve("z"), "--method", "magic");
        assertEquals(2, method.code());
        assertTrue(method.err().contains("--method must be one of"), method.err());
        Run span = explain(LSTM, dir.resolve("w"), "--method", "cd", "--span", "5:99");
        assertEquals(1, span.code());
        assertTrue(span.err().contains("outside"), span.err());
        Run script = candor("explain", "--model", MNIST.resolve("model.pt").toString(), "--input",
                MNIST.resolve("input.npy").toString(), "--method", "cd", "--out", dir.resolve("v").toString());
        assertEquals(1, script.code());
        assertTrue(script.err().contains("needs the model's ONNX graph"), script.err());
        Run both = candor("explain", "--model", "m.onnx", "--input", "a.npy", "--image", "b.png", "--method", "cd", "--out", "o");
        assertEquals(2, both.code());
    }
}
