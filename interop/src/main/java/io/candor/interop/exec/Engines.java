package io.candor.interop.exec;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * The one place Candor starts DJL's PyTorch engine. It runs offline: libtorch comes from the bundled
 * {@code pytorch-native-cpu} jar, and DJL's usage probe is switched off, before the engine loads.
 */
public final class Engines {
    private static final String ENGINE = "PyTorch";

    static {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        // Without a GPU DJL logs a CUDA warning at every start; it is noise for a CPU user.
        setIfAbsent("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
    }

    private Engines() {
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    public static Engine pytorch() {
        NativeMemory.tune();
        return Engine.getEngine(ENGINE);
    }

    /** The first GPU when DJL finds one, the CPU otherwise. */
    public static Device defaultDevice() {
        return pytorch().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    /** libtorch's intra-op thread count now. */
    public static int threads() {
        pytorch();
        return JniUtils.getNumThreads();
    }

    /**
     * Runs {@code work} with libtorch's intra-op thread count set to {@code threads}, then restores it:
     * numerical checks compare thread counts because kernels split work differently with each.
     */
    public static <T> T withThreads(int threads, Supplier<T> work) {
        int before = threads();
        JniUtils.setNumThreads(threads);
        try {
            return work.get();
        } finally {
            JniUtils.setNumThreads(before);
        }
    }

    /** A new root manager on the default device; close it to free everything made under it. */
    public static NDManager newManager() {
        return pytorch().newBaseManager(defaultDevice());
    }
}
