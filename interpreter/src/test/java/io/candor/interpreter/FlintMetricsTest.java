package io.candor.interpreter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** FLINT's measures on cases made by hand. */
class FlintMetricsTest {
    private final float[][] f = {{2, 1, 0}, {0, 3, 1}, {0, 1, 5}, {4, 0, 0}};
    private final float[][] g = {{1, 0, 0}, {0, 1, 2}, {0, 0, 3}, {0, 2, 1}};

    @Test
    void fidelityTopKAndAccuracy() {
        // g agrees with f on samples 0 and 2; f's class is g's second best on sample 1 and third on sample 3.
        assertEquals(0.5, FlintMetrics.fidelity(f, g), 1e-12);
        assertEquals(0.75, FlintMetrics.topKFidelity(f, g, 2), 1e-12);
        assertEquals(1.0, FlintMetrics.topKFidelity(f, g, 3), 1e-12);
        assertEquals(0.75, FlintMetrics.accuracy(f, new long[] {0, 1, 2, 1}), 1e-12);
    }

    @Test
    void relevanceConcisenessAndClassRelevance() {
        float[][] phi = {{1, 2, 0}, {3, 0, 1}};
        float[][] logits = {{5, 0}, {0, 5}}; // g predicts class 0, then class 1
        float[][] w = {{1, 1, 1}, {-1, 2, 4}};
        float[][] r = FlintMetrics.relevance(phi, logits, w);
        // Sample 0, class 0: alpha = [1, 2, 0] -> r = [0.5, 1, 0]. Sample 1, class 1: alpha = [-3, 0, 4] -> [-0.75, 0, 1].
        assertArrayEquals(new float[] {0.5f, 1, 0}, r[0], 1e-6f);
        assertArrayEquals(new float[] {-0.75f, 0, 1}, r[1], 1e-6f);
        assertEquals(1.0, FlintMetrics.conciseness(r, 1.5), 1e-12, "only the top attribute exceeds 2/3");
        assertEquals(1.5, FlintMetrics.conciseness(r, 2.5), 1e-12, "0.5 > 0.4 in sample 0");
        float[][] byClass = FlintMetrics.classRelevance(r, logits, 3);
        assertArrayEquals(new float[] {0.5f, 1, 0}, byClass[0], 1e-6f);
        assertArrayEquals(new float[] {-0.75f, 0, 1}, byClass[1], 1e-6f);
        assertArrayEquals(new float[] {0, 0, 0}, byClass[2], "a class never predicted");
    }

    @Test
    void rocAucCountsOrderedPairsWithTiesAsHalf() {
        float[] labels = {1, 0, 1, 0};
        assertEquals(1.0, FlintMetrics.rocAuc(new float[] {3, 1, 2, 0}, labels), 1e-12, "every positive above every negative");
        assertEquals(0.0, FlintMetrics.rocAuc(new float[] {0, 3, 1, 2}, labels), 1e-12);
        // Pairs (pos, neg): (2,1) win, (2,3) lose, (1,1) tie, (1,3) lose -> (1 + 0.5) / 4.
        assertEquals(0.375, FlintMetrics.rocAuc(new float[] {2, 1, 1, 3}, labels), 1e-12);
        assertEquals(0.5, FlintMetrics.rocAuc(new float[] {7, 7, 7, 7}, labels), 1e-12, "a constant score is chance");
        org.junit.jupiter.api.Assertions.assertNull(FlintMetrics.rocAuc(new float[] {1, 2}, new float[] {1, 1}),
                "nothing to separate");
    }

    @Test
    void aBoundConceptReportsItsAucWeightsAndMeanContribution() {
        float[][] phi = {{2, 0}, {0, 1}, {1, 1}};
        float[][] logits = {{1, 0}, {0, 1}, {1, 0}}; // g predicts 0, 1, 0
        float[][] w = {{3, 0}, {-1, 2}};
        var labels = io.candor.models.data.Concepts.of(java.util.List.of("loop"), java.util.Map.of("loop", "has a loop"),
                new boolean[][] {{true}, {false}, {true}});
        var c = Dictionary.concepts(labels, 1, phi, logits, w).get(0);
        assertEquals("loop", c.get("name"));
        assertEquals(1.0, (Double) c.get("auc"), 1e-12);
        assertArrayEquals(new double[] {3, -1}, (double[]) c.get("weights"), 1e-12);
        assertEquals(2.0, (Double) c.get("meanAbsWeight"), 1e-12);
        // Class 0 (samples 0 and 2): (2*3 + 1*3) / 2 = 4.5; class 1 (sample 1): 0 * -1 = 0.
        assertArrayEquals(new double[] {4.5, 0}, (double[]) c.get("meanContribution"), 1e-12);
    }
}
