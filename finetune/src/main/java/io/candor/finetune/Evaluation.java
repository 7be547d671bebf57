package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.models.data.DatasetSplit;
import java.util.Arrays;

/**
 * How well a model does on a split: accuracy, accuracy per class and the confusion matrix (rows: true
 * class, columns: predicted); for two classes also the ROC AUC and the best F1 over thresholds on the
 * softmax probability of class 1.
 */
public record Evaluation(long samples, double accuracy, double[] perClassAccuracy, long[][] confusion, Double rocAuc,
        Double bestF1) {

    public static Evaluation of(Executor executor, DatasetSplit split, int batchSize) {
        return of(split.labels(), probabilities(executor, split, batchSize));
    }

    /**
     * The model's class probabilities (softmax of its first output) for every sample of {@code split},
     * in batches of {@code batchSize} taken in order: a distributed evaluation that hands each worker
     * whole batches gets the same numbers.
     */
    public static float[][] probabilities(Executor executor, DatasetSplit split, int batchSize) {
        String input = executor.singleInput();
        String output = executor.graph().outputs().get(0).name();
        float[][] probabilities = new float[(int) split.size()][];
        try (InputBatches batches = new InputBatches(split, input, batchSize)) {
            long[] order = batches.order(null);
            for (int b = 0; b < batches.count(); b++) {
                try (NDManager manager = Engines.newManager()) {
                    Batch batch = batches.get(manager, order, b);
                    NDArray p = executor.run(manager, batch.feeds(), java.util.List.of(output)).get(output).softmax(1);
                    long classes = p.getShape().get(1);
                    float[] flat = p.toFloatArray();
                    for (int i = 0; i < batch.size(); i++) {
                        probabilities[b * batchSize + i] = Arrays.copyOfRange(flat, (int) (i * classes), (int) ((i + 1) * classes));
                    }
                }
            }
        }
        return probabilities;
    }

    /** The metrics of predicted class probabilities against labels. */
    public static Evaluation of(long[] labels, float[][] probabilities) {
        int classes = probabilities.length == 0 ? 0 : probabilities[0].length;
        long[][] confusion = new long[classes][classes];
        long correct = 0;
        for (int i = 0; i < labels.length; i++) {
            int predicted = argmax(probabilities[i]);
            confusion[(int) labels[i]][predicted]++;
            correct += predicted == labels[i] ? 1 : 0;
        }
        double[] perClass = new double[classes];
        for (int c = 0; c < classes; c++) {
            long total = Arrays.stream(confusion[c]).sum();
            perClass[c] = total == 0 ? Double.NaN : confusion[c][c] / (double) total;
        }
        Double auc = null;
        Double f1 = null;
        if (classes == 2) {
            double[] score = new double[labels.length];
            for (int i = 0; i < labels.length; i++) {
                score[i] = probabilities[i][1];
            }
            auc = rocAuc(labels, score);
            f1 = bestF1(labels, score);
        }
        return new Evaluation(labels.length, labels.length == 0 ? Double.NaN : correct / (double) labels.length, perClass,
                confusion, auc, f1);
    }

    /** The probability that a random positive scores above a random negative (ties count half). */
    static double rocAuc(long[] labels, double[] score) {
        long positives = Arrays.stream(labels).filter(l -> l == 1).count();
        long negatives = labels.length - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        Integer[] order = new Integer[labels.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
        double rankSum = 0;
        for (int i = 0; i < order.length;) {
            int j = i;
            while (j < order.length && score[order[j]] == score[order[i]]) {
                j++;
            }
            double averageRank = (i + j + 1) / 2.0;
            for (int k = i; k < j; k++) {
                if (labels[order[k]] == 1) {
                    rankSum += averageRank;
                }
            }
            i = j;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / (positives * (double) negatives);
    }

    /** The best F1 of class 1 over the thresholds 0.05, 0.10, ..., 0.95. */
    static double bestF1(long[] labels, double[] score) {
        double best = 0;
        for (int k = 1; k < 20; k++) {
            double threshold = k / 20.0;
            long tp = 0;
            long fp = 0;
            long fn = 0;
            for (int i = 0; i < labels.length; i++) {
                boolean predicted = score[i] >= threshold;
                tp += predicted && labels[i] == 1 ? 1 : 0;
                fp += predicted && labels[i] != 1 ? 1 : 0;
                fn += !predicted && labels[i] == 1 ? 1 : 0;
            }
            if (tp > 0) {
                best = Math.max(best, 2.0 * tp / (2.0 * tp + fp + fn));
            }
        }
        return best;
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}
