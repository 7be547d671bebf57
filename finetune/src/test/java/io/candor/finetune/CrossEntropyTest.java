package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.candor.interop.exec.Engines;
import io.candor.interop.testing.Arrays2;
import org.junit.jupiter.api.Test;

class CrossEntropyTest {
    @Test
    void theWrittenOutGradientIsAutogradsWithAndWithoutClassWeights() {
        for (float[] weights : new float[][] {null, {0.5f, 2f, 1f}}) {
            CrossEntropy ce = new CrossEntropy(weights);
            try (NDManager m = Engines.newManager()) {
                NDArray logits = m.create(Arrays2.random(3, 12), new Shape(4, 3));
                NDArray labels = m.create(new long[] {0, 2, 1, 1});
                logits.setRequiresGradient(true);
                try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                    gc.backward(ce.loss(logits, labels));
                }
                Arrays2.assertClose(logits.getGradient().toFloatArray(), ce.gradient(logits, labels).toFloatArray(), 1e-6,
                        "dCE/dlogits, class weights " + java.util.Arrays.toString(weights));
            }
        }
    }
}
