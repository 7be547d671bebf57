package io.candor.cli;

import sun.misc.Signal;

/**
 * Ctrl-C and kill end Candor at once, without running the JVM's shutdown hooks. DJL's hook frees
 * libtorch's memory while the main thread may still be inside a native call (a backward pass), which
 * crashed the JVM with SIGSEGV and an hs_err file. Halting is safe: every file Candor writes is
 * written whole or not at all (AtomicFiles), so nothing is left half-written.
 */
final class Interrupts {
    private Interrupts() {
    }

    static void haltOnSignals() {
        handle("INT", 130);
        handle("TERM", 143);
    }

    private static void handle(String name, int code) {
        try {
            Signal.handle(new Signal(name), s -> {
                System.err.println("candor: stopped by SIG" + name + "; the files written so far are complete");
                System.err.flush();
                Runtime.getRuntime().halt(code);
            });
        } catch (IllegalArgumentException e) {
            // The platform does not know this signal, or the JVM reserves it: keep its default.
        }
    }
}
