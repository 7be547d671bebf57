package io.candor.interop.ort;

import static io.candor.interop.testing.Arrays2.assertClose;
import static io.candor.interop.testing.Arrays2.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OrtModelTest {
    private static final float[] W = random(11, 12);
    private static final float[] B = random(12, 3);
    private static final float[] X = {1, -2, 0.5f, 3, -1, 0, 2, -0.25f};

    /** y = relu(g), g = Gemm(x, W[3,4], b[3], transB=1); input x float [-1, 4]. */
    private static OnnxModel gemmRelu() {
        GraphBuilder g = new GraphBuilder("gemm-relu", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 4);
        String w = g.initializer("W", HostTensor.ofFloats(new long[] {3, 4}, W));
        String b = g.initializer("b", HostTensor.ofFloats(new long[] {3}, B));
        String gemm = g.node("Gemm", "g", new String[] {x, w, b}, "transB", 1L);
        g.node("Relu", "y", new String[] {gemm});
        g.output("y", DataType.FLOAT32, -1, 3);
        return g.buildModel();
    }

    /** x W^T + b for a [n, 4] row-major x, worked out in plain Java. */
    private static float[] gemmByHand(float[] x) {
        int n = x.length / 4;
        float[] out = new float[n * 3];
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < 3; o++) {
                float s = B[o];
                for (int i = 0; i < 4; i++) {
                    s += x[r * 4 + i] * W[o * 4 + i];
                }
                out[r * 3 + o] = s;
            }
        }
        return out;
    }

    @Test
    void computesTheGraphOutputAsWorkedOutByHand() {
        float[] g = gemmByHand(X);
        float[] relu = new float[g.length];
        for (int i = 0; i < g.length; i++) {
            relu[i] = Math.max(0, g[i]);
        }
        try (OrtModel ort = OrtModel.open(gemmRelu())) {
            assertEquals(List.of("y"), ort.outputNames());
            assertEquals(List.of("x"), ort.inputNames());
            Map<String, HostTensor> out = ort.run(Map.of("x", HostTensor.ofFloats(new long[] {2, 4}, X)));
            assertEquals(List.of("y"), List.copyOf(out.keySet()));
            HostTensor y = out.get("y");
            assertEquals(DataType.FLOAT32, y.type());
            assertArrayEquals(new long[] {2, 3}, y.shape());
            assertArrayEquals(relu, y.toFloatArray(), 1e-5f);
        }
    }

    @Test
    void extraOutputsReturnTheIntermediateTensor() {
        float[] g = gemmByHand(X);
        try (OrtModel ort = OrtModel.open(gemmRelu(), List.of("g", "g", "y"))) {
            assertEquals(List.of("y", "g"), ort.outputNames(), "declared outputs first, duplicates once");
            HostTensor x = HostTensor.ofFloats(new long[] {2, 4}, X);
            Map<String, HostTensor> all = ort.run(Map.of("x", x));
            assertArrayEquals(g, all.get("g").toFloatArray(), 1e-5f);
            assertArrayEquals(new long[] {2, 3}, all.get("g").shape());
            boolean someNegative = false;
            for (float v : all.get("g").toFloatArray()) {
                someNegative |= v < 0;
            }
            assertTrue(someNegative, "the test needs a pre-ReLU value that ReLU changes");

            Map<String, HostTensor> onlyG = ort.run(Map.of("x", x), List.of("g"));
            assertEquals(List.of("g"), List.copyOf(onlyG.keySet()));
            assertArrayEquals(g, onlyG.get("g").toFloatArray(), 1e-5f);
        }
        CandorException unknown = assertThrows(CandorException.class,
                () -> OrtModel.open(gemmRelu(), List.of("nope")));
        assertTrue(unknown.getMessage().contains("'nope'"), unknown.getMessage());
    }

    @Test
    void extraOutputsMayNameGraphInputsAndInitializers() {
        HostTensor x = HostTensor.ofFloats(new long[] {2, 4}, X);
        try (OrtModel ort = OrtModel.open(gemmRelu(), List.of("x", "W"))) {
            Map<String, HostTensor> out = ort.run(Map.of("x", x));
            assertEquals(List.of("y", "x", "W"), List.copyOf(out.keySet()));
            assertEquals(x.data(), out.get("x").data());
            assertArrayEquals(W, out.get("W").toFloatArray());
        }
    }

    @Test
    void badInputsAreRefusedBeforeNativeCodeWithClearMessages() {
        try (OrtModel ort = OrtModel.open(gemmRelu())) {
            CandorException name = assertThrows(CandorException.class,
                    () -> ort.run(Map.of("z", HostTensor.ofFloats(new long[] {1, 4}, 1, 2, 3, 4))));
            assertTrue(name.getMessage().contains("'z'") && name.getMessage().contains("[x]"), name.getMessage());

            CandorException type = assertThrows(CandorException.class,
                    () -> ort.run(Map.of("x", HostTensor.ofLongs(new long[] {1, 4}, 1, 2, 3, 4))));
            assertTrue(type.getMessage().contains("'x'") && type.getMessage().contains("FLOAT32")
                    && type.getMessage().contains("INT64"), type.getMessage());

            CandorException dim = assertThrows(CandorException.class,
                    () -> ort.run(Map.of("x", HostTensor.ofFloats(new long[] {1, 3}, 1, 2, 3))));
            assertTrue(dim.getMessage().contains("'x'") && dim.getMessage().contains("[batch, 4]")
                    && dim.getMessage().contains("[1, 3]"), dim.getMessage());

            CandorException rank = assertThrows(CandorException.class,
                    () -> ort.run(Map.of("x", HostTensor.ofFloats(new long[] {4}, 1, 2, 3, 4))));
            assertTrue(rank.getMessage().contains("[4]"), rank.getMessage());

            CandorException missing = assertThrows(CandorException.class, () -> ort.run(Map.of()));
            assertTrue(missing.getMessage().contains("'x'"), missing.getMessage());

            CandorException output = assertThrows(CandorException.class,
                    () -> ort.run(Map.of("x", HostTensor.ofFloats(new long[] {1, 4}, 1, 2, 3, 4)), List.of("g")));
            assertTrue(output.getMessage().contains("'g'") && output.getMessage().contains("extra output"),
                    output.getMessage());

            // The session is still usable after all those refusals; any batch size fits the symbolic axis.
            HostTensor five = HostTensor.zeros(DataType.FLOAT32, new long[] {5, 4});
            assertArrayEquals(new long[] {5, 3}, ort.run(Map.of("x", five)).get("y").shape());
        }
    }

    @Test
    void nativeFailuresBecomeOneLineErrorsNamingTheModel() {
        GraphBuilder unknownOp = new GraphBuilder("bad-op", 13);
        unknownOp.node("NoSuchOp", "y", new String[] {unknownOp.input("x", DataType.FLOAT32, 2)});
        unknownOp.output("y", DataType.FLOAT32, 2);
        CandorException load = assertThrows(CandorException.class, () -> OrtModel.open(unknownOp.buildModel()));
        assertTrue(load.getMessage().contains("in-memory model") && load.getMessage().contains("NoSuchOp"),
                load.getMessage());
        assertFalse(load.getMessage().contains("\n"), load.getMessage());

        // Reshaping a dynamic batch of 4-vectors to 3 elements fails only when it runs.
        GraphBuilder g = new GraphBuilder("bad-reshape", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 4);
        g.node("Reshape", "y", new String[] {x, g.initializer("s", HostTensor.ofLongs(new long[] {1}, 3))});
        g.output("y", DataType.FLOAT32, 3);
        try (OrtModel ort = OrtModel.open(g.buildModel())) {
            CandorException run = assertThrows(CandorException.class,
                    () -> ort.run(Map.of("x", HostTensor.zeros(DataType.FLOAT32, new long[] {2, 4}))));
            assertTrue(run.getMessage().contains("in-memory model"), run.getMessage());
            assertFalse(run.getMessage().contains("\n"), run.getMessage());
        }
    }

    @Test
    void closedSessionsRefuseToRun() {
        OrtModel ort = OrtModel.open(gemmRelu());
        ort.close();
        ort.close();
        CandorException e = assertThrows(CandorException.class,
                () -> ort.run(Map.of("x", HostTensor.zeros(DataType.FLOAT32, new long[] {1, 4}))));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void int64TokenIdsGatherRowsOfAnEmbeddingTable() {
        float[] table = random(21, 5 * 3);
        GraphBuilder g = new GraphBuilder("embedding", 13);
        String ids = g.input("ids", DataType.INT64, -1, 2);
        g.node("Gather", "e", new String[] {g.initializer("table", HostTensor.ofFloats(new long[] {5, 3}, table)), ids});
        g.output("e", DataType.FLOAT32, -1, 2, 3);
        long[] tokens = {4, 0, 2, 2};
        try (OrtModel ort = OrtModel.open(g.buildModel())) {
            HostTensor e = ort.run(Map.of("ids", HostTensor.ofLongs(new long[] {2, 2}, tokens))).get("e");
            assertArrayEquals(new long[] {2, 2, 3}, e.shape());
            float[] expected = new float[12];
            for (int t = 0; t < tokens.length; t++) {
                System.arraycopy(table, (int) tokens[t] * 3, expected, t * 3, 3);
            }
            assertArrayEquals(expected, e.toFloatArray());
        }
    }

    /** Identity hands every supported element type to ONNX Runtime and back, byte for byte. */
    @ParameterizedTest
    @EnumSource(DataType.class)
    void everyElementTypeRoundTrips(DataType type) {
        GraphBuilder g = new GraphBuilder("identity", 13);
        g.node("Identity", "y", new String[] {g.input("x", type, 2, 3)});
        g.output("y", type, 2, 3);
        ByteBuffer bytes = ByteBuffer.allocate(6 * type.bytes());
        for (int i = 0; i < bytes.capacity(); i++) {
            // Bool bytes must be 0 or 1; other types get a varied, sign-mixing pattern.
            bytes.put(i, type == DataType.BOOL ? (byte) (i % 2) : (byte) (i * 37 + 3));
        }
        HostTensor x = new HostTensor(type, new long[] {2, 3}, bytes);
        try (OrtModel ort = OrtModel.open(g.buildModel())) {
            HostTensor y = ort.run(Map.of("x", x)).get("y");
            assertEquals(type, y.type());
            assertArrayEquals(new long[] {2, 3}, y.shape());
            assertEquals(x.data(), y.data());
        }
    }

    @Test
    void agreesWithTheDjlExecutorOnAConvNet() {
        GraphBuilder g = new GraphBuilder("convnet", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2, 8, 8);
        String conv = g.node("Conv", "conv", new String[] {x,
            g.initializer("cw", HostTensor.ofFloats(new long[] {4, 2, 3, 3}, random(31, 72))),
            g.initializer("cb", HostTensor.ofFloats(new long[] {4}, random(32, 4)))},
                "pads", new long[] {1, 1, 1, 1});
        String relu = g.node("Relu", "relu", new String[] {conv});
        String pool = g.node("MaxPool", "pool", new String[] {relu},
                "kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2});
        String flat = g.node("Flatten", "flat", new String[] {pool});
        g.node("Gemm", "logits", new String[] {flat,
            g.initializer("fw", HostTensor.ofFloats(new long[] {5, 64}, random(33, 320))),
            g.initializer("fb", HostTensor.ofFloats(new long[] {5}, random(34, 5)))}, "transB", 1L);
        g.output("logits", DataType.FLOAT32, -1, 5);
        OnnxModel model = g.buildModel();
        HostTensor input = HostTensor.ofFloats(new long[] {3, 2, 8, 8}, random(35, 3 * 128));

        Map<String, HostTensor> viaOrt;
        try (OrtModel ort = OrtModel.open(model, List.of("pool"))) {
            viaOrt = ort.run(Map.of("x", input));
        }
        try (Executor ex = Executor.of(model); NDManager m = Engines.newManager()) {
            Map<String, NDArray> viaDjl = ex.run(m, Map.of("x", input.toNDArray(m)), List.of("logits", "pool"));
            for (String name : List.of("logits", "pool")) {
                assertArrayEquals(viaDjl.get(name).getShape().getShape(), viaOrt.get(name).shape(), name);
                assertClose(viaDjl.get(name).toFloatArray(), viaOrt.get(name).toFloatArray(), 1e-5, name);
            }
        }
    }
}
