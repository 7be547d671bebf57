package io.candor.models.arch;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.tensor.DataType;

/**
 * torchvision's VGG16 layout: 13 3x3 convolutions in five blocks each closed by a 2x2 max-pool, an
 * adaptive 7x7 average pool, and the classifier 4096-4096-C with dropout. {@code widthDivisor} divides
 * every channel count and the hidden width (1 gives the full network, 138M parameters at 1000 classes),
 * so tests can use a narrow one. The adaptive pool is exported as PyTorch does for a feature map that
 * is a multiple of 7 (an AveragePool; none at 7x7), so the input size must be a multiple of 224.
 */
public final class Vgg16 {
    public static final long OPSET = 13;
    private static final int[][] BLOCKS = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};

    private Vgg16() {
    }

    public static ModelProto build(int widthDivisor, int inputSize, int classes, long seed) {
        if (widthDivisor < 1 || 64 % widthDivisor != 0) {
            throw new CandorException("the VGG16 width divisor must divide 64, got " + widthDivisor);
        }
        if (inputSize % 224 != 0) {
            throw new CandorException("VGG16's adaptive 7x7 pool needs an input size that is a multiple of 224, got "
                    + inputSize);
        }
        GraphBuilder g = new GraphBuilder("vgg16", OPSET);
        Layers l = new Layers(g, seed);
        String h = g.input("input", DataType.FLOAT32, -1, 3, inputSize, inputSize);
        int channels = 3;
        int index = 0;
        for (int block = 0; block < BLOCKS.length; block++) {
            for (int width : BLOCKS[block]) {
                int out = width / widthDivisor;
                h = l.relu("features." + (index + 1), l.conv("features." + index, h, channels, out, 3, 1));
                channels = out;
                index += 2;
            }
            h = l.maxPool("features." + index, h, 2);
            index++;
        }
        int feature = inputSize / 32;
        if (feature != 7) {
            h = l.averagePool("avgpool", h, feature / 7);
        }
        int hidden = 4096 / widthDivisor;
        h = l.flatten("flatten", h);
        h = l.dropout("classifier.2", l.relu("classifier.1", l.linear("classifier.0", h, channels * 49, hidden)));
        h = l.dropout("classifier.5", l.relu("classifier.4", l.linear("classifier.3", h, hidden, hidden)));
        String logits = l.linear("classifier.6", h, hidden, classes);
        g.output(logits, DataType.FLOAT32, -1, classes);
        return g.build();
    }
}
