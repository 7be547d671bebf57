package io.candor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.onnx.Node;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.interop.onnx.ValueInfo;
import io.candor.interop.tensor.HostTensor;
import io.candor.interpreter.AttributePictures;
import io.candor.interpreter.Dictionary;
import io.candor.interpreter.InterpreterGraph;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The folder {@code candor interpret --out OUT} wrote, read for {@code interpret explain}: the merged
 * model ({@value #MODEL_FILE}), f's own output among its outputs, the head's weight W [C][J], the
 * concepts bound to attributes by attribute ({@value #DICTIONARY_FILE}) and the attributes' pictures. A
 * folder that is not such a folder, or whose two files come from different runs, is a clear error, not a
 * wrong explanation.
 */
record InterpreterFolder(Path dir, OnnxModel model, String modelOutput, float[][] headWeight,
        Map<Integer, String> concepts, String interpretedModel) {
    /** The head's weight in the merged model: h is FC J -> C (Gemm, transB), merged with this prefix. */
    static final String HEAD_WEIGHT = "interpreter/h.weight";
    static final String MODEL_FILE = "model_interpreted.onnx";
    static final String DICTIONARY_FILE = "dictionary.json";
    /** The interpreter alone, its inputs the taps; {@code interpret compare} grafts it onto other models. */
    static final String INTERPRETER_FILE = "interpreter.onnx";

    /** Fails unless {@code dir} is a folder with both files; cheap, so a command can check it before its other options. */
    static void requireFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CandorException("--interpreter: " + dir + (Files.exists(dir) ? " is not a folder" : " does not exist")
                    + "; give the folder that 'candor interpret --out' wrote");
        }
        for (String name : List.of(MODEL_FILE, DICTIONARY_FILE)) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                throw new CandorException(dir + " has no " + name + ": is it a folder that 'candor interpret --out' wrote?");
            }
        }
    }

    static InterpreterFolder read(Path dir) {
        requireFiles(dir);
        Path dictionaryFile = dir.resolve(DICTIONARY_FILE);
        JsonNode dictionary = readDictionary(dictionaryFile);
        OnnxModel merged = OnnxReader.read(dir.resolve(MODEL_FILE));
        String modelOutput = modelOutput(merged);
        float[][] w = headWeight(merged);
        int attributes = w[0].length;
        if (dictionary.has("attributes") && dictionary.get("attributes").asInt() != attributes) {
            throw new CandorException(dictionaryFile + " says " + dictionary.get("attributes").asInt() + " attributes but "
                    + dir.resolve(MODEL_FILE) + "'s head has " + attributes + ": the two files are not from the same run");
        }
        return new InterpreterFolder(dir, merged, modelOutput, w, conceptNames(dictionary, attributes),
                dictionary.path("model").asText("the dictionary's model"));
    }

    /** True when a Softmax produces f's output, so that it is already a probability. */
    boolean modelOutputIsProbability() {
        return isProbability(model, modelOutput);
    }

    /** True when a Softmax produces {@code output} of {@code model}. */
    static boolean isProbability(OnnxModel model, String output) {
        Node producer = model.graph().producer(output);
        return producer != null && producer.opType().equals("Softmax");
    }

    /** The interpreter alone ({@value #INTERPRETER_FILE}); a folder without it is a clear error. */
    OnnxModel interpreterAlone() {
        Path file = dir.resolve(INTERPRETER_FILE);
        if (!Files.isRegularFile(file)) {
            throw new CandorException(dir + " has no " + INTERPRETER_FILE + ": is it a folder that 'candor interpret --out' wrote?");
        }
        return OnnxReader.read(file);
    }

    int classes() {
        return headWeight.length;
    }

    int attributes() {
        return headWeight[0].length;
    }

    /** The merged model's one input; a model with several is refused. */
    ValueInfo singleInput() {
        List<ValueInfo> inputs = model.graph().inputs();
        if (inputs.size() != 1) {
            throw new CandorException(model.label() + " has " + inputs.size() + " inputs " + inputs.stream()
                    .map(ValueInfo::name).toList() + "; interpret explain takes models with one input");
        }
        return inputs.get(0);
    }

    /**
     * The pictures of {@code attributes} from {@code pictures/}, read before anything is written; a missing
     * one maps to null (the explanation says so), an unreadable one is an error.
     */
    Map<Integer, BufferedImage> attributePictures(Collection<Integer> attributes) {
        Map<Integer, BufferedImage> pictures = new HashMap<>();
        for (int j : attributes) {
            Path file = AttributePictures.attributeFile(dir.resolve("pictures"), j);
            BufferedImage image = null;
            if (Files.isRegularFile(file)) {
                try {
                    image = ImageIO.read(file.toFile());
                } catch (IOException e) {
                    throw new CandorException("cannot read " + file + ": " + AtomicFiles.describe(e), e);
                }
                if (image == null) {
                    throw new CandorException(file + " is not a picture Java can read");
                }
            }
            pictures.put(j, image);
        }
        return pictures;
    }

    private static JsonNode readDictionary(Path file) {
        try {
            JsonNode node = new ObjectMapper().readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new CandorException(file + " is not a JSON object: is it the dictionary.json of 'candor interpret'?");
            }
            return node;
        } catch (IOException e) {
            String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw new CandorException("cannot read " + file + ": " + message, e);
        }
    }

    private static String modelOutput(OnnxModel merged) {
        List<String> names = merged.graph().outputs().stream().map(ValueInfo::name).toList();
        for (String wanted : List.of(InterpreterGraph.ATTRIBUTES, InterpreterGraph.LOGITS)) {
            if (!names.contains(wanted)) {
                throw new CandorException(merged.label() + " has no output '" + wanted + "' (outputs: " + names
                        + "): it is not a model that 'candor interpret' wrote");
            }
        }
        return names.stream().filter(o -> !InterpreterGraph.OUTPUTS.contains(o)).findFirst().orElseThrow(() ->
                new CandorException(merged.label() + " has only the interpreter's outputs " + names + ", not the model's own"));
    }

    private static float[][] headWeight(OnnxModel merged) {
        HostTensor w = merged.graph().initializers().get(HEAD_WEIGHT);
        if (w == null || w.rank() != 2 || w.shape()[0] < 1 || w.shape()[1] < 1) {
            throw new CandorException(merged.label() + (w == null ? " has no initializer '" + HEAD_WEIGHT + "'"
                    : "'s '" + HEAD_WEIGHT + "' is " + Arrays.toString(w.shape()) + ", not [classes, attributes]")
                    + ": it is not a model that 'candor interpret' wrote");
        }
        return Dictionary.rows(w);
    }

    /** From dictionary.json's {@code concepts}; entries without a name or with an attribute out of range are skipped. */
    private static Map<Integer, String> conceptNames(JsonNode dictionary, int attributes) {
        Map<Integer, String> names = new HashMap<>();
        JsonNode list = dictionary.get("concepts");
        if (list != null && list.isArray()) {
            for (JsonNode c : list) {
                if (c.hasNonNull("name") && c.has("attribute") && c.get("attribute").canConvertToInt()) {
                    int j = c.get("attribute").asInt();
                    if (j >= 0 && j < attributes) {
                        names.put(j, c.get("name").asText());
                    }
                }
            }
        }
        return names;
    }
}
