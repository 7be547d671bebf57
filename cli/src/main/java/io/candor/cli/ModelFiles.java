package io.candor.cli;

import io.candor.interop.CandorException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Parsing helpers shared by the commands. */
final class ModelFiles {
    private ModelFiles() {
    }

    /** Parses {@code NAME=D1,D2,...} shape overrides. */
    static Map<String, long[]> parseShapes(Map<String, String> raw) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        raw.forEach((name, dims) -> {
            try {
                shapes.put(name, Arrays.stream(dims.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray());
            } catch (NumberFormatException e) {
                throw new CandorException("--shape " + name + "=" + dims + ": dimensions must be integers like 1,3,224,224");
            }
        });
        return shapes;
    }
}
