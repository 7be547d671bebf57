package io.candor.interop.exec.vjp;

import ai.djl.ndarray.NDArray;
import io.candor.interop.exec.ops.TransposedConvolution;
import io.candor.interop.onnx.Node;
import java.util.Arrays;
import java.util.List;

/** 2-D Conv, one group, no dilation: the input gradient is the {@link TransposedConvolution} of the output's. */
final class ConvVjp implements VjpRule {
    @Override
    public NDArray apply(Node node, List<NDArray> inputs, NDArray output, NDArray gradient, boolean training) {
        NDArray x = inputs.get(0);
        NDArray w = inputs.get(1);
        long[] xs = x.getShape().getShape();
        if (xs.length != 4 || node.attributes().getInt("group", 1) != 1
                || Arrays.stream(node.attributes().getInts("dilations", new long[] {1, 1})).anyMatch(d -> d != 1)
                || !node.attributes().getString("auto_pad", "NOTSET").equals("NOTSET")) {
            throw VjpRule.unsupported(node, "grouped, dilated, auto-padded or non-2-D convolutions");
        }
        long[] pads = node.attributes().getInts("pads", new long[4]);
        return TransposedConvolution.apply(gradient, w, node.attributes().getInts("strides", new long[] {1, 1}),
                new long[] {pads[0], pads[1]}, new long[] {xs[2], xs[3]});
    }
}
