package io.candor.spark;

import io.candor.interop.CandorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** What a failed job leaves: its partial output removed, and its error as the user should read it. */
final class Outputs {
    private Outputs() {
    }

    /** Removes what a failed job wrote at {@code path}; a folder that {@code existed} before (empty) is kept. */
    static void remove(Path path, boolean existed) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            all.sorted(Comparator.reverseOrder()).filter(p -> !(existed && p.equals(path))).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Nothing more to do: the failure itself is what the user is told.
        }
    }

    /**
     * The error to report: a {@link CandorException} that a worker raised, or one naming the root cause of a
     * failure on the cluster; anything else as it is. Spark reports a task's failure as a job failure whose
     * message carries the task's exception as text (its class and message, then the stack), not as the cause.
     */
    static RuntimeException asCandor(Exception e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CandorException c) {
                return c;
            }
            root = t;
        }
        String text = String.valueOf(e.getMessage());
        String marker = CandorException.class.getName() + ": ";
        int at = text.indexOf(marker);
        if (at >= 0) {
            int end = text.indexOf('\n', at);
            return new CandorException(text.substring(at + marker.length(), end < 0 ? text.length() : end), e);
        }
        if (e.getClass().getName().startsWith("org.apache.spark")) {
            return new CandorException("the Spark job failed: " + root.getClass().getSimpleName() + ": " + root.getMessage(), e);
        }
        return e instanceof RuntimeException r ? r : new CandorException(e.getMessage(), e);
    }
}
