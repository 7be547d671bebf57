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

    /** The device names {@link #useDevice} takes. */
    public static final java.util.List<String> DEVICES = java.util.List.of("auto", "cpu", "gpu");

    private static volatile Device chosen;

    /** The device chosen with {@link #useDevice}, else the first GPU when DJL finds one, else the CPU. */
    public static Device defaultDevice() {
        Device device = chosen;
        return device != null ? device : autoDevice();
    }

    private static Device autoDevice() {
        return pytorch().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    /**
     * Where every manager made from now on puts its arrays: {@code auto} (a GPU when DJL finds one),
     * {@code cpu} or {@code gpu}. A GPU needs a CUDA libtorch on the class path (the build's gpu
     * profile); asking for one without it is an error, not a silent fall-back to the CPU.
     */
    public static Device useDevice(String name) {
        Device device = switch (name) {
            case "auto" -> autoDevice();
            case "cpu" -> Device.cpu();
            case "gpu" -> {
                if (pytorch().getGpuCount() == 0) {
                    throw new io.candor.interop.CandorException("--device gpu: DJL finds no GPU here (libtorch "
                            + pytorch().getVersion() + " is a CPU build, or no CUDA device is visible); build with"
                            + " -Pgpu for a CUDA libtorch, or use --device cpu");
                }
                yield Device.gpu();
            }
            default -> throw new IllegalArgumentException("unknown device " + name + "; expected one of " + DEVICES);
        };
        chosen = device;
        return device;
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
