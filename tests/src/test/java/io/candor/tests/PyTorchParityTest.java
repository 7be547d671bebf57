package io.candor.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.ort.OrtModel;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import io.candor.interop.testing.Arrays2;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every model family PyTorch exported (CNNs and LSTMs, opsets 11 to 17) gives PyTorch's logits through
 * both engines, and the executor's input gradients match PyTorch's autograd.
 */
class PyTorchParityTest {
    private static final double LOGIT_TOLERANCE = 1e-4;
    private static final double GRADIENT_TOLERANCE = 1e-4;
    /**
     * When the exporter folds BatchNorm into the convolutions, the ONNX weights differ from the PyTorch
     * model's by rounding, and a ReLU or max-pool decision near a tie can go the other way; PyTorch's
     * gradient comes from the unfolded model. Measured worst case: 6.5e-4 (vgg16_bn, opset 17).
     */
    private static final double FOLDED_GRADIENT_TOLERANCE = 1e-3;

    @Test
    void fixturesArePresent() {
        assertTrue(Fixtures.all().size() >= 20, "expected the committed fixtures under " + Fixtures.root());
    }

    @TestFactory
    Stream<DynamicTest> executorAndOnnxRuntimeMatchPyTorch() {
        return Fixtures.all().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            OnnxModel model = OnnxReader.read(dir.resolve("model.onnx"));
            HostTensor input = Npy.read(dir.resolve("input.npy"));
            float[] expected = Npy.read(dir.resolve("output.npy")).toFloatArray();
            String in = model.graph().inputs().get(0).name();
            String out = model.graph().outputs().get(0).name();
            try (Executor executor = Executor.of(model); NDManager batch = Engines.newManager()) {
                NDArray logits = executor.run(batch, Map.of(in, input.toNDArray(batch)), List.of(out)).get(out);
                Arrays2.assertClose(expected, logits.toFloatArray(), LOGIT_TOLERANCE, dir.getFileName() + " djl");
            }
            try (OrtModel ort = OrtModel.open(model)) {
                float[] actual = ort.run(Map.of(in, input)).get(out).toFloatArray();
                Arrays2.assertClose(expected, actual, LOGIT_TOLERANCE, dir.getFileName() + " ort");
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> inputGradientsMatchPyTorch() {
        return Fixtures.all().stream().filter(dir -> Files.isRegularFile(dir.resolve("grad_input.npy")))
                .map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> checkGradient(dir)));
    }

    private static void checkGradient(Path dir) {
        OnnxModel model = OnnxReader.read(dir.resolve("model.onnx"));
        JsonNode meta = Fixtures.meta(dir);
        HostTensor input = Npy.read(dir.resolve("input.npy"));
        HostTensor expected = Npy.read(dir.resolve("grad_input.npy"));
        String in = model.graph().inputs().get(0).name();
        String out = model.graph().outputs().get(0).name();
        try (Executor executor = Executor.of(model); NDManager batch = Engines.newManager()) {
            NDArray x = input.toNDArray(batch);
            long classes = executor.run(batch, Map.of(in, x), List.of(out)).get(out).getShape().get(1);
            // The scalar PyTorch differentiated: the sum over samples of the logit of each sample's target.
            float[] seed = new float[(int) (input.shape()[0] * classes)];
            JsonNode targets = meta.get("targets");
            for (int n = 0; n < targets.size(); n++) {
                seed[(int) (n * classes + targets.get(n).asLong())] = 1;
            }
            NDArray seedArray = batch.create(seed, new ai.djl.ndarray.types.Shape(input.shape()[0], classes));
            NDArray grad = executor.gradients(batch, Map.of(in, x), out, seedArray, List.of(in)).get(in);
            assertArrayEquals(expected.shape(), grad.getShape().getShape());
            boolean folded = meta.get("family").asText().contains("_bn") && !meta.get("batchnorm_nodes").asBoolean();
            Arrays2.assertClose(expected.toFloatArray(), grad.toFloatArray(),
                    folded ? FOLDED_GRADIENT_TOLERANCE : GRADIENT_TOLERANCE, dir.getFileName() + " input gradient");
        }
    }
}
