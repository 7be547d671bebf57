package io.candor.models.arch;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.tensor.DataType;

/**
 * The CDEP paper's DecoyMNIST network: Conv(1->20,5)-ReLU-MaxPool2-Conv(20->50,5)-ReLU-MaxPool2-
 * FC(800->256)-ReLU-FC(256->10), on 1 x 28 x 28 inputs (and the ColorMNIST variant, see buildColor). Tensor names follow the layers
 * (conv1, relu1, pool1, ..., fc2), so they can be given as taps and cut points.
 */
public final class MnistCnn {
    public static final long OPSET = 13;

    private MnistCnn() {
    }

    public static ModelProto build(long seed) {
        return build("mnist-cnn", 1, 256, seed);
    }

    /** The ColorMNIST net of the CDEP paper: the same layout on 3 channels with a hidden layer of 500. */
    public static ModelProto buildColor(long seed) {
        return build("color-cnn", 3, 500, seed);
    }

    private static ModelProto build(String name, int channels, int hidden, long seed) {
        GraphBuilder g = new GraphBuilder(name, OPSET);
        Layers l = new Layers(g, seed);
        String x = g.input("input", DataType.FLOAT32, -1, channels, 28, 28);
        String h = l.maxPool("pool1", l.relu("relu1", l.conv("conv1", x, channels, 20, 5, 0)), 2);
        h = l.maxPool("pool2", l.relu("relu2", l.conv("conv2", h, 20, 50, 5, 0)), 2);
        h = l.relu("relu3", l.linear("fc1", l.flatten("flatten", h), 800, hidden));
        String logits = l.linear("fc2", h, hidden, 10);
        g.output(logits, DataType.FLOAT32, -1, 10);
        return g.build();
    }
}
