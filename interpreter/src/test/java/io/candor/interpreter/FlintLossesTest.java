package io.candor.interpreter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.candor.interop.exec.Engines;
import org.junit.jupiter.api.Test;

/** FLINT's losses on tensors small enough to work out by hand. */
class FlintLossesTest {
    private static double h(double... p) {
        double sum = 0;
        for (double q : p) {
            sum -= q * Math.log(q);
        }
        return sum;
    }

    private static double[] softmax(double... a) {
        double z = 0;
        for (double v : a) {
            z += Math.exp(v);
        }
        double[] p = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            p[i] = Math.exp(a[i]) / z;
        }
        return p;
    }

    @Test
    void outputFidelityIsTheCrossEntropyAgainstTheModelsSoftmaxWhichGetsNoGradient() {
        try (NDManager m = Engines.newManager()) {
            NDArray f = m.create(new float[] {0, (float) Math.log(3)}, new Shape(1, 2)); // softmax(f) = [1/4, 3/4]
            NDArray g = m.create(new float[] {0, 0}, new Shape(1, 2)); // log softmax(g) = [ln 1/2, ln 1/2]
            f.setRequiresGradient(true);
            g.setRequiresGradient(true);
            try (GradientCollector c = Engines.pytorch().newGradientCollector()) {
                NDArray loss = FlintLosses.outputFidelity(f, g);
                assertEquals(Math.log(2), loss.getFloat(), 1e-6);
                c.backward(loss);
            }
            // d/dg = softmax(g) - softmax(f) = [1/2 - 1/4, 1/2 - 3/4]; f is detached.
            assertArrayEquals(new float[] {0.25f, -0.25f}, g.getGradient().toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0, 0}, f.getGradient().toFloatArray());
        }
    }

    @Test
    void inputFidelityAndSparsityByHand() {
        try (NDManager m = Engines.newManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            NDArray r = m.create(new float[] {1, 0, 3, 5}, new Shape(2, 2));
            assertEquals((0 + 4 + 0 + 1) / 4.0, FlintLosses.inputFidelity(r, x).getFloat(), 1e-6);
            NDArray phi = m.create(new float[] {1, -2, 0, 3}, new Shape(2, 2));
            assertEquals(6 / 4.0, FlintLosses.sparsity(phi).getFloat(), 1e-6);
        }
    }

    @Test
    void concisenessDiversityIsMeanEntropyMinusTheEntropyOfTheMean() {
        try (NDManager m = Engines.newManager()) {
            NDArray phi = m.create(new float[] {1, -2, 0, 0}, new Shape(2, 2));
            // |phi| rows [1, 2] and [0, 0]; their mean [0.5, 1].
            double expected = (h(softmax(1, 2)) + h(softmax(0, 0))) / 2 - h(softmax(0.5, 1));
            assertEquals(expected, FlintLosses.concisenessDiversity(phi).getFloat(), 1e-6);
        }
    }

    @Test
    void conceptBindingIsTheBinaryCrossEntropyOfTheProbeLogits() {
        try (NDManager m = Engines.newManager()) {
            NDArray z = m.create(new float[] {0, 2, -3, 40}, new Shape(2, 2));
            NDArray c = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
            z.setRequiresGradient(true);
            double expected = (Math.log(2) + Math.log(1 + Math.exp(2)) + Math.log(1 + Math.exp(-3)) + Math.log(1 + Math.exp(-40))) / 4;
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                NDArray loss = FlintLosses.conceptBinding(z, c);
                assertEquals(expected, loss.getFloat(), 1e-6);
                gc.backward(loss);
            }
            // d/dz = (sigmoid(z) - c) / 4
            double[] sig = {0.5, 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(3)), 1};
            float[] grad = z.getGradient().toFloatArray();
            float[] labels = {1, 0, 0, 1};
            for (int i = 0; i < 4; i++) {
                assertEquals((sig[i] - labels[i]) / 4, grad[i], 1e-6, "element " + i);
            }
        }
    }
}
