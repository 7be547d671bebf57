package io.candor.interop.ort;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.Graph;
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
import java.util.Optional;
import java.util.Set;

/**
 * A model in ONNX Runtime: fast inference, optionally with intermediate tensors added as outputs (for
 * caching hidden activations). Inputs are checked against the model's declared inputs before native
 * code sees them, because ONNX Runtime's own errors are long and name no file.
 *
 * <p>{@link #run} may be called from several threads (ONNX Runtime sessions are thread-safe); closing
 * while a run is under way is not allowed.
 */
public final class OrtModel implements AutoCloseable {
    private final OnnxModel model;
    private final OrtSession session;
    private final List<String> outputs;
    private volatile boolean closed;

    /**
     * One environment per JVM; created on first use so that merely loading this class starts nothing.
     * It logs errors only: ONNX Runtime's own warnings (such as "Failed to persist telemetry device ID"
     * where the home folder is read-only) would reach stderr ahead of Candor's one-line messages.
     */
    private static final class Env {
        static final OrtEnvironment INSTANCE = create();

        private static OrtEnvironment create() {
            OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "candor");
            try {
                env.setTelemetry(false);
            } catch (ai.onnxruntime.OrtException e) {
                // Telemetry exists on Windows builds only; elsewhere there is nothing to switch off.
            }
            return env;
        }
    }

    /** ONNX Runtime's version, e.g. "1.29.0". */
    public static String runtimeVersion() {
        return Env.INSTANCE.getVersion();
    }

    private OrtModel(OnnxModel model, Collection<String> extraOutputs) {
        this.model = model;
        ModelProto proto = model.proto();
        Set<String> names = new LinkedHashSet<>();
        proto.getGraph().getOutputList().forEach(v -> names.add(v.getName()));
        GraphProto.Builder graph = proto.getGraph().toBuilder();
        boolean added = false;
        for (String extra : extraOutputs) {
            model.graph().requireTensor(extra);
            if (names.add(extra)) {
                // A name is enough: ONNX Runtime infers the type and shape itself.
                graph.addOutput(ValueInfoProto.newBuilder().setName(extra));
                added = true;
            }
        }
        if (added) {
            proto = proto.toBuilder().setGraph(graph).build();
        }
        this.outputs = List.copyOf(names);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
            // A failing run would also log its error to stderr; the CandorException already carries it.
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            this.session = Env.INSTANCE.createSession(proto.toByteArray(), options);
        } catch (OrtException e) {
            throw new CandorException("ONNX Runtime cannot load " + model.label() + ": " + oneLine(e), e);
        }
    }

    /** A session computing the graph's declared outputs. */
    public static OrtModel open(OnnxModel model) {
        return new OrtModel(model, List.of());
    }

    /**
     * A session that also returns {@code extraOutputs}, which may name any tensor of the graph
     * (typically hidden activations); unknown names fail before the session is created.
     */
    public static OrtModel open(OnnxModel model, Collection<String> extraOutputs) {
        return new OrtModel(model, extraOutputs);
    }

    /** The graph's declared outputs, then the extra ones, in the order {@link #run(Map)} returns them. */
    public List<String> outputNames() {
        return outputs;
    }

    /** The inputs a caller must feed, as ONNX Runtime sees them (for error messages and reports). */
    public List<String> inputNames() {
        return new ArrayList<>(session.getInputNames());
    }

    /** Computes every output (declared and extra) from {@code inputs}, keyed and ordered by name. */
    public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
        return run(inputs, outputs);
    }

    /**
     * Computes the {@code wanted} outputs from {@code inputs}. Every graph input must be given, with
     * the declared element type and the declared fixed dimensions; a mistake fails with a
     * {@link CandorException} before any native call.
     */
    public Map<String, HostTensor> run(Map<String, HostTensor> inputs, Collection<String> wanted) {
        if (closed) {
            throw new CandorException("the ONNX Runtime session of " + model.label() + " is closed");
        }
        checkWanted(wanted);
        checkInputs(inputs);
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
                feeds.put(e.getKey(), toOrt(e.getValue()));
            }
            try (OrtSession.Result result = session.run(feeds, new LinkedHashSet<>(wanted))) {
                Map<String, HostTensor> out = new LinkedHashMap<>();
                for (String name : wanted) {
                    out.put(name, fromOrt(name, result.get(name)));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new CandorException("ONNX Runtime failed to run " + model.label() + ": " + oneLine(e), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    private void checkWanted(Collection<String> wanted) {
        for (String w : wanted) {
            if (!outputs.contains(w)) {
                throw new CandorException("'" + w + "' is not an output of the ONNX Runtime session of "
                        + model.label() + " (outputs: " + outputs + "); open it with that tensor as an extra output");
            }
        }
    }

    private void checkInputs(Map<String, HostTensor> inputs) {
        Graph graph = model.graph();
        List<String> valid = graph.inputs().stream().map(ValueInfo::name).toList();
        for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
            if (!valid.contains(e.getKey())) {
                throw new CandorException(model.label() + " has no input '" + e.getKey() + "'; inputs: " + valid);
            }
            check(graph.input(e.getKey()), e.getValue());
        }
        for (String name : valid) {
            if (!inputs.containsKey(name)) {
                throw new CandorException("no value given for input '" + name + "' of " + model.label()
                        + "; inputs: " + valid);
            }
        }
    }

    /** Type, rank and every numeric (fixed) dimension must match; symbolic dimensions take any size. */
    private void check(ValueInfo declared, HostTensor value) {
        long[] actual = value.shape();
        List<String> dims = declared.dims();
        boolean ok = declared.type() == null || declared.type() == value.type();
        ok &= dims.isEmpty() || dims.size() == actual.length;
        for (int i = 0; ok && i < dims.size(); i++) {
            ok = !isFixed(dims.get(i)) || Long.parseLong(dims.get(i)) == actual[i];
        }
        if (!ok) {
            throw new CandorException("input '" + declared.name() + "' of " + model.label() + " expects "
                    + (declared.type() == null ? "any type" : declared.type()) + " " + dims + ", got "
                    + value.type() + " " + Arrays.toString(actual));
        }
    }

    private static boolean isFixed(String dim) {
        return !dim.isEmpty() && dim.chars().allMatch(Character::isDigit);
    }

    /** Copies into a direct buffer in native order, which ONNX Runtime then uses without another copy. */
    private static OnnxTensor toOrt(HostTensor t) throws OrtException {
        ByteBuffer source = t.data();
        ByteBuffer direct = ByteBuffer.allocateDirect(source.remaining()).order(ByteOrder.nativeOrder());
        long[] shape = t.shape();
        OrtEnvironment env = Env.INSTANCE;
        // Typed views convert from the little-endian source to native order element by element.
        return switch (t.type()) {
            case FLOAT32 -> OnnxTensor.createTensor(env, direct.asFloatBuffer().put(source.asFloatBuffer()).flip(), shape);
            case FLOAT64 -> OnnxTensor.createTensor(env, direct.asDoubleBuffer().put(source.asDoubleBuffer()).flip(), shape);
            case INT64 -> OnnxTensor.createTensor(env, direct.asLongBuffer().put(source.asLongBuffer()).flip(), shape);
            case INT32 -> OnnxTensor.createTensor(env, direct.asIntBuffer().put(source.asIntBuffer()).flip(), shape);
            case INT8 -> OnnxTensor.createTensor(env, direct.put(source).flip(), shape, OnnxJavaType.INT8);
            case UINT8 -> OnnxTensor.createTensor(env, direct.put(source).flip(), shape, OnnxJavaType.UINT8);
            case BOOL -> OnnxTensor.createTensor(env, direct.put(source).flip(), shape, OnnxJavaType.BOOL);
        };
    }

    private HostTensor fromOrt(String name, Optional<OnnxValue> value) {
        if (value.isEmpty() || !(value.get() instanceof OnnxTensor t)) {
            throw new CandorException("output '" + name + "' of " + model.label() + " is "
                    + value.map(v -> "a " + v.getType()).orElse("missing") + ", not a tensor");
        }
        long[] shape = t.getInfo().getShape();
        DataType type = typeOf(name, t);
        int size = Math.toIntExact(HostTensor.elementCount(shape) * type.bytes());
        ByteBuffer bytes = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case FLOAT32 -> bytes.asFloatBuffer().put(t.getFloatBuffer());
            case FLOAT64 -> bytes.asDoubleBuffer().put(t.getDoubleBuffer());
            case INT64 -> bytes.asLongBuffer().put(t.getLongBuffer());
            case INT32 -> bytes.asIntBuffer().put(t.getIntBuffer());
            case INT8, UINT8, BOOL -> bytes.put(t.getByteBuffer());
        }
        return new HostTensor(type, shape, bytes.rewind());
    }

    private DataType typeOf(String name, OnnxTensor t) {
        return switch (t.getInfo().type) {
            case FLOAT -> DataType.FLOAT32;
            case DOUBLE -> DataType.FLOAT64;
            case INT64 -> DataType.INT64;
            case INT32 -> DataType.INT32;
            case INT8 -> DataType.INT8;
            case UINT8 -> DataType.UINT8;
            case BOOL -> DataType.BOOL;
            default -> throw new CandorException("output '" + name + "' of " + model.label() + " has type "
                    + t.getInfo().type + ", which Candor does not support");
        };
    }

    /** ONNX Runtime's messages can span lines; Candor's errors are one line. */
    private static String oneLine(OrtException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            session.close();
        } catch (OrtException e) {
            throw new CandorException("closing the ONNX Runtime session of " + model.label() + " failed: "
                    + oneLine(e), e);
        }
    }
}
