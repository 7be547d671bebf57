package io.candor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.candor.interop.exec.Executor;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interpreter.ActivationMaximisation;
import io.candor.interpreter.AttributeAttribution;
import io.candor.interpreter.AttributePictures;
import io.candor.interpreter.BiasExposure;
import io.candor.interpreter.DictionaryReport;
import io.candor.models.data.DatasetSplit;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * What a learned dictionary leaves in its folder beside the ONNX files, for {@code interpret} and
 * {@code train --interpreter} alike: pictures/, the bias exposure (added to the dictionary),
 * dictionary.json and report.html.
 */
final class DictionaryFiles {
    /** How many of its top test samples each attribute's mask share is measured on. */
    private static final int EXPOSURE_SAMPLES = 16;

    private DictionaryFiles() {
    }

    /**
     * @param merged the model with the interpreter merged in (its input in, attributes out)
     * @param steps activation maximisation's rounds and steps per round
     * @param command the command line to print under each figure
     */
    static void write(PrintWriter pw, Path out, OnnxModel merged, DatasetSplit train, DatasetSplit test,
            Map<String, Object> dictionary, int[] steps, String command) throws IOException {
        pictures(pw, out.resolve("pictures"), merged, train, test, dictionary, steps);
        AtomicFiles.writeString(out.resolve("dictionary.json"),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(dictionary));
        DictionaryReport.of(dictionary, out.resolve("pictures"), command).write(out.resolve("report.html"));
    }

    /**
     * Each attribute's MAX samples, their input attributions and its activation-maximised image, and
     * the class x attribute relevance; where the test split has a mask, which attribute's attribution
     * falls most inside it. Token inputs get the relevance picture only.
     */
    private static void pictures(PrintWriter pw, Path dir, OnnxModel merged, DatasetSplit train, DatasetSplit test,
            Map<String, Object> dictionary, int[] steps) {
        long start = System.nanoTime();
        float[][] relevance = (float[][]) dictionary.get("classRelevance");
        if (!test.x().type().isFloating() || !io.candor.attribution.render.Pictures.isPicture(test.x().shape())) {
            AttributePictures.writeRelevance(dir, relevance, null);
            return;
        }
        try (Executor model = Executor.of(merged)) {
            AttributeAttribution attribution = AttributeAttribution.of(model);
            float[] range = ActivationMaximisation.range(train.x());
            ActivationMaximisation maximisation = ActivationMaximisation.of(model, range[0], range[1]);
            maximisation = maximisation.withSettings(maximisation.settings().withSteps(steps[0], steps[1]));
            new AttributePictures(attribution, maximisation).write(dir, test.x(), (int[][]) dictionary.get("maxSamples"), relevance);
            if (test.mask() != null) {
                BiasExposure.Result exposure = BiasExposure.measure(attribution, test.x(), test.mask(), EXPOSURE_SAMPLES);
                dictionary.put("biasExposure", exposure.toJson());
                int j = exposure.most();
                pw.printf(Locale.ROOT, "attribute %d reads the masked region most: %.0f%% of its input attribution"
                        + " falls inside the mask, which covers %.0f%% of the input (mean over its top %d test samples)%n", j,
                        100 * exposure.shares()[j], 100 * exposure.area(), exposure.samples());
            }
        }
        pw.printf(Locale.ROOT, "pictures in %s (%.1f s)%n", dir, (System.nanoTime() - start) / 1e9);
    }
}
