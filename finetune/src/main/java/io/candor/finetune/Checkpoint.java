package io.candor.finetune;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Npy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A training checkpoint in one file, written atomically: the model with its current weights
 * ({@code model.onnx}), the run's state and metrics ({@code state.json}) and the best weights and the
 * optimizer's state as {@code .npy} entries, in a zip. One file, so weights, moments and metrics can never
 * come from different epochs.
 */
public record Checkpoint(OnnxModel model, TrainingState state) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public void write(Path file) {
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            // Float weights barely compress; storing them keeps a checkpoint of a large model fast.
            zip.setLevel(java.util.zip.Deflater.NO_COMPRESSION);
            entry(zip, "model.onnx", model.proto().toByteArray());
            ObjectNode json = JSON.createObjectNode();
            json.put("epoch", state.epoch());
            json.put("bestLoss", state.bestLoss());
            json.put("sinceBest", state.sinceBest());
            json.set("history", JSON.valueToTree(state.history()));
            json.set("best", arrays(zip, "best", state.best()));
            json.set("optimizer", arrays(zip, "optimizer", state.optimizer()));
            entry(zip, "state.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
            zip.finish();
        });
    }

    public static Checkpoint read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CandorException("checkpoint " + file + " does not exist");
        }
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                entries.put(e.getName(), zip.readAllBytes());
            }
            if (!entries.containsKey("model.onnx") || !entries.containsKey("state.json")) {
                throw new CandorException(file + " is not a Candor checkpoint (no model.onnx and state.json inside)");
            }
            JsonNode json = JSON.readTree(entries.get("state.json"));
            List<EpochMetrics> history = JSON.convertValue(json.get("history"), new TypeReference<List<EpochMetrics>>() { });
            TrainingState state = new TrainingState(json.get("epoch").asInt(), json.get("bestLoss").asDouble(),
                    json.get("sinceBest").asInt(), history, tensors(entries, "best", json.get("best")),
                    tensors(entries, "optimizer", json.get("optimizer")));
            OnnxModel model = OnnxReader.fromProto(ModelProto.parseFrom(entries.get("model.onnx")), file);
            return new Checkpoint(model, state);
        } catch (IOException | RuntimeException e) {
            if (e instanceof CandorException c) {
                throw c;
            }
            throw new CandorException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes each tensor as folder/i.npy and returns the names in entry order. */
    private static JsonNode arrays(ZipOutputStream zip, String folder, Map<String, HostTensor> tensors) throws IOException {
        List<String> names = new ArrayList<>(tensors.keySet());
        for (int i = 0; i < names.size(); i++) {
            entry(zip, folder + "/" + i + ".npy", Npy.toBytes(tensors.get(names.get(i))));
        }
        return JSON.valueToTree(names);
    }

    private static Map<String, HostTensor> tensors(Map<String, byte[]> entries, String folder, JsonNode names) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            String entry = folder + "/" + i + ".npy";
            InputStream in = new ByteArrayInputStream(entries.getOrDefault(entry, new byte[0]));
            out.put(names.get(i).asText(), Npy.read(in, entry));
        }
        return out;
    }

    private static void entry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }
}
