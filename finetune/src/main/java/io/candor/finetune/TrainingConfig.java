package io.candor.finetune;

/**
 * Settings of one training run.
 *
 * @param optimizer "adam" or "sgd" (with {@code momentum})
 * @param weightDecay L2 penalty added to the gradient, as PyTorch's Adam and SGD do
 * @param patience epochs without a better validation loss before stopping (0 = never stop early)
 * @param cut train only the weights after this tensor ({@code null}: every weight)
 * @param classWeights cross-entropy weight per class ({@code null}: equal)
 */
public record TrainingConfig(int epochs, int batchSize, float learningRate, String optimizer, float momentum,
        float weightDecay, long seed, int patience, String cut, float[] classWeights) {

    public static TrainingConfig defaults() {
        return new TrainingConfig(5, 64, 1e-3f, "adam", 0.9f, 0f, 0, 2, null, null);
    }
}
