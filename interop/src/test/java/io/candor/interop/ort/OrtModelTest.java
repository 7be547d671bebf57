package io.candor.interop.ort;

import static io.candor.interop.testing.Arrays2.assertClose;
import static io.candor.interop.testing.Arrays2.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.testing.TinyModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrtModelTest {
    @Test
    void runsAndReturnsIntermediateTensorsOnRequest() {
        try (OrtModel ort = OrtModel.open(TinyModels.gemmRelu(), List.of("g"))) {
            Map<String, HostTensor> out = ort.run(Map.of("x", HostTensor.ofFloats(new long[] {2, 2}, 1, 2, -1, 3)));
            assertArrayEquals(new float[] {-0.5f, 2, -3.5f, -1.5f}, out.get("g").toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0, 2, 0, 0}, out.get("y").toFloatArray(), 1e-6f);
            assertTrue(ort.outputNames().containsAll(List.of("y", "g")));
        }
    }

    @Test
    void badInputsAreRefusedBeforeNativeCode() {
        try (OrtModel ort = OrtModel.open(TinyModels.gemmRelu())) {
            CandorException name = assertThrows(CandorException.class,
                    () -> ort.run(Map.of("z", HostTensor.ofFloats(new long[] {1, 2}, 1, 2))));
            assertTrue(name.getMessage().contains("no input 'z'") && name.getMessage().contains("[x]"), name.getMessage());
            CandorException dim = assertThrows(CandorException.class,
                    () -> ort.run(Map.of("x", HostTensor.ofFloats(new long[] {1, 3}, 1, 2, 3))));
            assertTrue(dim.getMessage().contains("expects"), dim.getMessage());
            CandorException type = assertThrows(CandorException.class,
                    () -> ort.run(Map.of("x", HostTensor.ofLongs(new long[] {1, 2}, 1, 2))));
            assertTrue(type.getMessage().contains("INT64"), type.getMessage());
        }
        assertThrows(CandorException.class, () -> OrtModel.open(TinyModels.gemmRelu(), List.of("nope")));
    }

    @Test
    void tokenModelsAndParityWithTheExecutor() {
        GraphBuilder g = new GraphBuilder("emb", 13);
        String ids = g.input("ids", DataType.INT64, -1, 3);
        String table = g.initializer("table", HostTensor.ofFloats(new long[] {5, 4}, random(1, 20)));
        String e = g.node("Gather", "e", new String[] {table, ids});
        String conv = g.node("Conv", "c", new String[] {
            g.node("Unsqueeze", "u", new String[] {e, g.initializer("ax", HostTensor.ofLongs(new long[] {1}, 1))}),
            g.initializer("w", HostTensor.ofFloats(new long[] {3, 1, 2, 2}, random(2, 12)))});
        String pooled = g.node("MaxPool", "p", new String[] {g.node("Relu", "r", new String[] {conv})},
                "kernel_shape", new long[] {2, 2});
        g.node("Gemm", "y", new String[] {g.node("Flatten", "f", new String[] {pooled}),
            g.initializer("fw", HostTensor.ofFloats(new long[] {2, 6}, random(3, 12)))}, "transB", 1L);
        g.output("y", DataType.FLOAT32, -1, 2);
        OnnxModel model = g.buildModel();
        HostTensor in = HostTensor.ofLongs(new long[] {2, 3}, 0, 4, 2, 3, 3, 1);
        float[] viaOrt;
        try (OrtModel ort = OrtModel.open(model)) {
            viaOrt = ort.run(Map.of("ids", in)).get("y").toFloatArray();
        }
        try (Executor ex = Executor.of(model); NDManager m = Engines.newManager()) {
            assertClose(viaOrt, ex.forward(m, in.toNDArray(m)).toFloatArray(), 1e-5, "ort vs executor");
        }
    }
}
