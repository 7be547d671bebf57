package io.candor.interop.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.GraphBuilder;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs a single ONNX op on the executor; inputs become initializers ({@code null} = absent). */
public final class OneOp {
    private OneOp() {
    }

    public static OnnxModel model(long opset, String op, int outputs, Object[] attrs, HostTensor... inputs) {
        GraphBuilder g = new GraphBuilder("one-" + op, opset);
        String[] names = new String[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            names[i] = inputs[i] == null ? "" : g.initializer("in" + i, inputs[i]);
        }
        String[] outs = new String[outputs];
        for (int i = 0; i < outputs; i++) {
            outs[i] = "out" + i;
            g.output(outs[i], DataType.FLOAT32);
        }
        g.node(op, outs, names, attrs);
        return g.buildModel();
    }

    /** All outputs of the op, copied to the host. */
    public static List<HostTensor> run(long opset, String op, int outputs, Object[] attrs, HostTensor... inputs) {
        OnnxModel model = model(opset, op, outputs, attrs, inputs);
        try (Executor ex = Executor.of(model); NDManager m = Engines.newManager()) {
            List<String> wanted = new ArrayList<>();
            for (int i = 0; i < outputs; i++) {
                wanted.add("out" + i);
            }
            List<HostTensor> result = new ArrayList<>();
            for (NDArray a : ex.run(m, Map.of(), wanted).values()) {
                result.add(a == null ? null : HostTensor.of(a));
            }
            return result;
        }
    }

    public static HostTensor run(long opset, String op, Object[] attrs, HostTensor... inputs) {
        return run(opset, op, 1, attrs, inputs).get(0);
    }

    public static Object[] attrs(Object... pairs) {
        return pairs;
    }
}
