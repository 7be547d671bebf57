package io.candor.models.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary concept labels of a split: one row per sample, one column per named concept (1 = the sample
 * shows it). On disk an {@code .npy} of N x K float32 0/1 and, beside it with the same stem, a
 * {@code .json} with the names in column order and a description of each.
 */
public record Concepts(List<String> names, Map<String, String> descriptions, HostTensor labels) {
    public static final String FILE = "concepts.npy";

    public Concepts {
        names = List.copyOf(names);
        descriptions = Map.copyOf(descriptions);
        long[] shape = labels.shape();
        if (shape.length != 2 || shape[1] != names.size()) {
            throw new CandorException("concept labels must be N x " + names.size() + " (one column per name " + names
                    + "), got " + java.util.Arrays.toString(shape));
        }
        if (names.stream().distinct().count() != names.size()) {
            throw new CandorException("concept names repeat: " + names);
        }
        float[] v = labels.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            if (v[i] != 0 && v[i] != 1) {
                throw new CandorException("concept labels must be 0 or 1; row " + i / names.size() + ", concept '"
                        + names.get(i % names.size()) + "' is " + v[i]);
            }
        }
    }

    /** Builds the labels from per-sample rows of booleans, in the order of {@code names}. */
    public static Concepts of(List<String> names, Map<String, String> descriptions, boolean[][] rows) {
        float[] v = new float[rows.length * names.size()];
        for (int i = 0; i < rows.length; i++) {
            for (int k = 0; k < names.size(); k++) {
                v[i * names.size() + k] = rows[i][k] ? 1 : 0;
            }
        }
        return new Concepts(names, descriptions, HostTensor.ofFloats(new long[] {rows.length, names.size()}, v));
    }

    public int size() {
        return (int) labels.shape()[0];
    }

    /** Column k as 0/1 per sample. */
    public float[] column(int k) {
        float[] v = labels.toFloatArray();
        int n = size();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = v[i * names.size() + k];
        }
        return out;
    }

    /** Writes {@code dir/concepts.npy} and {@code dir/concepts.json}. */
    public void write(Path dir) {
        Npy.write(dir.resolve(FILE), labels);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("names", names);
        Map<String, String> ordered = new LinkedHashMap<>();
        names.forEach(n -> ordered.put(n, descriptions.getOrDefault(n, "")));
        json.put("descriptions", ordered);
        try {
            AtomicFiles.writeString(namesFile(dir.resolve(FILE)),
                    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json));
        } catch (IOException e) {
            throw new CandorException("cannot write " + namesFile(dir.resolve(FILE)) + ": " + e.getMessage(), e);
        }
    }

    /** Reads an {@code .npy} of labels and the names in the {@code .json} beside it. */
    public static Concepts read(Path npy) {
        if (!Files.isRegularFile(npy)) {
            throw new CandorException("concept labels " + npy + " do not exist");
        }
        Path json = namesFile(npy);
        if (!Files.isRegularFile(json)) {
            throw new CandorException("the concept labels " + npy + " need their names in " + json
                    + " ({\"names\": [\"first\", ...]} in column order)");
        }
        JsonNode node;
        try {
            node = new ObjectMapper().readTree(json.toFile());
        } catch (IOException e) {
            throw new CandorException(json + " is not JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.path("names").isArray()) {
            throw new CandorException(json + " must hold {\"names\": [...]}, the concepts in column order");
        }
        List<String> names = new ArrayList<>();
        node.get("names").forEach(n -> names.add(n.asText()));
        Map<String, String> descriptions = new LinkedHashMap<>();
        node.path("descriptions").fields().forEachRemaining(e -> descriptions.put(e.getKey(), e.getValue().asText()));
        HostTensor raw = Npy.read(npy);
        float[] values = raw.toFloatArray();
        return new Concepts(names, descriptions, HostTensor.ofFloats(raw.shape(), values));
    }

    /** {@code x/concepts.npy} -> {@code x/concepts.json}. */
    static Path namesFile(Path npy) {
        String name = npy.getFileName().toString();
        String stem = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
        return npy.resolveSibling(stem + ".json");
    }
}
