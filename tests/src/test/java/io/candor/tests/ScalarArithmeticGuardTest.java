package io.candor.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * DJL's {@code mul(Number)} and {@code div(Number)} (and {@code maximum}, {@code minimum}, {@code pow},
 * whose backward reads both operands too) hand autograd a scalar whose memory the garbage
 * collector may free before the backward pass (gradients scaled by garbage; see
 * {@code io.candor.interop.tensor.Tensors#times}). Code that autograd may track multiplies by
 * {@code Tensors.times} instead. This guard fails on a literal or cast number passed to
 * {@code mul}/{@code div} in the main sources, unless the line says {@code // no autograd} (optimizer
 * moments, running statistics, masks).
 */
class ScalarArithmeticGuardTest {
    private static final Pattern SCALAR_ARGUMENT =
            Pattern.compile("(?<!Math)\\.(mul|div|maximum|minimum|pow)\\(\\s*(-?[0-9]|\\((float|double|int|long)\\)|[0-9.]+f?\\s*-)");

    private static Path repository() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("interop")) ? here : here.getParent();
    }

    @Test
    void noDjlScalarArithmeticWhereAutogradMayTrackIt() throws IOException {
        List<String> offending = new ArrayList<>();
        int scanned = 0;
        for (String module : List.of("interop", "attribution", "finetune", "interpreter", "models", "cli")) {
            Path sources = repository().resolve(module).resolve("src/main/java");
            try (Stream<Path> files = Files.walk(sources)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    scanned++;
                    List<String> lines = Files.readAllLines(file);
                    for (int i = 0; i < lines.size(); i++) {
                        String line = lines.get(i);
                        if (SCALAR_ARGUMENT.matcher(line).find() && !line.contains("// no autograd")) {
                            offending.add(repository().relativize(file) + ":" + (i + 1) + ": " + line.trim());
                        }
                    }
                }
            }
        }
        assertTrue(scanned > 100, "the guard found the sources (" + scanned + " files)");
        assertEquals(List.of(), offending, "use Tensors.times/over, or mark the line // no autograd");
    }

    @Test
    void theGuardRecognisesTheForms() {
        for (String bad : List.of("x.mul(0.5f)", "x.div(2)", "x.mul((float) w[k])", "x.div(1f - ratio)", "x.mul( -1)", "z.maximum(0f)")) {
            assertTrue(SCALAR_ARGUMENT.matcher(bad).find(), bad);
        }
        for (String fine : List.of("x.mul(y)", "x.mul(a.add(1))", "Tensors.times(x, 0.5f)", "x.muli(0.5f)", "Math.pow(2, round)")) {
            assertTrue(!SCALAR_ARGUMENT.matcher(fine).find(), fine);
        }
    }
}
