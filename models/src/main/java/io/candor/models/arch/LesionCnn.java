package io.candor.models.arch;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.tensor.DataType;

/**
 * A small CNN for the patch-lesions images, 3 x S x S with S a multiple of 8: three blocks
 * Conv-ReLU-MaxPool2 (5x5 with 16 maps, 5x5 with 32, 3x3 with 64, padded to keep the size), a global
 * max pool (a MaxPool whose one window is the whole S/8 x S/8 map), then FC(64 -> 64)-ReLU-FC(64 -> 2).
 * The global pool makes each map a detector of something anywhere in the image, a patch as much as a
 * notched border; with a flattened 8 x 8 map instead, the network has to learn the patch once per
 * place, and in 4-8 epochs one seed of two never did. Small enough to train on two cores. Tensor
 * names: conv1, relu1, pool1, ..., pool3, gpool, flatten, fc1, relu4 and the logits fc2, as taps,
 * layers and cut points.
 */
public final class LesionCnn {
    public static final long OPSET = 13;
    public static final int CLASSES = 2;

    private LesionCnn() {
    }

    public static ModelProto build(int size, long seed) {
        if (size < 8 || size % 8 != 0) {
            throw new CandorException("lesion-cnn needs an image side that is a multiple of 8, got " + size);
        }
        GraphBuilder g = new GraphBuilder("lesion-cnn", OPSET);
        Layers l = new Layers(g, seed);
        String x = g.input("input", DataType.FLOAT32, -1, 3, size, size);
        String h = l.maxPool("pool1", l.relu("relu1", l.conv("conv1", x, 3, 16, 5, 2)), 2);
        h = l.maxPool("pool2", l.relu("relu2", l.conv("conv2", h, 16, 32, 5, 2)), 2);
        h = l.maxPool("pool3", l.relu("relu3", l.conv("conv3", h, 32, 64, 3, 1)), 2);
        h = l.maxPool("gpool", h, size / 8);
        h = l.relu("relu4", l.linear("fc1", l.flatten("flatten", h), 64, 64));
        String logits = l.linear("fc2", h, 64, CLASSES);
        g.output(logits, DataType.FLOAT32, -1, CLASSES);
        return g.build();
    }
}
