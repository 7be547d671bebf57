package io.candor.models.arch;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.tensor.DataType;

/**
 * A small ResNet for C x 28 x 28 images, with basic blocks without BatchNorm as in FLINT's ResNets
 * (Parekh et al. 2021): stage1 is the stem, Conv3x3(C->16)-ReLU at 28 x 28; stage2 (32 maps at
 * 14 x 14) and stage3 (64 maps at 7 x 7) are one basic block each, Conv3x3(stride 2)-ReLU-Conv3x3 plus
 * a 1 x 1 stride-2 convolution as the skip, then ReLU. A global average pool and FC(64->10) give the
 * logits. Convolutions are initialised as torchvision's ResNet does ({@link Layers#kaimingConv}): with
 * PyTorch's default init and no BatchNorm the network learned decoy-digits markedly slower.
 *
 * <p>stage1 has no residual block because one at 28 x 28 costs four times the rest of the network to
 * train: Candor pads a convolution's channels to 64 when its input needs a gradient (see
 * {@code io.candor.interop.exec.ops.Convolutions}), so 16 maps at 28 x 28 cost what 64 do, and fewer maps
 * would not help.
 *
 * <p>Tensor names say what they are, so that they can be given as taps and cut points:
 * {@code stage1.conv} and {@code stage1} [N, 16, 28, 28]; per block {@code stageK.conv1},
 * {@code stageK.relu1}, {@code stageK.conv2}, {@code stageK.skip}, {@code stageK.add} and the block's
 * output after its ReLU, {@code stageK}: {@code stage2} [N, 32, 14, 14] (the input of the last block)
 * and {@code stage3} [N, 64, 7, 7], FLINT's two taps; then {@code pool} [N, 64, 1, 1],
 * {@code flatten} [N, 64] and the logits {@code fc} [N, 10].
 */
public final class ResNetSmall {
    public static final long OPSET = 13;
    public static final int SIZE = 28;
    public static final int CLASSES = 10;
    /** The maps of stage1 (the stem), stage2 and stage3. */
    static final int[] WIDTHS = {16, 32, 64};

    private ResNetSmall() {
    }

    /** The network on 1 x 28 x 28 inputs (decoy-digits). */
    public static ModelProto build(long seed) {
        return build(1, seed);
    }

    /** The network on {@code channels} x 28 x 28 inputs (3 for color-digits). */
    public static ModelProto build(int channels, long seed) {
        if (channels < 1) {
            throw new CandorException("resnet-small needs at least one input channel, got " + channels);
        }
        GraphBuilder g = new GraphBuilder("resnet-small", OPSET);
        Layers l = new Layers(g, seed);
        String x = g.input("input", DataType.FLOAT32, -1, channels, SIZE, SIZE);
        String h = l.relu("stage1", l.kaimingConv("stage1.conv", x, channels, WIDTHS[0], 3, 1, 1));
        for (int stage = 1; stage < WIDTHS.length; stage++) {
            h = basicBlock(l, "stage" + (stage + 1), h, WIDTHS[stage - 1], WIDTHS[stage], 2);
        }
        int features = WIDTHS[WIDTHS.length - 1];
        h = l.flatten("flatten", l.globalAveragePool("pool", h));
        String logits = l.linear("fc", h, features, CLASSES);
        g.output(logits, DataType.FLOAT32, -1, CLASSES);
        return g.build();
    }

    /**
     * ReLU(conv2(ReLU(conv1(x))) + skip(x)), both convolutions 3 x 3 with padding 1, the first with
     * {@code stride}; the skip is x itself, or a 1 x 1 convolution with that stride when the stride or
     * the number of maps changes. The block's output is named {@code name}.
     */
    private static String basicBlock(Layers l, String name, String x, int in, int out, int stride) {
        String h = l.relu(name + ".relu1", l.kaimingConv(name + ".conv1", x, in, out, 3, stride, 1));
        h = l.kaimingConv(name + ".conv2", h, out, out, 3, 1, 1);
        String skip = stride == 1 && in == out ? x : l.kaimingConv(name + ".skip", x, in, out, 1, stride, 0);
        return l.relu(name, l.add(name + ".add", h, skip));
    }
}
