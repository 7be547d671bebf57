package io.candor.cli;

import io.candor.interop.CandorException;
import io.candor.interop.onnx.ValueInfo;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Samples from a {@code .npy} file for a model with one input, checked here rather than by the native
 * code: finite values, the input's type and fixed dimensions, at least one sample. One sample may leave
 * out the batch axis.
 */
final class SampleInput {
    private SampleInput() {
    }

    /** The samples of {@code file} with their batch axis, as {@code declared} takes them. */
    static HostTensor read(Path file, ValueInfo declared) {
        HostTensor x = batched(file, Npy.read(file).requireFinite(file.toString()), declared);
        if (x.shape()[0] == 0) {
            throw new CandorException(file + " holds no samples");
        }
        return x;
    }

    /** {@code x} as it is when its rank is the input's, with a batch of one added when it is one less. */
    private static HostTensor batched(Path file, HostTensor x, ValueInfo declared) {
        List<String> dims = declared.dims();
        String expected = "the model input '" + declared.name() + "' is " + (declared.type() == null ? "?"
                : declared.type().name().toLowerCase(Locale.ROOT)) + " " + dims;
        if (declared.type() != null && x.type() != declared.type()) {
            throw new CandorException(file + " is " + x.type().name().toLowerCase(Locale.ROOT) + " "
                    + Arrays.toString(x.shape()) + " but " + expected);
        }
        if (dims.isEmpty()) {
            return x;
        }
        long[] shape = x.shape();
        if (shape.length == dims.size() - 1) {
            long[] withBatch = new long[shape.length + 1];
            withBatch[0] = 1;
            System.arraycopy(shape, 0, withBatch, 1, shape.length);
            shape = withBatch;
        }
        boolean ok = shape.length == dims.size();
        for (int i = 1; ok && i < shape.length; i++) {
            String d = dims.get(i);
            ok = !d.chars().allMatch(Character::isDigit) || Long.parseLong(d) == shape[i];
        }
        if (!ok) {
            throw new CandorException(file + " has shape " + Arrays.toString(x.shape()) + " but " + expected
                    + " (one sample may leave out the batch axis)");
        }
        return x.reshape(shape);
    }
}
