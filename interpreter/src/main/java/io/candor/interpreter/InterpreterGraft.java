package io.candor.interpreter;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.GraphMerge;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model with an interpreter grafted on at the tensors it reads: the model's inputs and outputs unchanged,
 * plus the interpreter's outputs ({@code model_interpreted.onnx}). The interpreter's inputs are named as
 * the taps; an LSTM tap is read at its last step ({@link LstmTaps}), added to the model first.
 */
public final class InterpreterGraft {
    /** Put before the interpreter's own tensor and weight names in the merged graph. */
    public static final String PREFIX = "interpreter/";

    private InterpreterGraft() {
    }

    /** Grafts the trained {@code interpreter} onto {@code model}, which must have every tap it reads. */
    public static ModelProto attach(OnnxModel model, ModelProto interpreter) {
        List<String> sources = new ArrayList<>();
        for (ValueInfoProto in : interpreter.getGraph().getInputList()) {
            sources.add(LstmTaps.sourceOf(in.getName()));
        }
        for (String tap : sources) {
            if (!model.graph().hasTensor(tap)) {
                throw new CandorException(model.label() + " has no tensor '" + tap + "', which the interpreter reads:"
                        + " give a model with the same layers (names from candor inspect)");
            }
        }
        for (String name : InterpreterGraph.OUTPUTS) {
            if (model.graph().hasTensor(name)) {
                throw new CandorException(model.label() + " already has a tensor named '" + name + "' (is it an interpreted"
                        + " model?): give the original model");
            }
        }
        LstmTaps.Adapted adapted = LstmTaps.adapt(model, sources);
        Map<String, String> wiring = new LinkedHashMap<>();
        adapted.taps().forEach(t -> wiring.put(t, t));
        return GraphMerge.attach(adapted.model().proto(), interpreter, wiring, PREFIX);
    }

    /** {@link #attach} read back as a model. */
    public static OnnxModel attached(OnnxModel model, OnnxModel interpreter) {
        return OnnxReader.fromProto(attach(model, interpreter.proto()), model.source());
    }
}
