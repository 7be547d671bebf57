package io.candor.interop.exec;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {
    @Test
    void onLinuxFreedNativeMemoryIsKeptForReuse() {
        assumeTrue(Platform.isLinux() && System.getProperty("candor.malloc") == null, "glibc's mallopt is Linux's");
        Engines.pytorch();
        assertTrue(NativeMemory.tune(), "mallopt took the thresholds: " + NativeMemory.describe());
        assertTrue(NativeMemory.describe().contains("32 MiB") || NativeMemory.describe().contains("GLIBC_TUNABLES"),
                NativeMemory.describe());
    }
}
