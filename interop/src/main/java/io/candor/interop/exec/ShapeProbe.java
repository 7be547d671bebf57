package io.candor.interop.exec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.Node;
import io.candor.interop.onnx.ValueInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the shape of every tensor of a model by running one batch of zeros through it, so a user can
 * pick taps and cut points by name. Zeros are valid for images and for token ids alike.
 */
public final class ShapeProbe {
    private ShapeProbe() {
    }

    /**
     * The concrete input shapes: {@code overrides} where given, else the declared shape with the batch
     * (and any other symbolic dimension) set to 1.
     */
    public static Map<String, long[]> inputShapes(Executor executor, Map<String, long[]> overrides) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (ValueInfo in : executor.graph().inputs()) {
            shapes.put(in.name(), overrides.containsKey(in.name()) ? overrides.get(in.name()) : in.concreteShape(1));
        }
        for (String name : overrides.keySet()) {
            if (!shapes.containsKey(name)) {
                throw new CandorException("the model has no input '" + name + "'; inputs: " + shapes.keySet());
            }
        }
        return shapes;
    }

    /** The shape of every node output, in node order. */
    public static Map<String, long[]> probe(Executor executor, Map<String, long[]> inputShapes) {
        List<String> wanted = new ArrayList<>();
        for (Node n : executor.graph().nodes()) {
            n.outputs().stream().filter(o -> !o.isEmpty()).forEach(wanted::add);
        }
        try (NDManager batch = Engines.newManager()) {
            Map<String, NDArray> feeds = new LinkedHashMap<>();
            for (ValueInfo in : executor.graph().inputs()) {
                long[] shape = inputShapes.get(in.name());
                var type = in.type() == null ? ai.djl.ndarray.types.DataType.FLOAT32 : in.type().toDjl();
                feeds.put(in.name(), batch.zeros(new Shape(shape), type));
            }
            Map<String, long[]> shapes = new LinkedHashMap<>();
            executor.run(batch, feeds, wanted).forEach((name, value) -> {
                if (value != null) {
                    shapes.put(name, value.getShape().getShape());
                }
            });
            return shapes;
        }
    }

    public static String format(long[] shape) {
        return shape == null ? "?" : Arrays.toString(shape);
    }
}
