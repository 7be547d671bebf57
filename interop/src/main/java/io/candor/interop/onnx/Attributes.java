package io.candor.interop.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import io.candor.interop.CandorException;
import io.candor.interop.tensor.HostTensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The attributes of one node, read by name with the defaults the ONNX operator spec gives. */
public final class Attributes {
    private final Map<String, AttributeProto> byName;

    public Attributes(List<AttributeProto> attributes) {
        Map<String, AttributeProto> map = new LinkedHashMap<>();
        for (AttributeProto a : attributes) {
            map.put(a.getName(), a);
        }
        this.byName = Collections.unmodifiableMap(map);
    }

    public boolean has(String name) {
        return byName.containsKey(name);
    }

    public Map<String, AttributeProto> asMap() {
        return byName;
    }

    public long getInt(String name, long defaultValue) {
        AttributeProto a = byName.get(name);
        return a == null ? defaultValue : a.getI();
    }

    public float getFloat(String name, float defaultValue) {
        AttributeProto a = byName.get(name);
        return a == null ? defaultValue : a.getF();
    }

    public String getString(String name, String defaultValue) {
        AttributeProto a = byName.get(name);
        return a == null ? defaultValue : a.getS().toStringUtf8();
    }

    /** The integer list, or {@code null} when the attribute is absent. */
    public long[] getInts(String name) {
        AttributeProto a = byName.get(name);
        return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    public long[] getInts(String name, long[] defaultValue) {
        long[] v = getInts(name);
        return v == null ? defaultValue : v;
    }

    /** The float list, or {@code null} when the attribute is absent. */
    public float[] getFloats(String name) {
        AttributeProto a = byName.get(name);
        if (a == null) {
            return null;
        }
        float[] out = new float[a.getFloatsCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.getFloats(i);
        }
        return out;
    }

    public List<String> getStrings(String name) {
        AttributeProto a = byName.get(name);
        return a == null ? List.of() : a.getStringsList().stream().map(s -> s.toStringUtf8()).toList();
    }

    /** The tensor attribute (Constant's value, ConstantOfShape's value), or {@code null}. */
    public HostTensor getTensor(String name) {
        AttributeProto a = byName.get(name);
        return a == null ? null : TensorProtos.toHost(a.getT(), "attribute '" + name + "'");
    }

    public long requireInt(String name, Node node) {
        if (!has(name)) {
            throw new CandorException(node.describe() + " lacks its required attribute '" + name + "'");
        }
        return getInt(name, 0);
    }
}
