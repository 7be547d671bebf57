package io.candor.attribution.methods;

import static io.candor.interop.testing.Arrays2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.candor.attribution.ExecutorModel;
import io.candor.attribution.ExplainOptions;
import io.candor.attribution.Explainer;
import io.candor.attribution.Explanation;
import io.candor.attribution.Targets;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Each method's temporaries are freed step by step: the arrays left in the caller's manager after an
 * explanation do not grow with the number of steps, tiles, windows, samples or classes.
 */
class MemoryTest {
    private static ExplainOptions options(String method, Targets targets, int steps, int window, int samples) {
        return new ExplainOptions(method, targets, null, steps, "trapezoid", 4, false, 0.1f, samples, "saliency", 0, null,
                window, 1, null, null);
    }

    /** Arrays left behind by one explanation with the given options (and a given baseline, if {@code withBaseline}). */
    private static int leftBehind(ExplainOptions o) {
        return leftBehind(o, false);
    }

    private static int leftBehind(ExplainOptions o, boolean withBaseline) {
        try (Executor ex = Executor.of(AttributionMethodsTest.smoothCnn()); NDManager batch = Engines.newManager()) {
            NDArray x = batch.create(random(3, 2 * 50), new Shape(2, 2, 5, 5));
            if (withBaseline) {
                NDArray baseline = batch.create(random(4, 50), new Shape(1, 2, 5, 5));
                o = new ExplainOptions(o.method(), o.targets(), baseline, o.steps(), o.integration(), o.internalBatch(),
                        o.absolute(), o.noiseLevel(), o.samples(), o.smoothedMethod(), o.seed(), o.layer(), o.window(),
                        o.stride(), o.mask(), o.span());
            }
            int before = batch.getManagedArrays().size();
            Explanation e = Explainer.explain(ExecutorModel.of(ex), batch, x, o);
            int after = batch.getManagedArrays().size();
            e.attributions().getShape();
            return after - before;
        }
    }

    private static void assertNoGrowth(String what, IntFunction<ExplainOptions> withSize, int small, int large) {
        assertEquals(leftBehind(withSize.apply(small)), leftBehind(withSize.apply(large)),
                what + ": arrays left behind must not grow from " + small + " to " + large);
    }

    @Test
    void integratedGradientsFreesEachStep() {
        assertNoGrowth("integrated gradients", s -> options("integrated-gradients", Targets.top(), s, 2, 1), 4, 32);
    }

    @Test
    void occlusionFreesEachWindow() {
        assertNoGrowth("occlusion", w -> options("occlusion", Targets.top(), 8, w, 1), 4, 1);
    }

    @Test
    void cdTileSweepFreesEachTile() {
        assertNoGrowth("cd tiles", w -> options("cd", Targets.top(), 8, w, 1), 5, 1);
    }

    @Test
    void smoothGradFreesEachSample() {
        assertNoGrowth("smoothgrad", n -> options("smoothgrad", Targets.top(), 8, 2, n), 2, 12);
    }

    @Test
    void aGivenBaselineIsNotCopiedIntoTheCallersManagerPerClass() {
        int one = leftBehind(options("integrated-gradients", Targets.of(0), 8, 2, 1), true);
        int all = leftBehind(options("integrated-gradients", Targets.all(), 8, 2, 1), true);
        org.junit.jupiter.api.Assertions.assertTrue(all <= one, "--target all with a baseline leaves " + all + ", one class " + one);
    }

    @Test
    void everyClassFreesEachClassesTemporaries() {
        // Three classes leave no more behind than one class does.
        int one = leftBehind(options("integrated-gradients", Targets.of(0), 8, 2, 1));
        int all = leftBehind(options("integrated-gradients", Targets.all(), 8, 2, 1));
        org.junit.jupiter.api.Assertions.assertTrue(all <= one, "--target all leaves " + all + " arrays, one class " + one);
    }
}
