package io.candor.tests;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.candor.attribution.cd.ContextualDecomposition;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import io.candor.interop.testing.Arrays2;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The CD invariants on every PyTorch-exported family: parts add up to the logits; a full mask is exact. */
class CdFixturesTest {
    private static final double TOLERANCE = 1e-5;

    @TestFactory
    Stream<DynamicTest> cdInvariantsHoldOnEveryFixture() {
        return Fixtures.all().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
    }

    private static void check(Path dir) {
        try (Executor ex = Executor.of(OnnxReader.read(dir.resolve("model.onnx"))); NDManager m = Engines.newManager()) {
            HostTensor input = Npy.read(dir.resolve("input.npy"));
            NDArray x = input.toNDArray(m);
            String in = ex.singleInput();
            String out = ex.graph().outputs().get(0).name();
            ContextualDecomposition cd = new ContextualDecomposition(ex);
            boolean softmax = ex.graph().producer(out).opType().endsWith("Softmax");
            if (softmax) {
                CandorException e = assertThrows(CandorException.class,
                        () -> cd.decompose(m, Map.of(in, x), in, m.ones(new Shape(1)), out));
                assertTrue(e.getMessage().contains("Softmax"), e.getMessage());
                return;
            }
            float[] logits = ex.forward(m, x).toFloatArray();
            boolean tokens = !input.type().isFloating();
            long[] s = input.shape();
            NDArray half = halfMask(m, s, tokens);
            var some = tokens ? cd.decomposeTokens(m, Map.of(in, x), in, half, out) : cd.decompose(m, Map.of(in, x), in, half, out);
            Arrays2.assertClose(logits, some.relevant().add(some.irrelevant()).toFloatArray(), TOLERANCE,
                    dir.getFileName() + ": relevant + irrelevant");
            NDArray ones = tokens ? m.ones(new Shape(s[0], s[1])) : m.ones(new Shape(1));
            var all = tokens ? cd.decomposeTokens(m, Map.of(in, x), in, ones, out) : cd.decompose(m, Map.of(in, x), in, ones, out);
            Arrays2.assertClose(logits, all.relevant().toFloatArray(), TOLERANCE, dir.getFileName() + ": all-ones mask");
        }
    }

    /** The left half of the last axis (image columns, or the first half of the tokens). */
    private static NDArray halfMask(NDManager m, long[] shape, boolean tokens) {
        long w = shape[shape.length - 1];
        long rows = tokens ? shape[0] : 1;
        float[] v = new float[(int) (rows * w)];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < w / 2; i++) {
                v[(int) (r * w + i)] = 1;
            }
        }
        return m.create(v, tokens ? new Shape(rows, w) : new Shape(w));
    }
}
