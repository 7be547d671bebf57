package io.candor.interop.testing;

import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;

/** Small models with values that can be worked out by hand. */
public final class TinyModels {
    private TinyModels() {
    }

    /** y = relu(g), g = x W^T + b, with W = [[1, -1], [2, 0.5]], b = [0.5, -1]; input "x" [-1, 2]. */
    public static OnnxModel gemmRelu() {
        GraphBuilder g = new GraphBuilder("gemm-relu", 13);
        String x = g.input("x", DataType.FLOAT32, -1, 2);
        String w = g.initializer("w", HostTensor.ofFloats(new long[] {2, 2}, 1, -1, 2, 0.5f));
        String b = g.initializer("b", HostTensor.ofFloats(new long[] {2}, 0.5f, -1));
        g.node("Relu", "y", new String[] {g.node("Gemm", "g", new String[] {x, w, b}, "transB", 1L)});
        g.output("y", DataType.FLOAT32, -1, 2);
        return g.buildModel();
    }
}
