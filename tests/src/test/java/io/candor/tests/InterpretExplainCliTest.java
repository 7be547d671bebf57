package io.candor.tests;

import static io.candor.tests.CliRunner.candor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.ort.OrtModel;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import io.candor.interop.testing.Arrays2;
import io.candor.models.data.DatasetFolder;
import io.candor.tests.CliRunner.Run;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code candor interpret explain}: FLINT's local explanation, checked against ONNX Runtime and the head's weight. */
class InterpretExplainCliTest {
    /** The colour of the track behind each bar (InterpretExplainCommand.TRACK_RGB). */
    private static final int TRACK = 0xE6EBF2;
    private static final int ATTRIBUTES = 8;

    @TempDir
    Path dir;

    @Test
    void explainsSamplesByTheirMostRelevantAttributes() throws IOException {
        Path data = dir.resolve("decoys");
        assertEquals(0, candor("data", "make", "decoy-digits", "--out", data.toString(), "--n-train", "600", "--n-val", "100",
                "--n-test", "100").code());
        Path model = dir.resolve("cnn.onnx");
        assertEquals(0, candor("train", "--data", data.toString(), "--epochs", "1", "--out", model.toString()).code());
        Path dictionary = dir.resolve("dictionary");
        Run interpret = candor("interpret", "--model", model.toString(), "--data", data.toString(), "--taps", "pool2",
                "--attributes", String.valueOf(ATTRIBUTES), "--epochs", "1", "--loss-weights", "of=1@0", "--picture-steps", "1x2",
                "--concepts",
                data.resolve("concepts").resolve("concepts.npy").toString(), "--out", dictionary.toString());
        assertEquals(0, interpret.code(), interpret.err());

        HostTensor digits = DatasetFolder.read(data, "test").x();
        int n = 4;
        HostTensor few = HostTensor.ofFloats(new long[] {n, 1, 28, 28}, Arrays.copyOf(digits.toFloatArray(), n * 784));
        Path x = dir.resolve("x.npy");
        Npy.write(x, few);
        Path out = dir.resolve("explained");
        Run run = candor("interpret", "explain", "--interpreter", dictionary.toString(), "--input", x.toString(), "--out",
                out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("sample 3: f class") && run.out().contains("wrote"), run.out());
        JsonNode samples = new ObjectMapper().readTree(out.resolve("explanations.json").toFile()).get("samples");
        assertEquals(n, samples.size());

        // Independently: ONNX Runtime on the merged model, and W from its initializer.
        OnnxModel merged = OnnxReader.read(dictionary.resolve("model_interpreted.onnx"));
        HostTensor head = merged.graph().initializers().get("interpreter/h.weight");
        assertEquals(List.of(10L, (long) ATTRIBUTES), Arrays.stream(head.shape()).boxed().toList());
        float[] w = head.toFloatArray();
        Map<String, HostTensor> ort;
        try (OrtModel session = OrtModel.open(merged)) {
            ort = session.run(Map.of("input", few), List.of("fc2", "attributes", "interpreter_logits"));
        }
        float[] f = ort.get("fc2").toFloatArray();
        float[] phi = ort.get("attributes").toFloatArray();
        float[] g = ort.get("interpreter_logits").toFloatArray();
        Map<Integer, String> concepts = new HashMap<>();
        new ObjectMapper().readTree(dictionary.resolve("dictionary.json").toFile()).get("concepts")
                .forEach(c -> concepts.put(c.get("attribute").asInt(), c.get("name").asText()));
        assertEquals(3, concepts.size(), "decoy-digits binds three concepts");
        for (int s = 0; s < n; s++) {
            JsonNode e = samples.get(s);
            int c = argmax(Arrays.copyOfRange(g, s * 10, s * 10 + 10));
            assertEquals(c, e.get("gClass").asInt(), "g's class of sample " + s);
            assertEquals(argmax(Arrays.copyOfRange(f, s * 10, s * 10 + 10)), e.get("fClass").asInt(), "f's class of sample " + s);
            double p = e.get("fProbability").asDouble();
            assertTrue(p > 0.1 && p <= 1, "f's probability is that of its top class among 10: " + p);
            float[] alpha = new float[ATTRIBUTES];
            for (int j = 0; j < ATTRIBUTES; j++) {
                float ortPhi = phi[s * ATTRIBUTES + j];
                assertEquals(ortPhi, e.get("phi").get(j).asDouble(), 1e-4, "Phi_" + j + " of sample " + s);
                alpha[j] = ortPhi * w[c * ATTRIBUTES + j];
                assertEquals(alpha[j], e.get("alpha").get(j).asDouble(), 1e-4, "alpha_" + j + " of sample " + s);
                assertEquals(e.get("phi").get(j).asDouble() * w[c * ATTRIBUTES + j], e.get("alpha").get(j).asDouble(),
                        1e-6, "alpha_" + j + " = Phi_j W[c][j] of sample " + s);
            }
            JsonNode top = e.get("top");
            assertEquals(3, top.size());
            List<Integer> chosen = new ArrayList<>();
            for (int k = 0; k < top.size(); k++) {
                int j = top.get(k).get("attribute").asInt();
                chosen.add(j);
                assertEquals(e.get("alpha").get(j).asDouble(), top.get(k).get("alpha").asDouble(), 0);
                if (k > 0) {
                    assertTrue(top.get(k).get("alpha").asDouble() <= top.get(k - 1).get("alpha").asDouble(), "sorted: " + top);
                }
                assertEquals(concepts.get(j), top.get(k).has("concept") ? top.get(k).get("concept").asText() : null,
                        "the concept bound to attribute " + j);
            }
            double third = top.get(2).get("alpha").asDouble();
            for (int j = 0; j < ATTRIBUTES; j++) {
                assertTrue(chosen.contains(j) || alpha[j] <= third + 1e-6,
                        "attribute " + j + " (alpha " + alpha[j] + ") would be among the top 3 " + top);
            }
            assertEquals(3, bars(ImageIO.read(out.resolve("sample_" + s + ".png").toFile())), "bars of sample " + s);
        }

        // One sample without its batch axis, five attributes.
        Path one = dir.resolve("one.npy");
        Npy.write(one, HostTensor.ofFloats(new long[] {1, 28, 28}, Arrays.copyOf(digits.toFloatArray(), 784)));
        Path out5 = dir.resolve("explained5");
        Run five = candor("interpret", "explain", "--interpreter", dictionary.toString(), "--input", one.toString(),
                "--top", "5", "--out", out5.toString());
        assertEquals(0, five.code(), five.err());
        JsonNode alone = new ObjectMapper().readTree(out5.resolve("explanations.json").toFile()).get("samples");
        assertEquals(1, alone.size());
        assertEquals(5, alone.get(0).get("top").size());
        assertEquals(samples.get(0).get("top").get(0).get("attribute").asInt(),
                alone.get(0).get("top").get(0).get("attribute").asInt(), "the same digit alone or in a batch");
        Arrays2.assertClose(floats(samples.get(0).get("alpha")), floats(alone.get(0).get("alpha")), 1e-5, "alpha alone");
        BufferedImage picture5 = ImageIO.read(out5.resolve("sample_0.png").toFile());
        BufferedImage picture3 = ImageIO.read(out.resolve("sample_0.png").toFile());
        assertEquals(5, bars(picture5));
        assertTrue(picture5.getHeight() > picture3.getHeight(), "five rows need more height than three");

        // Bad input: a clear message, the exit code, nothing written.
        Path never = dir.resolve("never");
        String[] base = {"interpret", "explain", "--interpreter", dictionary.toString(), "--out", never.toString(), "--input"};
        expect(1, "does not exist", "interpret", "explain", "--interpreter", dir.resolve("nowhere").toString(), "--input",
                x.toString(), "--out", never.toString());
        expect(1, "has no model_interpreted.onnx", "interpret", "explain", "--interpreter", data.toString(), "--input",
                x.toString(), "--out", never.toString());
        Path wrongShape = dir.resolve("wrong.npy");
        Npy.write(wrongShape, HostTensor.ofFloats(new long[] {2, 1, 14, 28}, new float[2 * 14 * 28]));
        expect(1, "[2, 1, 14, 28]", concat(base, wrongShape.toString()));
        Path ids = dir.resolve("ids.npy");
        Npy.write(ids, HostTensor.ofLongs(new long[] {1, 1, 28, 28}, new long[784]));
        expect(1, "int64", concat(base, ids.toString()));
        float[] withNan = Arrays.copyOf(digits.toFloatArray(), 2 * 784);
        withNan[900] = Float.NaN;
        Path nan = dir.resolve("nan.npy");
        Npy.write(nan, HostTensor.ofFloats(new long[] {2, 1, 28, 28}, withNan));
        expect(1, "NaN", concat(base, nan.toString()));
        expect(2, "--top", concat(base, x.toString(), "--top", "0"));
        expect(2, "exceeds the " + ATTRIBUTES + " attributes", concat(base, x.toString(), "--top", "9"));
        expect(2, "--input", "interpret", "explain", "--interpreter", dictionary.toString(), "--out", never.toString());
        expect(2, "do not apply", "interpret", "--model", model.toString(), "explain", "--interpreter",
                dictionary.toString(), "--input", x.toString(), "--out", never.toString());
        assertFalse(Files.exists(never), "nothing written");
        // interpret itself still requires its options, as a usage error.
        expect(2, "--taps", "interpret", "--model", model.toString(), "--data", data.toString(), "--out", never.toString());
        assertFalse(Files.exists(never), "nothing written");
    }

    /**
     * The bars drawn: each sits on a track whose left edge (the leftmost pixels of the track's colour) is
     * one unbroken vertical run per bar.
     */
    private static int bars(BufferedImage image) {
        int left = Integer.MAX_VALUE;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < Math.min(left, image.getWidth()); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == TRACK) {
                    left = x;
                    break;
                }
            }
        }
        assertTrue(left < image.getWidth(), "no bar track in the picture");
        int runs = 0;
        boolean inside = false;
        for (int y = 0; y < image.getHeight(); y++) {
            boolean track = (image.getRGB(left, y) & 0xFFFFFF) == TRACK;
            if (track && !inside) {
                runs++;
            }
            inside = track;
        }
        return runs;
    }

    private static void expect(int code, String message, String... args) {
        Run run = candor(args);
        assertEquals(code, run.code(), String.join(" ", args) + ": " + run.err());
        assertTrue(run.err().contains(message), run.err());
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), "one line, no stack trace: " + run.err());
    }

    private static String[] concat(String[] base, String... more) {
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private static float[] floats(JsonNode array) {
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) array.get(i).asDouble();
        }
        return v;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
