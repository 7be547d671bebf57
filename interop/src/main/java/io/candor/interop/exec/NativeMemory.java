package io.candor.interop.exec;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Asks glibc's malloc to keep freed native memory for reuse. libtorch allocates every op's result
 * afresh and frees it soon after; with glibc's defaults blocks of a few megabytes are mapped from the
 * kernel and unmapped again each time, and the page faults of touching them anew cost more than the
 * arithmetic: on the 2-core development VM the MNIST CNN's forward and backward pass took 94-98 ms, and
 * 28-30 ms with freed memory kept (integrated gradients with 64 steps: 5.4 s, then 1.4 s).
 *
 * <p>So once per process, on Linux with glibc, blocks up to 32 MiB (glibc's largest mmap threshold)
 * come from the heap, and the heap gives memory back only beyond 1 GiB of free space at its top. The
 * cost: the process keeps its peak native memory until it exits. {@code -Dcandor.malloc=default} (or an
 * environment whose GLIBC_TUNABLES sets glibc.malloc.*) leaves glibc's settings alone.
 */
public final class NativeMemory {
    /** mallopt's parameter numbers (malloc.h). */
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_THRESHOLD = -3;
    static final int MMAP_THRESHOLD = 32 << 20;
    static final int TRIM_THRESHOLD = 1 << 30;

    private static Boolean tuned;

    private NativeMemory() {
    }

    private interface CLibrary extends Library {
        int mallopt(int param, int value);
    }

    /** Applies the settings once; true when they are in force (set here or by GLIBC_TUNABLES). */
    public static synchronized boolean tune() {
        if (tuned == null) {
            tuned = apply();
        }
        return tuned;
    }

    /** What {@link #tune} did, for {@code candor doctor}. */
    public static synchronized String describe() {
        boolean on = tune();
        if (tunedByEnvironment()) {
            return "GLIBC_TUNABLES=" + System.getenv("GLIBC_TUNABLES") + " (left as set)";
        }
        return on ? "freed blocks up to 32 MiB kept for reuse (mallopt)" : "glibc's defaults";
    }

    /** Whether the environment sets glibc's malloc itself (other tunables do not count). */
    private static boolean tunedByEnvironment() {
        String tunables = System.getenv("GLIBC_TUNABLES");
        return tunables != null && tunables.contains("glibc.malloc.");
    }

    private static boolean apply() {
        if (tunedByEnvironment()) {
            return true;
        }
        if ("default".equals(System.getProperty("candor.malloc")) || !Platform.isLinux()) {
            return false;
        }
        try {
            CLibrary c = Native.load("c", CLibrary.class);
            // mallopt returns 1 on success; musl and other libcs may lack it or refuse, which is harmless.
            return c.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 & c.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false;
        }
    }
}
