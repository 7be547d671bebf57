package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.exec.Engines;
import io.candor.interop.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-weight arrays of an optimizer (moments, momentum buffers), keyed "kind/weight", in a manager of
 * their own; zeros until first used. Step counts are scalar entries.
 */
final class OptimizerState implements AutoCloseable {
    private final NDManager manager = Engines.newManager();
    private final Map<String, NDArray> arrays = new LinkedHashMap<>();
    private final Map<String, Long> counts = new LinkedHashMap<>();

    /** The array under {@code key}, zeros shaped like {@code like} when new. */
    NDArray array(String key, NDArray like) {
        return arrays.computeIfAbsent(key, k -> manager.zeros(like.getShape(), like.getDataType()));
    }

    boolean has(String key) {
        return arrays.containsKey(key);
    }

    /** Increments and returns the count under {@code key}. */
    long increment(String key) {
        return counts.merge(key, 1L, Long::sum);
    }

    Map<String, HostTensor> save() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(k, HostTensor.of(v)));
        counts.forEach((k, v) -> out.put(k, HostTensor.ofLongs(new long[0], v)));
        return out;
    }

    void load(Map<String, HostTensor> saved) {
        arrays.values().forEach(NDArray::close);
        arrays.clear();
        counts.clear();
        saved.forEach((k, v) -> {
            if (v.type().isFloating()) {
                arrays.put(k, v.toNDArray(manager));
            } else {
                counts.put(k, v.toLongArray()[0]);
            }
        });
    }

    @Override
    public void close() {
        manager.close();
    }
}
