package io.candor.interop.ort;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.ValueInfo;
import io.candor.interop.tensor.DataType;
import io.candor.interop.tensor.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model in ONNX Runtime: fast inference, optionally with intermediate tensors added as outputs (for
 * caching hidden activations). Inputs are checked against the model's declared inputs before native
 * code sees them.
 */
public final class OrtModel implements AutoCloseable {
    private final OnnxModel model;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<String> outputs;

    private OrtModel(OnnxModel model, Collection<String> extraOutputs) {
        this.model = model;
        ModelProto proto = model.proto();
        Set<String> names = new LinkedHashSet<>();
        proto.getGraph().getOutputList().forEach(v -> names.add(v.getName()));
        if (!extraOutputs.isEmpty()) {
            var graph = proto.getGraph().toBuilder();
            for (String extra : extraOutputs) {
                model.graph().requireTensor(extra);
                if (names.add(extra)) {
                    // A name is enough: ONNX Runtime infers the type and shape.
                    graph.addOutput(ValueInfoProto.newBuilder().setName(extra));
                }
            }
            proto = proto.toBuilder().setGraph(graph).build();
        }
        this.outputs = List.copyOf(names);
        this.env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
            this.session = env.createSession(proto.toByteArray(), options);
        } catch (OrtException e) {
            throw new CandorException("ONNX Runtime cannot load " + model.label() + ": " + e.getMessage(), e);
        }
    }

    public static OrtModel open(OnnxModel model) {
        return new OrtModel(model, List.of());
    }

    public static OrtModel open(OnnxModel model, Collection<String> extraOutputs) {
        return new OrtModel(model, extraOutputs);
    }

    /** The graph's outputs, then the extra ones. */
    public List<String> outputNames() {
        return outputs;
    }

    public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
        return run(inputs, outputs);
    }

    public Map<String, HostTensor> run(Map<String, HostTensor> inputs, Collection<String> wanted) {
        for (String w : wanted) {
            if (!outputs.contains(w)) {
                throw new CandorException("'" + w + "' is not an output of this session; open it with that tensor as an"
                        + " extra output");
            }
        }
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
                check(e.getKey(), e.getValue());
                feeds.put(e.getKey(), toOrt(e.getValue()));
            }
            for (ValueInfo declared : model.graph().inputs()) {
                if (!feeds.containsKey(declared.name())) {
                    throw new CandorException("no value given for the model input '" + declared.name() + "'");
                }
            }
            try (OrtSession.Result result = session.run(feeds, new LinkedHashSet<>(wanted))) {
                Map<String, HostTensor> out = new LinkedHashMap<>();
                for (String name : wanted) {
                    OnnxValue v = result.get(name).orElseThrow();
                    out.put(name, fromOrt((OnnxTensor) v));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new CandorException("ONNX Runtime failed on " + model.label() + ": " + e.getMessage(), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    private void check(String name, HostTensor value) {
        ValueInfo info = model.graph().inputs().stream().filter(v -> v.name().equals(name)).findFirst()
                .orElseThrow(() -> new CandorException("the model has no input '" + name + "'; inputs: "
                        + model.graph().inputs().stream().map(ValueInfo::name).toList()));
        long[] actual = value.shape();
        boolean ok = info.type() == null || info.type() == value.type();
        ok &= info.dims().isEmpty() || info.dims().size() == actual.length;
        for (int i = 0; ok && i < info.dims().size(); i++) {
            String d = info.dims().get(i);
            ok = !d.chars().allMatch(Character::isDigit) || Long.parseLong(d) == actual[i];
        }
        if (!ok) {
            throw new CandorException("input '" + name + "' expects " + info.type() + " " + info.dims() + ", got "
                    + value.type() + " " + Arrays.toString(actual));
        }
    }

    private OnnxTensor toOrt(HostTensor t) throws OrtException {
        ByteBuffer direct = ByteBuffer.allocateDirect(t.data().remaining()).order(ByteOrder.nativeOrder());
        direct.put(t.data()).flip();
        long[] shape = t.shape();
        return switch (t.type()) {
            case FLOAT32 -> OnnxTensor.createTensor(env, direct.asFloatBuffer(), shape);
            case FLOAT64 -> OnnxTensor.createTensor(env, direct.asDoubleBuffer(), shape);
            case INT64 -> OnnxTensor.createTensor(env, direct.asLongBuffer(), shape);
            case INT32 -> OnnxTensor.createTensor(env, direct.asIntBuffer(), shape);
            case INT8 -> OnnxTensor.createTensor(env, direct, shape, ai.onnxruntime.OnnxJavaType.INT8);
            case UINT8 -> OnnxTensor.createTensor(env, direct, shape, ai.onnxruntime.OnnxJavaType.UINT8);
            case BOOL -> OnnxTensor.createTensor(env, direct, shape, ai.onnxruntime.OnnxJavaType.BOOL);
        };
    }

    private static HostTensor fromOrt(OnnxTensor t) {
        long[] shape = t.getInfo().getShape();
        DataType type = switch (t.getInfo().type) {
            case FLOAT -> DataType.FLOAT32;
            case DOUBLE -> DataType.FLOAT64;
            case INT64 -> DataType.INT64;
            case INT32 -> DataType.INT32;
            case INT8 -> DataType.INT8;
            case UINT8 -> DataType.UINT8;
            case BOOL -> DataType.BOOL;
            default -> throw new CandorException("ONNX Runtime returned an unsupported type " + t.getInfo().type);
        };
        ByteBuffer bytes = t.getByteBuffer().order(ByteOrder.nativeOrder());
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(bytes).flip();
        return new HostTensor(type, shape, copy);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new CandorException("closing the ONNX Runtime session failed: " + e.getMessage(), e);
        }
    }

    /** For error messages and reports. */
    public List<String> inputNames() {
        return new ArrayList<>(session.getInputNames());
    }
}
