package io.candor.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.candor.cli.Candor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fixture of the Spark tests, made once per test JVM: patch-lesions at 32 x 32 (300 train, 50 val,
 * 600 per test split, masks per sample) and a lesion CNN trained on it for one epoch.
 */
final class SmallLesions {
    private static Path dir;

    private SmallLesions() {
    }

    static synchronized Path dir() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("candor-spark-test");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            candor("data", "make", "patch-lesions", "--size", "32", "--out", data().toString(), "--n-train", "300", "--n-val",
                    "50", "--n-test", "600");
            candor("train", "--arch", "lesion-cnn", "--data", data().toString(), "--epochs", "1", "--out", model().toString());
            Runtime.getRuntime().addShutdownHook(new Thread(SmallLesions::delete));
        }
        return dir;
    }

    static Path data() {
        return dir().resolve("lesions");
    }

    static Path model() {
        return dir().resolve("cnn.onnx");
    }

    /** Runs the command line and returns its output, failing on a non-zero exit. */
    static String candor(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Candor.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, String.join(" ", args) + ": " + err);
        return out.toString();
    }

    /** Runs the command line expecting it to fail; returns the exit code and what it printed on stderr. */
    static Failure fails(String... args) {
        StringWriter err = new StringWriter();
        int code = Candor.run(args, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        return new Failure(code, err.toString());
    }

    record Failure(int code, String message) {
    }

    private static void delete() {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
