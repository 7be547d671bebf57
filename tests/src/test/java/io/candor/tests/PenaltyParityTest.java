package io.candor.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.candor.finetune.Batch;
import io.candor.finetune.CrossEntropy;
import io.candor.finetune.penalty.Cdep;
import io.candor.finetune.penalty.Rrr;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.exec.vjp.InputGradient;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.tensor.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * CDEP's and RRR's values and weight gradients against PyTorch on a fixture it exported
 * ({@code tests/python/make_penalty_refs.py}: a torch transcription of CD, and the CDEP code's
 * gradient_sum with double backprop), the four corners marked spurious.
 */
class PenaltyParityTest {
    private static final Path FIXTURE = Fixtures.root().resolve("mnist_cnn_modules_opset17");
    private static final Path REFS = FIXTURE.resolve("penalties");

    private static JsonNode values() throws IOException {
        return new ObjectMapper().readTree(REFS.resolve("values.json").toFile());
    }

    /** Computes a penalty inside a gradient recording and compares its value and every weight's gradient. */
    private static void check(String name, BiFunction<Executor, NDManager, NDArray> penalty) throws IOException {
        JsonNode refs = values();
        try (Executor ex = Executor.of(OnnxReader.read(FIXTURE.resolve("model.onnx"))); NDManager m = Engines.newManager()) {
            List<String> weights = new java.util.ArrayList<>();
            refs.get("weights").forEach(w -> weights.add(w.asText()));
            weights.forEach(w -> ex.weight(w).setRequiresGradient(true));
            float value;
            try (GradientCollector c = Engines.pytorch().newGradientCollector()) {
                NDArray p = penalty.apply(ex, m);
                value = p.getFloat();
                c.backward(p);
            }
            assertEquals(refs.get(name).asDouble(), value, 1e-5 * Math.max(1, Math.abs(refs.get(name).asDouble())), name);
            for (String w : weights) {
                float[] expected = Npy.read(REFS.resolve(name + "_" + w + ".npy")).toFloatArray();
                float[] actual = ex.weight(w).getGradient().toFloatArray();
                double scale = 0;
                double worst = 0;
                for (int i = 0; i < expected.length; i++) {
                    scale = Math.max(scale, Math.abs(expected[i]));
                    worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
                }
                assertTrue(scale > 0, name + " " + w + ": the reference gradient is not all zero");
                assertTrue(worst <= 1e-4 * scale, name + " d/d" + w + ": worst difference " + worst + " against a largest "
                        + scale);
            }
            weights.forEach(w -> ex.weight(w).setRequiresGradient(false));
        }
    }

    private static NDArray[] batch(NDManager m) throws IOException {
        NDArray x = Npy.read(FIXTURE.resolve("input.npy")).toNDArray(m);
        long[] labels = new long[values().get("labels").size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = values().get("labels").get(i).asLong();
        }
        return new NDArray[] {x, m.create(labels), m.create(io.candor.models.data.DecoyDigits.cornersMask().toFloatArray(),
                new ai.djl.ndarray.types.Shape(1, 28, 28))};
    }

    @Test
    void cdepMatchesPyTorchInValueAndEveryWeightGradient() throws IOException {
        check("cdep", (ex, m) -> {
            try {
                NDArray[] b = batch(m);
                return new Cdep().value(ex, Batch.ofInputs(m, "input", b[0], b[1], b[2]));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void rrrMatchesPyTorchsDoubleBackprop() throws IOException {
        check("rrr", (ex, m) -> {
            try {
                NDArray[] b = batch(m);
                InputGradient.Pass pass = new InputGradient(ex).forward(m, Map.of("input", b[0]), "input",
                        ex.graph().outputs().get(0).name());
                NDArray seed = new CrossEntropy(null).gradient(pass.output(), b[1]);
                return new Rrr().fromInputGradient(pass.inputGradient(seed), b[2]);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
