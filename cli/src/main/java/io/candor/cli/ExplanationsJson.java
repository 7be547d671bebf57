package io.candor.cli;

import io.candor.interpreter.ExplanationPicture;
import io.candor.interpreter.LocalExplanation;
import io.candor.interpreter.LocalExplanation.Contribution;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The content of {@code explanations.json}: how the explanations were made (the files, f's output, the
 * head, K), then per sample f's and g's class and probability, every Phi_j and alpha_j, and the top K
 * with the concept bound to each attribute, if any.
 */
final class ExplanationsJson {
    private ExplanationsJson() {
    }

    /**
     * @param folder where the model, its head and its dictionary came from
     * @param input the samples' file
     * @param pictured whether each sample has its {@link ExplanationPicture}
     */
    static Map<String, Object> of(List<LocalExplanation> explained, int top, InterpreterFolder folder, Path input,
            boolean pictured) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("interpreter", folder.dir().toString());
        root.put("input", input.toString());
        root.put("modelOutput", folder.modelOutput());
        root.put("fProbability", folder.modelOutputIsProbability() ? "the model's output (a Softmax)"
                : "softmax of the model's output");
        root.put("headWeight", InterpreterFolder.HEAD_WEIGHT);
        root.put("relevance", "alpha_j = Phi_j * W[gClass][j]");
        root.put("top", top);
        List<Map<String, Object>> samples = new ArrayList<>();
        for (LocalExplanation e : explained) {
            samples.add(sample(e, pictured));
        }
        root.put("samples", samples);
        return root;
    }

    private static Map<String, Object> sample(LocalExplanation e, boolean pictured) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("sample", e.sample());
        s.put("fClass", e.fClass());
        s.put("fProbability", e.fProbability());
        s.put("gClass", e.gClass());
        s.put("gProbability", e.gProbability());
        s.put("agree", e.agree());
        s.put("phi", e.phi());
        s.put("alpha", e.alpha());
        List<Map<String, Object>> top = new ArrayList<>();
        for (Contribution c : e.top()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("attribute", c.attribute());
            t.put("alpha", c.alpha());
            t.put("phi", c.phi());
            if (c.concept() != null) {
                t.put("concept", c.concept());
            }
            top.add(t);
        }
        s.put("top", top);
        if (pictured) {
            s.put("picture", ExplanationPicture.fileName(e.sample()));
        }
        return s;
    }
}
