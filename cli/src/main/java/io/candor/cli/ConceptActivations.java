package io.candor.cli;

import io.candor.finetune.clarc.ConceptDirection;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.tensor.HostTensor;
import io.candor.interpreter.Dictionary;
import io.candor.interpreter.TapCache;
import io.candor.models.data.Concepts;
import io.candor.models.data.DatasetFolder;
import io.candor.models.data.DatasetSplit;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A hidden tensor's values over a split of a dataset folder and which samples carry an artifact, the
 * input of a concept activation vector: for {@code clarc} and for {@code finetune --penalty rr-clarc}.
 *
 * @param split the split's folder
 * @param samples the split itself
 * @param sampleShape the tensor's shape without the batch axis
 * @param rows the values, [N][D]
 * @param artifact whether each sample carries the artifact
 */
record ConceptActivations(Path split, DatasetSplit samples, long[] sampleShape, float[][] rows, boolean[] artifact) {

    /**
     * Computes {@code layer} of {@code model} on {@code split} of {@code data} (default: the concepts split
     * where there is one, else train). The artifact is the concept {@code concept}, or with none, a
     * non-empty mask.
     */
    static ConceptActivations of(OnnxModel model, Path data, String split, String layer, String concept) {
        String chosen = split != null ? split : DatasetFolder.conceptsSplitOr(data, "train");
        Path folder = data.resolve(chosen);
        DatasetSplit samples = DatasetFolder.read(data, chosen);
        boolean[] artifact = labels(samples, folder, concept);
        HostTensor values;
        try (Executor executor = Executor.of(model)) {
            values = TapCache.compute(executor, samples, List.of(layer), 256).taps().get(layer);
        }
        long[] shape = Arrays.copyOfRange(values.shape(), 1, values.rank());
        long d = HostTensor.elementCount(shape);
        float[][] rows = Dictionary.rows(HostTensor.ofFloats(new long[] {values.shape()[0], d}, values.toFloatArray()));
        return new ConceptActivations(folder, samples, shape, rows, artifact);
    }

    ConceptDirection direction(String cav) {
        return ConceptDirection.fit(cav, rows, artifact);
    }

    int withArtifact() {
        int c = 0;
        for (boolean a : artifact) {
            c += a ? 1 : 0;
        }
        return c;
    }

    private static boolean[] labels(DatasetSplit samples, Path folder, String concept) {
        int n = (int) samples.size();
        boolean[] artifact = new boolean[n];
        if (concept != null) {
            Concepts labels = samples.concepts();
            if (labels == null || !labels.names().contains(concept)) {
                throw new CandorException(folder + " has no concept '" + concept + "'"
                        + (labels == null ? "" : "; it has " + labels.names()));
            }
            float[] column = labels.column(labels.names().indexOf(concept));
            for (int i = 0; i < n; i++) {
                artifact[i] = column[i] > 0;
            }
            return artifact;
        }
        HostTensor mask = samples.mask();
        if (mask == null || mask.shape()[0] != n) {
            throw new CandorException(folder + " has no mask per sample; give --concept NAME");
        }
        float[] marks = mask.toFloatArray();
        int per = marks.length / n;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < per && !artifact[i]; k++) {
                artifact[i] = marks[i * per + k] > 0;
            }
        }
        return artifact;
    }
}
