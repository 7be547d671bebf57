package io.candor.interop.exec.ops;

import io.candor.interop.CandorException;
import io.candor.interop.onnx.Attributes;
import io.candor.interop.onnx.Node;
import io.candor.interop.tensor.HostTensor;

/**
 * ONNX Constant. The executor turns Constant nodes into weights when it loads a model, so they are
 * converted once, not at every run; this reads the value from whichever attribute holds it.
 */
public final class Constant {
    private Constant() {
    }

    public static HostTensor value(Node node) {
        Attributes a = node.attributes();
        if (a.has("value")) {
            return a.getTensor("value");
        }
        if (a.has("value_float")) {
            return HostTensor.ofFloats(new long[0], a.getFloat("value_float", 0f));
        }
        if (a.has("value_floats")) {
            float[] v = a.getFloats("value_floats");
            return HostTensor.ofFloats(new long[] {v.length}, v);
        }
        if (a.has("value_int")) {
            return HostTensor.ofLongs(new long[0], a.getInt("value_int", 0));
        }
        if (a.has("value_ints")) {
            long[] v = a.getInts("value_ints");
            return HostTensor.ofLongs(new long[] {v.length}, v);
        }
        throw new CandorException(node.describe() + " has no value attribute this reader supports"
                + " (value, value_float(s), value_int(s))");
    }
}
