package io.candor.tests;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.candor.attribution.AttributionMethod;
import io.candor.attribution.ExecutorModel;
import io.candor.attribution.TorchScriptModel;
import io.candor.interop.CandorException;
import io.candor.attribution.cd.ContextualDecomposition;
import io.candor.attribution.deeplift.DeepLift;
import io.candor.attribution.methods.GradCam;
import io.candor.attribution.methods.InputXGradient;
import io.candor.attribution.methods.IntegratedGradients;
import io.candor.attribution.methods.Quadrature;
import io.candor.attribution.methods.Saliency;
import io.candor.interop.exec.Engines;
import io.candor.interop.numerics.CheckResult;
import io.candor.interop.numerics.KernelChecks;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.tensor.Npy;
import io.candor.interop.testing.Arrays2;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Candor's attributions against values PyTorch computed on the same fixtures
 * (tests/python/make_attribution_refs.py): autograd for the gradient methods and Grad-CAM, a custom
 * autograd Rescale for DeepLIFT, and an independent torch transcription of the CD equations.
 */
class AttributionParityTest {
    private static final double TOLERANCE = 1e-4;

    private static float[] ref(Path dir, String name) {
        return Npy.read(dir.resolve("attributions").resolve(name)).toFloatArray();
    }

    @Test
    void cnnAttributionsMatchPyTorch() {
        Path dir = Fixtures.root().resolve("mnist_cnn_modules_opset17");
        try (Executor ex = Executor.of(OnnxReader.read(dir.resolve("model.onnx"))); NDManager m = Engines.newManager()) {
            ExecutorModel model = ExecutorModel.of(ex);
            NDArray x = Npy.read(dir.resolve("input.npy")).toNDArray(m);
            long[] targets = targetsOf(dir);
            check(dir, "saliency.npy", new Saliency(false), model, m, x, targets);
            check(dir, "input_x_gradient.npy", new InputXGradient(), model, m, x, targets);
            check(dir, "ig_trapezoid16.npy", new IntegratedGradients(null, Quadrature.trapezoid(16), 7), model, m, x, targets);
            check(dir, "deeplift.npy", new DeepLift(null), model, m, x, targets);
            NDArray cam = new GradCam("/features/features.5/MaxPool_output_0").attribute(model, m, x, targets);
            Arrays2.assertClose(ref(dir, "gradcam.npy"), cam.toFloatArray(), TOLERANCE, "grad-cam");
            NDArray mask = Npy.read(dir.resolve("attributions/cd_mask.npy")).toNDArray(m);
            var cd = new ContextualDecomposition(ex).decompose(m, Map.of(ex.singleInput(), x), ex.singleInput(), mask, "logits");
            Arrays2.assertClose(ref(dir, "cd_relevant.npy"), cd.relevant().toFloatArray(), TOLERANCE, "cd relevant");
            Arrays2.assertClose(ref(dir, "cd_irrelevant.npy"), cd.irrelevant().toFloatArray(), TOLERANCE, "cd irrelevant");
        }
    }

    @Test
    void gradientMethodsWorkOnTheTorchScriptExportToo() {
        Path dir = Fixtures.root().resolve("mnist_cnn_modules_opset17");
        if (!KernelChecks.libtorchConvolution().stream().allMatch(CheckResult::passed)) {
            // A TorchScript model runs libtorch's convolution as it is; where that is wrong, refuse it.
            CandorException wrongCpu = assertThrows(CandorException.class, () -> TorchScriptModel.load(dir.resolve("model.pt")));
            assertTrue(wrongCpu.getMessage().contains("Export the model to ONNX"), wrongCpu.getMessage());
            return;
        }
        try (TorchScriptModel model = TorchScriptModel.load(dir.resolve("model.pt")); NDManager m = Engines.newManager()) {
            NDArray x = Npy.read(dir.resolve("input.npy")).toNDArray(m);
            Arrays2.assertClose(Npy.read(dir.resolve("output.npy")).toFloatArray(), model.logits(m, x).toFloatArray(),
                    TOLERANCE, "TorchScript logits");
            long[] targets = targetsOf(dir);
            Arrays2.assertClose(ref(dir, "saliency.npy"), new Saliency(false).attribute(model, m, x, targets).toFloatArray(),
                    TOLERANCE, "TorchScript saliency");
            Arrays2.assertClose(ref(dir, "ig_trapezoid16.npy"), new IntegratedGradients(null, Quadrature.trapezoid(16), 64)
                    .attribute(model, m, x, targets).toFloatArray(), TOLERANCE, "TorchScript IG");
        }
        CandorException notScript = assertThrows(CandorException.class,
                () -> TorchScriptModel.load(dir.resolve("input.npy")));
        assertTrue(notScript.getMessage().contains("not a TorchScript module"), notScript.getMessage());
    }

    @Test
    void lstmDecompositionMatchesATorchTranscriptionOfTheEquations() {
        Path dir = Fixtures.root().resolve("lstm1_opset17");
        try (Executor ex = Executor.of(OnnxReader.read(dir.resolve("model.onnx"))); NDManager m = Engines.newManager()) {
            NDArray ids = Npy.read(dir.resolve("input.npy")).toNDArray(m);
            long n = ids.getShape().get(0);
            long steps = ids.getShape().get(1);
            ContextualDecomposition cd = new ContextualDecomposition(ex);
            for (int[] span : new int[][] {{2, 4}, {0, 6}, {3, 3}}) {
                float[] mask = new float[(int) (n * steps)];
                for (int i = 0; i < n; i++) {
                    for (int t = span[0]; t <= span[1]; t++) {
                        mask[(int) (i * steps + t)] = 1;
                    }
                }
                var d = cd.decomposeTokens(m, Map.of(ex.singleInput(), ids), ex.singleInput(),
                        m.create(mask, new Shape(n, steps)), "logits");
                String prefix = "cd_span_" + span[0] + "_" + span[1] + "_";
                Arrays2.assertClose(ref(dir, prefix + "relevant.npy"), d.relevant().toFloatArray(), TOLERANCE, prefix + "relevant");
                Arrays2.assertClose(ref(dir, prefix + "irrelevant.npy"), d.irrelevant().toFloatArray(), TOLERANCE, prefix + "irrelevant");
            }
        }
    }

    private static void check(Path dir, String file, AttributionMethod method, ExecutorModel model, NDManager m, NDArray x,
            long[] targets) {
        Arrays2.assertClose(ref(dir, file), method.attribute(model, m, x, targets).toFloatArray(), TOLERANCE, file);
    }

    private static long[] targetsOf(Path dir) {
        var t = Fixtures.meta(dir).get("targets");
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.get(i).asLong();
        }
        return out;
    }
}
