package io.candor.finetune;

import io.candor.interop.tensor.HostTensor;
import java.util.List;
import java.util.Map;

/**
 * Where a training run stands after an epoch, besides the current weights: everything a resumed run
 * needs to continue exactly as if it had never stopped.
 *
 * @param epoch the last finished epoch
 * @param bestLoss the best validation loss so far
 * @param sinceBest epochs since the best one (the patience count)
 * @param history the metrics of every finished epoch
 * @param best the weights and running statistics of the best epoch (what early stopping restores)
 * @param optimizer the optimizer's moments and step counts
 */
public record TrainingState(int epoch, double bestLoss, int sinceBest, List<EpochMetrics> history,
        Map<String, HostTensor> best, Map<String, HostTensor> optimizer) {

    public TrainingState {
        history = List.copyOf(history);
        best = Map.copyOf(best);
        optimizer = Map.copyOf(optimizer);
    }
}
