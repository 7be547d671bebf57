package io.candor.interpreter;

import static io.candor.interop.testing.Arrays2.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.ort.OrtModel;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.testing.Arrays2;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InterpreterGraphTest {
    private static final List<String> OUTPUTS = List.of(InterpreterGraph.ATTRIBUTES, InterpreterGraph.LOGITS,
            InterpreterGraph.RECONSTRUCTION);

    /** Runs the graph on the executor and on ONNX Runtime; they must agree; returns the executor's outputs. */
    private static Map<String, HostTensor> runBoth(OnnxModel model, String tap, HostTensor x) {
        return runBoth(model, Map.of(tap, x), OUTPUTS);
    }

    private static Map<String, HostTensor> runBoth(OnnxModel model, Map<String, HostTensor> inputs, List<String> outputs) {
        Map<String, HostTensor> ours = new java.util.HashMap<>();
        try (Executor ex = Executor.of(model); NDManager m = Engines.newManager()) {
            Map<String, NDArray> feed = new java.util.HashMap<>();
            inputs.forEach((k, v) -> feed.put(k, v.toNDArray(m)));
            Map<String, NDArray> out = ex.run(m, feed, outputs);
            out.forEach((k, v) -> ours.put(k, HostTensor.of(v)));
        }
        try (OrtModel ort = OrtModel.open(model)) {
            Map<String, HostTensor> theirs = ort.run(inputs);
            for (String name : outputs) {
                assertArrayEquals(theirs.get(name).shape(), ours.get(name).shape(), name);
                assertClose(theirs.get(name).toFloatArray(), ours.get(name).toFloatArray(), 1e-4, name);
            }
        }
        return ours;
    }

    @Test
    void aConvolutionalTapGivesAttributesLogitsAndAnImageReconstruction() {
        OnnxModel model = OnnxReader.fromProto(InterpreterGraph.build("pool1", new long[] {20, 12, 12}, 25, 10,
                new long[] {1, 28, 28}, 0), null);
        HostTensor x = HostTensor.ofFloats(new long[] {3, 20, 12, 12}, Arrays2.random(4, 3 * 20 * 144));
        Map<String, HostTensor> out = runBoth(model, "pool1", x);
        assertArrayEquals(new long[] {3, 25}, out.get(InterpreterGraph.ATTRIBUTES).shape());
        assertArrayEquals(new long[] {3, 10}, out.get(InterpreterGraph.LOGITS).shape());
        assertArrayEquals(new long[] {3, 1, 28, 28}, out.get(InterpreterGraph.RECONSTRUCTION).shape());
    }

    @Test
    void aVectorTapAndAnInputTheUpsamplingDoesNotFit() {
        OnnxModel model = OnnxReader.fromProto(InterpreterGraph.build("flatten", new long[] {800}, 8, 2,
                new long[] {3, 30, 30}, 1), null);
        Map<String, HostTensor> out = runBoth(model, "flatten", HostTensor.ofFloats(new long[] {2, 800}, Arrays2.random(5, 1600)));
        assertArrayEquals(new long[] {2, 3, 30, 30}, out.get(InterpreterGraph.RECONSTRUCTION).shape());
        assertThrows(CandorException.class, () -> InterpreterGraph.build("t", new long[] {4, 4}, 8, 2, new long[] {4}, 0));
        assertThrows(CandorException.class, () -> InterpreterGraph.build("t", new long[] {4}, 0, 2, new long[] {4}, 0));
    }

    @Test
    void twoFeatureMapsAndAVectorMeetAndTheConceptProbesReadTheFirstAttributes() {
        Map<String, long[]> taps = new java.util.LinkedHashMap<>();
        taps.put("pool1", new long[] {20, 12, 12});
        taps.put("pool2", new long[] {50, 4, 4});
        taps.put("relu3", new long[] {256});
        OnnxModel model = OnnxReader.fromProto(InterpreterGraph.build(taps, 6, 2, 10, new long[] {1, 28, 28}, 0), null);
        Map<String, HostTensor> in = Map.of(
                "pool1", HostTensor.ofFloats(new long[] {3, 20, 12, 12}, Arrays2.random(1, 3 * 20 * 144)),
                "pool2", HostTensor.ofFloats(new long[] {3, 50, 4, 4}, Arrays2.random(2, 3 * 50 * 16)),
                "relu3", HostTensor.ofFloats(new long[] {3, 256}, Arrays2.random(3, 3 * 256)));
        List<String> all = new java.util.ArrayList<>(OUTPUTS);
        all.add(InterpreterGraph.CONCEPT_LOGITS);
        Map<String, HostTensor> out = runBoth(model, in, all);
        assertArrayEquals(new long[] {3, 6}, out.get(InterpreterGraph.ATTRIBUTES).shape());
        // The probes start at scale 1 and offset 0: the concept logits are the first two attributes.
        float[] phi = out.get(InterpreterGraph.ATTRIBUTES).toFloatArray();
        float[] z = out.get(InterpreterGraph.CONCEPT_LOGITS).toFloatArray();
        for (int n = 0; n < 3; n++) {
            for (int k = 0; k < 2; k++) {
                assertEquals(phi[n * 6 + k], z[n * 2 + k], 1e-6f);
            }
        }
        // Every tap reaches the attributes: changing any one of them changes Phi.
        for (String tap : taps.keySet()) {
            Map<String, HostTensor> changed = new java.util.HashMap<>(in);
            HostTensor t = in.get(tap);
            changed.put(tap, HostTensor.ofFloats(t.shape(), Arrays2.random(9, (int) t.size())));
            float[] other = runBoth(model, changed, OUTPUTS).get(InterpreterGraph.ATTRIBUTES).toFloatArray();
            assertTrue(!Arrays.equals(phi, other), tap + " feeds the attributes");
        }
        assertThrows(CandorException.class, () -> InterpreterGraph.build(taps, 2, 3, 10, new long[] {1, 28, 28}, 0),
                "more concepts than attributes");
    }

    @Test
    void adaptiveAveragingToAnySizeAveragesWindowsThatCoverTheMap() {
        // 14 x 14 down to 7 x 7 (a stride-2 tap beside a 7 x 7 one): disjoint 2 x 2 windows of 1/4.
        float[] m = InterpreterGraph.adaptiveAveraging(14, 14, 7, 7).toFloatArray();
        assertEquals(0.25f, m[(3 * 14 + 5) * 49 + 1 * 7 + 2], 0f);
        assertEquals(0f, m[(3 * 14 + 5) * 49 + 1 * 7 + 3], 0f);
    }

    @Test
    void adaptiveAveragingMatchesPyTorchsWindows() {
        // AdaptiveAvgPool2d(3) on 4 x 4 uses the overlapping row and column windows {0,1}, {1,2}, {2,3}.
        float[] m = InterpreterGraph.adaptiveAveraging(4, 4).toFloatArray();
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        boolean inside = r >= i && r <= i + 1 && c >= j && c <= j + 1;
                        assertEquals(inside ? 0.25f : 0f, m[(r * 4 + c) * 9 + i * 3 + j], "r" + r + " c" + c + " i" + i + " j" + j);
                    }
                }
            }
        }
        // 14 x 14 (FLINT's MNIST tap): row windows [0, 5), [4, 10), [9, 14); each column sums to 1.
        float[] big = InterpreterGraph.adaptiveAveraging(14, 14).toFloatArray();
        for (int k = 0; k < 9; k++) {
            double sum = 0;
            for (int p = 0; p < 196; p++) {
                sum += big[p * 9 + k];
            }
            assertEquals(1.0, sum, 1e-5);
        }
        assertEquals(1f / 36, big[(4 * 14 + 4) * 9 + 4], 1e-7f, "the middle window is 6 x 6");
    }
}
