package io.candor.interop.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.candor.interop.exec.Engines;
import org.junit.jupiter.api.Test;

/**
 * Scalars and host data held in libtorch's memory stay valid until the backward pass, however much
 * the garbage collector frees in between (DJL's own scalar overloads do not: see {@link Tensors#times}).
 */
class TensorsTest {
    /** Frees every unreachable direct buffer and reuses small native blocks, as a long forward pass would. */
    private static void churn(NDManager m) {
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 2000; i++) {
                m.create(new float[] {1e30f + i}).close(); // small direct buffers, freed and reused
            }
            System.gc();
        }
    }

    @Test
    void scalarFactorsSurviveUntilTheBackwardPass() {
        try (NDManager m = Engines.newManager()) {
            NDArray x = m.create(new float[] {1, 2, 3});
            x.setRequiresGradient(true);
            try (GradientCollector c = Engines.pytorch().newGradientCollector()) {
                NDArray y = Tensors.over(Tensors.times(x, 0.5f), 4f).sum();
                churn(m);
                c.backward(y);
            }
            assertArrayEquals(new float[] {0.125f, 0.125f, 0.125f}, x.getGradient().toFloatArray());
        }
    }

    @Test
    void hostDataOutlivesTheWrapperItWasCopiedThrough() {
        try (NDManager m = Engines.newManager()) {
            NDArray view;
            try (NDManager inner = m.newSubManager()) {
                NDArray a = HostTensor.ofFloats(new long[] {4}, 1, 2, 3, 4).toNDArray(inner);
                view = a.get("1:3");
                view.attach(m);
            } // a is closed here; the view must still read 2, 3
            churn(m);
            assertArrayEquals(new float[] {2, 3}, view.toFloatArray());
            assertEquals(2, view.size());
        }
    }

    @Test
    void rowsOfTwoTensorsStackAndMismatchesAreRefused() {
        HostTensor a = HostTensor.ofLongs(new long[] {1, 2}, 1, 2);
        HostTensor b = HostTensor.ofLongs(new long[] {2, 2}, 3, 4, 5, 6);
        HostTensor both = HostTensor.concatRows(a, b);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {3, 2}, both.shape());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6}, both.toLongArray());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {5, 6, 1, 2, 5, 6}, both.rows(2, 0, 2).toLongArray(),
                "rows in the order asked, repeats allowed");
        org.junit.jupiter.api.Assertions.assertThrows(io.candor.interop.CandorException.class, () -> both.rows(3));
        org.junit.jupiter.api.Assertions.assertThrows(io.candor.interop.CandorException.class,
                () -> HostTensor.concatRows(a, HostTensor.ofFloats(new long[] {1, 2}, 1, 2)), "types differ");
        org.junit.jupiter.api.Assertions.assertThrows(io.candor.interop.CandorException.class,
                () -> HostTensor.concatRows(a, HostTensor.ofLongs(new long[] {1, 3}, 1, 2, 3)), "row shapes differ");
    }
}
