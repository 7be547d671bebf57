package io.candor.attribution.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import io.candor.attribution.DifferentiableModel;
import io.candor.attribution.ExecutorModel;
import io.candor.interop.CandorException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Grad-CAM (Selvaraju et al. 2017) on a named tensor of shape [batch, channels, h, w]: the ReLU of the
 * channels' sum weighted by the spatial mean of the target logit's gradient at that tensor. The map has
 * the tensor's resolution, [batch, 1, h, w]; heatmaps upsample it.
 */
public final class GradCam {
    private final String layer;

    public GradCam(String layer) {
        this.layer = layer;
    }

    public NDArray attribute(ExecutorModel model, NDManager batch, NDArray input, long[] targets) {
        var executor = model.executor();
        executor.graph().requireTensor(layer);
        Map<String, NDArray> feeds = new HashMap<>(Map.of(model.input(), input));
        Map<String, NDArray> values = executor.run(batch, feeds, List.of(layer, model.output()));
        NDArray activation = values.get(layer);
        if (activation.getShape().dimension() != 4) {
            throw new CandorException("Grad-CAM needs a [batch, channels, h, w] tensor; '" + layer + "' has shape "
                    + activation.getShape());
        }
        NDArray seed = DifferentiableModel.oneHot(batch, targets, values.get(model.output()).getShape().get(1));
        NDArray grad = executor.gradients(batch, feeds, model.output(), seed, List.of(layer)).get(layer);
        long[] s = activation.getShape().getShape();
        NDArray weights = grad.reshape(s[0], s[1], -1).mean(new int[] {2}).reshape(s[0], s[1], 1, 1);
        return Activation.relu(activation.mul(weights).sum(new int[] {1}).reshape(s[0], 1, s[2], s[3]));
    }
}
