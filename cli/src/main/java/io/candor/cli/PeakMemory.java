package io.candor.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's peak resident memory (Java heap, libtorch's native memory and all), from Linux's
 * /proc/self/status, with a reset between runs (writing 5 to /proc/self/clear_refs). Elsewhere, or
 * where the kernel refuses, figures are absent rather than wrong.
 */
final class PeakMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR = Path.of("/proc/self/clear_refs");

    private PeakMemory() {
    }

    /** Starts a new peak from the current resident size; false where that is not possible. */
    static boolean reset() {
        try {
            Files.writeString(CLEAR, "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** The peak resident size in MiB since the last reset (or since the start), or null if unknown. */
    static Double mebibytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return null;
    }
}
