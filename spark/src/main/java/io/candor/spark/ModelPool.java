package io.candor.spark;

import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxReader;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The models a worker JVM has opened, kept for its life: a task borrows an executor for the model's
 * bytes (shipped once per worker as a broadcast) and gives it back, so each model is read and built
 * once per concurrent task slot, not once per partition. One executor serves one task at a time.
 */
final class ModelPool {
    private static final Map<String, Queue<Executor>> IDLE = new ConcurrentHashMap<>();

    private ModelPool() {
    }

    /** An executor of the model; close the lease to give it back. */
    static Lease borrow(byte[] onnx, String label) {
        String key = digest(onnx);
        Executor idle = IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).poll();
        return new Lease(key, idle != null ? idle : Executor.of(OnnxReader.read(onnx, label)));
    }

    /** A borrowed executor. */
    static final class Lease implements AutoCloseable {
        private final String key;
        private final Executor executor;

        private Lease(String key, Executor executor) {
            this.key = key;
            this.executor = executor;
        }

        Executor executor() {
            return executor;
        }

        @Override
        public void close() {
            IDLE.get(key).add(executor);
        }
    }

    static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
