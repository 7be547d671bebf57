package io.candor.finetune.penalty;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.candor.finetune.Batch;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.exec.vjp.InputGradient;
import io.candor.interop.tensor.Tensors;
import java.util.function.Consumer;

/**
 * Expected Gradients as the CDEP reference code penalises them ({@code eg_scores_2d}): for each marked
 * image x_j, K references x' drawn with replacement from the batch and K weights alpha ~ U(0, 1); at each
 * point x' + alpha (x_j - x') the gradient of the softmax probability of x_j's label with respect to the
 * input, times (x_j - x'), in absolute value, summed over the K points and the channels; the penalty is
 * its sum over the marked pixels, summed over the images. The input gradients are written out
 * ({@link InputGradient}) so the penalty is differentiable without double backpropagation. The passes run
 * in evaluation mode (the reference runs them in training mode, which would let them update BatchNorm's
 * statistics with interpolated inputs).
 */
public final class ExpectedGradients implements SampledPenalty {
    /**
     * Rows of interpolated inputs per piece: few enough that each activation stays below the 32 MiB up to
     * which glibc keeps freed blocks (NativeMemory); at 1024 rows an epoch took 2.7x as long.
     */
    static final int ROWS_PER_PIECE = 256;
    private final int references;

    /** @param references K, the references per image (the reference code: 200 for DecoyMNIST, 50 for ColorMNIST) */
    public ExpectedGradients(int references) {
        if (references < 1) {
            throw new CandorException("Expected Gradients needs at least one reference per image, got " + references);
        }
        this.references = references;
    }

    @Override
    public float accumulate(Executor executor, InputGradient gradients, Batch batch, float lambda,
            Consumer<NDArray> backward) {
        NDArray x = batch.feeds().get(executor.singleInput());
        NDArray spurious = batch.spurious();
        if (spurious == null) {
            return Float.NaN; // nothing marked in this batch: no penalty, as for an empty mask
        }
        NDManager m = batch.manager();
        long n = x.getShape().get(0);
        NDArray masks = spurious.toType(x.getDataType(), false).broadcast(x.getShape());
        float[] sums = masks.abs().reshape(n, -1).sum(new int[] {1}).toFloatArray();
        long[] marked = java.util.stream.LongStream.range(0, n).filter(i -> sums[(int) i] > 0).toArray();
        if (marked.length == 0) {
            return Float.NaN;
        }
        boolean training = executor.isTraining();
        executor.setTraining(false);
        double total = 0;
        try {
            int perPiece = Math.max(1, ROWS_PER_PIECE / references);
            for (int from = 0; from < marked.length; from += perPiece) {
                long[] images = java.util.Arrays.copyOfRange(marked, from, Math.min(marked.length, from + perPiece));
                NDArray piece = piece(executor, gradients, m, x, masks, batch.labels(), images);
                total += piece.getFloat();
                backward.accept(Tensors.times(piece, lambda));
            }
        } finally {
            executor.setTraining(training);
        }
        return (float) total;
    }

    /** The penalty of some images, each with K interpolations toward it. */
    private NDArray piece(Executor executor, InputGradient gradients, NDManager m, NDArray x, NDArray masks,
            NDArray labels, long[] images) {
        long n = x.getShape().get(0);
        int c = images.length;
        long rows = (long) c * references;
        NDArray image = m.create(images).repeat(references); // j, j, ..., each K times
        NDArray reference = m.randomInteger(0, n, new Shape(rows), DataType.INT64);
        long[] spatial = java.util.Arrays.copyOfRange(x.getShape().getShape(), 1, x.getShape().dimension());
        long[] alphaShape = new long[spatial.length + 1];
        java.util.Arrays.fill(alphaShape, 1);
        alphaShape[0] = rows;
        NDArray alpha = m.randomUniform(0, 1, new Shape(alphaShape), x.getDataType());
        return value(executor, gradients, m, x, masks, labels, image, reference, alpha);
    }

    /**
     * The penalty for given draws: row r interpolates from x[reference[r]] toward x[image[r]] by
     * alpha[r] ([rows, 1, ...]).
     */
    static NDArray value(Executor executor, InputGradient gradients, NDManager m, NDArray x, NDArray masks,
            NDArray labels, NDArray image, NDArray reference, NDArray alpha) {
        NDArray target = x.get(image);
        NDArray from = x.get(reference);
        NDArray points = from.add(target.sub(from).mul(alpha));
        String input = executor.singleInput();
        String output = executor.graph().outputs().get(0).name();
        InputGradient.Pass pass = gradients.forward(m, java.util.Map.of(input, points), input, output);
        NDArray logits = pass.output();
        long classes = logits.getShape().get(1);
        NDArray p = logits.softmax(1);
        NDArray label = labels.get(image);
        NDArray oneHot = label.oneHot((int) classes).toType(p.getDataType(), false);
        NDArray pt = p.mul(oneHot).sum(new int[] {1}, true);
        // d p_t / d logits = p_t (e_t - p)
        NDArray g = pass.inputGradient(pt.mul(oneHot.sub(p)));
        NDArray attribution = g.mul(target.sub(from)).abs();
        return attribution.mul(masks.get(image)).sum();
    }
}
