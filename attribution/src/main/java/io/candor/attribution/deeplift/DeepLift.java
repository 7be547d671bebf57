package io.candor.attribution.deeplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.candor.attribution.AttributionMethod;
import io.candor.attribution.Completeness;
import io.candor.attribution.DifferentiableModel;
import io.candor.attribution.ExecutorModel;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.GraphRunner;
import java.util.List;
import java.util.Map;

/**
 * DFD / DeepLIFT-Rescale (Shrikumar et al. 2017) with a chosen reference ("default") input: the
 * attribution of a feature is its multiplier times its difference from the reference, so the
 * attributions of a sample add up to target(input) - target(reference) (summation-to-delta), exactly
 * through linear layers and elementwise nonlinearities; MaxPool passes multipliers to the argmax of the
 * actual input, as the reference code does, which can break the sum when the reference's argmax
 * differs. Needs the ONNX graph.
 */
public final class DeepLift implements AttributionMethod {
    private final NDArray baseline;

    /** @param baseline broadcastable to the input (zeros when {@code null}) */
    public DeepLift(NDArray baseline) {
        this.baseline = baseline;
    }

    @Override
    public NDArray attribute(DifferentiableModel model, NDManager batch, NDArray input, long[] targets) {
        if (!(model instanceof ExecutorModel graph)) {
            throw new CandorException("DeepLIFT needs the model's ONNX graph");
        }
        NDArray reference = baselineFor(input);
        GraphRunner<DlValue> runner = graph.executor().runner(new DeepLiftSemantics());
        NDArray leaf = input.stopGradient();
        leaf.attach(batch);
        leaf.setRequiresGradient(true);
        try (GradientCollector collector = Engines.pytorch().newGradientCollector()) {
            DlValue out = runner.run(Map.of(graph.input(), new DlValue(leaf, reference)), List.of(graph.output()),
                    graph.executor().context(batch)).get(graph.output());
            NDArray seed = DifferentiableModel.oneHot(batch, targets, out.actual().getShape().get(1));
            collector.backward(out.actual().mul(seed).sum());
        }
        NDArray multipliers = leaf.getGradient();
        NDArray attributions = multipliers.mul(input.sub(reference));
        attributions.attach(batch);
        return attributions;
    }

    @Override
    public float[] completenessError(DifferentiableModel model, NDManager batch, NDArray input, long[] targets,
            NDArray attributions) {
        return Completeness.error(model, batch, input, baselineFor(input), targets, attributions);
    }

    private NDArray baselineFor(NDArray input) {
        return baseline == null ? input.zerosLike() : baseline.broadcast(input.getShape());
    }
}
