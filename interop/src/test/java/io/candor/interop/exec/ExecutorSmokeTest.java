package io.candor.interop.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecutorSmokeTest {
    @Test
    void gemmRelu() {
        GraphBuilder b = new GraphBuilder("t", 13);
        String x = b.input("x", DataType.FLOAT32, -1, 2);
        String w = b.initializer("w", HostTensor.ofFloats(new long[] {2, 2}, 1, -1, 2, 0.5f));
        String bias = b.initializer("b", HostTensor.ofFloats(new long[] {2}, 0.5f, -1));
        String g = b.node("Gemm", "g", new String[] {x, w, bias}, "transB", 1L);
        String y = b.node("Relu", "y", new String[] {g});
        b.output(y, DataType.FLOAT32, -1, 2);
        try (Executor ex = Executor.of(b.buildModel()); NDManager m = Engines.newManager()) {
            NDArray in = m.create(new float[] {1, 2, -1, 3}, new ai.djl.ndarray.types.Shape(2, 2));
            Map<String, NDArray> out = ex.run(m, Map.of("x", in), List.of("g", "y"));
            // g = x W^T + b: row1: [1-2+0.5, 2+1-1] = [-0.5, 2]; row2: [-1-3+0.5, -2+1.5-1] = [-3.5, -1.5]
            assertArrayEquals(new float[] {-0.5f, 2, -3.5f, -1.5f}, out.get("g").toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0, 2, 0, 0}, out.get("y").toFloatArray(), 1e-6f);
        }
    }
}
