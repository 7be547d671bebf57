package io.candor.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.HostTensor;
import io.candor.interpreter.Dictionary;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Outputs of a one-input model that gives one row of values per sample, on Candor's executor, a batch of
 * {@value #BATCH} samples at a time so that a large input never goes through at once.
 */
final class BatchedOutputs {
    private static final int BATCH = 256;

    private BatchedOutputs() {
    }

    /** The {@code wanted} outputs for all samples of {@code x}, each [N][width]; a non-finite value is an error. */
    static float[][][] run(OnnxModel model, String inputName, HostTensor x, List<String> wanted) {
        int n = (int) x.shape()[0];
        float[][][] result = new float[wanted.size()][n][];
        try (Executor executor = Executor.of(model)) {
            for (int from = 0; from < n; from += BATCH) {
                int to = Math.min(n, from + BATCH);
                try (NDManager batch = Engines.newManager()) {
                    Map<String, NDArray> values = executor.run(batch, Map.of(inputName, slice(x, from, to).toNDArray(batch)),
                            wanted);
                    for (int k = 0; k < wanted.size(); k++) {
                        HostTensor t = HostTensor.of(values.get(wanted.get(k)));
                        t.requireFiniteResult("the output '" + wanted.get(k) + "'");
                        if (t.rank() != 2 || t.shape()[0] != to - from) {
                            throw new CandorException("the output '" + wanted.get(k) + "' is " + Arrays.toString(t.shape())
                                    + " for " + (to - from) + " samples; expected [samples, values]");
                        }
                        System.arraycopy(Dictionary.rows(t), 0, result[k], from, to - from);
                    }
                }
            }
        }
        return result;
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) of {@code x}, without copying them. */
    private static HostTensor slice(HostTensor x, int from, int to) {
        long[] shape = x.shape();
        long perRow = HostTensor.elementCount(shape) / shape[0] * x.type().bytes();
        shape[0] = to - from;
        ByteBuffer data = x.data();
        data.position(Math.toIntExact(from * perRow)).limit(Math.toIntExact(to * perRow));
        return new HostTensor(x.type(), shape, data);
    }
}
