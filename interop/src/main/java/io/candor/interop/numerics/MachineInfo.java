package io.candor.interop.numerics;

import ai.djl.pytorch.jni.JniUtils;
import io.candor.interop.exec.Engines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** What {@code candor doctor} reports about the machine: CPU, the ISA oneDNN picks, library versions. */
public record MachineInfo(String cpu, String oneDnnIsa, String libtorch, String onnxRuntime, String java, int threads) {

    public static MachineInfo read() {
        List<String> cpuinfo = cpuinfo();
        String model = field(cpuinfo, "model name");
        String cpu = (model == null ? System.getProperty("os.arch") : model)
                + (field(cpuinfo, "cpu family") == null ? ""
                    : " (family " + field(cpuinfo, "cpu family") + ", model " + field(cpuinfo, "model") + ")")
                + ", " + Runtime.getRuntime().availableProcessors() + " cores";
        String flags = field(cpuinfo, "flags");
        String libtorch = Engines.pytorch().getVersion() + " through DJL " + djlVersion() + ", "
                + String.join(", ", JniUtils.getFeatures());
        String ort;
        try {
            ort = io.candor.interop.ort.OrtModel.runtimeVersion();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            ort = "unavailable (" + e.getMessage() + ")";
        }
        return new MachineInfo(cpu, oneDnnIsa(flags == null ? Set.of() : Set.of(flags.split("\\s+"))), libtorch, ort,
                System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
                Engines.threads());
    }

    /**
     * The instruction set oneDNN's CPU dispatcher picks from these flags, with its own names, capped by
     * ONEDNN_MAX_CPU_ISA or DNNL_MAX_CPU_ISA when set. Read from the flags because oneDNN itself tells
     * only on its verbose stream.
     */
    static String oneDnnIsa(Set<String> flags) {
        String isa;
        if (flags.contains("amx_tile") && flags.contains("avx512_bf16")) {
            isa = "avx512_core_amx";
        } else if (flags.containsAll(Set.of("avx512f", "avx512bw", "avx512vl", "avx512dq"))) {
            isa = flags.contains("avx512_bf16") ? "avx512_core_bf16"
                    : flags.contains("avx512_vnni") ? "avx512_core_vnni" : "avx512_core";
        } else if (flags.contains("avx2")) {
            isa = flags.contains("avx_vnni") ? "avx2_vnni" : "avx2";
        } else if (flags.contains("avx")) {
            isa = "avx";
        } else if (flags.contains("sse4_1")) {
            isa = "sse41";
        } else {
            isa = "none (no SSE4.1)";
        }
        String cap = System.getenv("ONEDNN_MAX_CPU_ISA") != null ? System.getenv("ONEDNN_MAX_CPU_ISA")
                : System.getenv("DNNL_MAX_CPU_ISA");
        return isa + (cap == null ? ", from the CPU's flags" : ", capped by the environment at " + cap);
    }

    private static String djlVersion() {
        return ai.djl.engine.Engine.getDjlVersion();
    }

    private static List<String> cpuinfo() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static String field(List<String> lines, String name) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }
}
