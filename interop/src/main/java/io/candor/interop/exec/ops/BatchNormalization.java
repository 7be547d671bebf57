package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * ONNX BatchNormalization over axis 1. In evaluation it uses the running statistics; when the
 * executor trains, the batch's own mean and (biased) variance, and it updates the running statistics
 * in place as PyTorch does (running = momentum_onnx * running + (1 - momentum_onnx) * batch, with the
 * unbiased variance; ONNX's momentum 0.9 is PyTorch's 0.1). Written with plain ops so autograd and the
 * attribution rules see every step.
 */
public final class BatchNormalization implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray x = call.input(0);
        NDArray scale = call.input(1);
        NDArray bias = call.input(2);
        NDArray mean = call.input(3);
        NDArray var = call.input(4);
        int rank = x.getShape().dimension();
        if (rank < 2) {
            throw call.error("input must be N x C x ..., got " + x.getShape());
        }
        long channels = x.getShape().get(1);
        for (NDArray p : List.of(scale, bias, mean, var)) {
            if (p.getShape().dimension() != 1 || p.getShape().get(0) != channels) {
                throw call.error("scale, bias, mean and var must have shape [" + channels + "], got " + p.getShape());
            }
        }
        float eps = call.attrs().getFloat("epsilon", 1e-5f);
        long[] perChannel = new long[rank];
        java.util.Arrays.fill(perChannel, 1);
        perChannel[1] = channels;
        NDArray mu;
        NDArray sigma2;
        if (call.training()) {
            NDArray[] stats = batchStatistics(x);
            mu = stats[0];
            sigma2 = stats[1];
            updateRunningStatistics(call, mean, var, mu, sigma2, x.size() / channels);
        } else {
            mu = mean.reshape(perChannel);
            sigma2 = var.reshape(perChannel);
        }
        NDArray y = x.sub(mu).div(sigma2.add(eps).sqrt()).mul(scale.reshape(perChannel)).add(bias.reshape(perChannel));
        List<NDArray> outputs = new ArrayList<>();
        // Outputs 1 and 2 (running mean and variance in training mode) are the updated weights themselves.
        outputs.add(y);
        return outputs;
    }

    /**
     * The batch's per-channel mean and biased variance of x [N, C, ...], shaped [1, C, 1, ...] to
     * broadcast against x: what training-mode normalisation uses (and CD's training-mode rule).
     */
    public static NDArray[] batchStatistics(NDArray x) {
        int rank = x.getShape().dimension();
        long channels = x.getShape().get(1);
        long[] perChannel = new long[rank];
        java.util.Arrays.fill(perChannel, 1);
        perChannel[1] = channels;
        // Statistics over every axis but the channel one (DJL's mean keeps dims for one axis only).
        int[] channelFirst = IntStream.range(0, rank).map(a -> a == 0 ? 1 : a == 1 ? 0 : a).toArray();
        NDArray mu = x.transpose(channelFirst).reshape(channels, -1).mean(new int[] {1}).reshape(perChannel);
        NDArray sigma2 = x.sub(mu).transpose(channelFirst).reshape(channels, -1).square().mean(new int[] {1})
                .reshape(perChannel);
        return new NDArray[] {mu, sigma2};
    }

    private static void updateRunningStatistics(OpCall call, NDArray mean, NDArray var, NDArray batchMean,
            NDArray batchVar, long count) {
        float momentum = call.attrs().getFloat("momentum", 0.9f);
        float unbiased = count > 1 ? count / (float) (count - 1) : 1f;
        NDArray m = batchMean.stopGradient().reshape(mean.getShape());
        NDArray v = batchVar.stopGradient().reshape(var.getShape()).mul(unbiased);
        mean.muli(momentum).addi(m.mul(1 - momentum)); // no autograd
        var.muli(momentum).addi(v.mul(1 - momentum)); // no autograd
    }
}
