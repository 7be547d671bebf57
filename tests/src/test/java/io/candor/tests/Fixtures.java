package io.candor.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The PyTorch-exported fixtures under {@code tests/fixtures}, made by
 * {@code tests/python/make_fixtures.py}: one folder per family and opset with model.onnx, input.npy,
 * output.npy (PyTorch's logits), grad_input.npy where the input is float, and meta.json.
 */
final class Fixtures {
    private Fixtures() {
    }

    static Path root() {
        String configured = System.getProperty("candor.fixtures");
        Path p = configured != null ? Path.of(configured) : Path.of("fixtures");
        if (!Files.isDirectory(p)) {
            p = Path.of("tests", "fixtures");
        }
        return p;
    }

    static List<Path> all() {
        try (Stream<Path> dirs = Files.list(root())) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("model.onnx"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode meta(Path fixture) {
        try {
            return new ObjectMapper().readTree(fixture.resolve("meta.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
