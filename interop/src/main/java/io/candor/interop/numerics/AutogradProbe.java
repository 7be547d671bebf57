package io.candor.interop.numerics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.candor.interop.exec.Engines;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Runs a function of a few small arrays forward and back on libtorch and copies out its value and the
 * gradient of sum(value * seed) with respect to each input. It drives autograd directly rather than
 * through a GradientCollector, of which DJL allows one open at a time, so a check can run in the middle
 * of a training step or an attribution.
 */
final class AutogradProbe {
    private AutogradProbe() {
    }

    /** A host array and its shape, an input of the probed function, differentiated or held constant. */
    record Input(float[] values, boolean differentiated, long... shape) {
        Input(float[] values, long... shape) {
            this(values, true, shape);
        }
    }

    /** {value, gradient of input 0, gradient of input 1, ...} as flat C-order arrays (null where held constant). */
    static List<float[]> run(Function<NDList, NDArray> f, float[] seed, Input... inputs) {
        boolean gradMode = JniUtils.isGradMode();
        try (NDManager m = Engines.newManager()) {
            JniUtils.setGradMode(true);
            NDList leaves = new NDList();
            for (Input in : inputs) {
                NDArray a = m.create(in.values(), new Shape(in.shape()));
                a.setRequiresGradient(in.differentiated());
                leaves.add(a);
            }
            NDArray y = f.apply(leaves);
            NDArray loss = y.mul(m.create(seed, y.getShape())).sum();
            JniUtils.backward((PtNDArray) loss, (PtNDArray) m.ones(loss.getShape()), false, false);
            List<float[]> out = new ArrayList<>();
            out.add(y.toFloatArray());
            for (int i = 0; i < leaves.size(); i++) {
                out.add(inputs[i].differentiated() ? leaves.get(i).getGradient().toFloatArray() : null);
            }
            return out;
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    static float[] random(java.util.Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }
}
