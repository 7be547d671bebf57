package io.candor.cli;

import io.candor.interop.CandorException;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.ValueInfo;
import io.candor.interop.tensor.ImageOptions;
import io.candor.models.data.DatasetFolder;
import io.candor.models.data.DatasetSplit;
import io.candor.models.data.ImageFolder;
import io.candor.models.data.TsvText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * Where {@code train} and {@code finetune} read their train and val splits: a dataset folder (candor
 * data make), image folders with an optional parallel folder of masks, or TSV text with spurious words.
 * Images take the model's input size and channels; token ids the model's sequence length and the
 * vocabulary it was trained with.
 */
final class TrainingDataOptions {
    @Option(names = "--masks", paramLabel = "DIR",
            description = {"Image folders: mask pictures under DIR with the same relative paths as the images",
                "(DIR/train/CLASS/NAME.png; white = spurious; a missing mask marks nothing)."})
    Path masks;

    @Option(names = "--mean", paramLabel = "M1,M2,...", split = ",",
            description = "Image folders: per-channel mean subtracted after scaling to [0, 1].")
    float[] mean;

    @Option(names = "--std", paramLabel = "S1,S2,...", split = ",",
            description = "Image folders: per-channel standard deviation dividing.")
    float[] std;

    @Option(names = "--spurious-words", paramLabel = "W1,W2,...", split = ",",
            description = "TSV text: words whose every occurrence is marked spurious (lower case).")
    List<String> spuriousWords;

    @Option(names = "--text-column", defaultValue = "text", description = "TSV text: the text column (default ${DEFAULT-VALUE}).")
    String textColumn;

    @Option(names = "--label-column", defaultValue = "label", description = "TSV text: the label column (default ${DEFAULT-VALUE}).")
    String labelColumn;

    @Option(names = "--vocabulary", paramLabel = "FILE",
            description = {"TSV text: the model's vocabulary, one word per line in id order (id 0 padding, 1 unknown).",
                "Default: DATA/vocabulary.txt."})
    Path vocabulary;

    /** The training and validation splits. */
    record Splits(DatasetSplit train, DatasetSplit val, String kind) {
    }

    /** The layouts --data may have, for error messages and help. */
    static final String LAYOUTS = "a dataset folder (meta.json, train/x.npy: candor data make), image folders"
            + " (train/CLASS/*.png and val/CLASS/*.png) or TSV text (train.tsv and val.tsv)";

    Splits read(Path data, OnnxModel model) {
        if (!Files.isDirectory(data)) {
            throw new CandorException("--data " + data + " does not exist; expected " + LAYOUTS);
        }
        if (Files.exists(data.resolve("meta.json")) || Files.exists(data.resolve("train").resolve("x.npy"))) {
            return new Splits(DatasetFolder.read(data, "train"), DatasetFolder.read(data, "val"), "dataset folder");
        }
        if (Files.isRegularFile(data.resolve("train.tsv"))) {
            return tsv(data, model);
        }
        if (Files.isDirectory(data.resolve("train")) && Files.isDirectory(data.resolve("val"))) {
            return images(data, model);
        }
        throw new CandorException("--data " + data + " is none of " + LAYOUTS);
    }

    private Splits images(Path data, OnnxModel model) {
        long[] shape = inputShape(model, 4, "N x C x H x W images");
        if (shape[2] <= 0 || shape[3] <= 0) {
            throw new CandorException("the model does not fix its input size, so image folders cannot be resized to it");
        }
        ImageOptions options = new ImageOptions((int) shape[2], (int) shape[3], mean, std, shape[1] == 1);
        return new Splits(ImageFolder.load(data.resolve("train"), options, masks == null ? null : masks.resolve("train")),
                ImageFolder.load(data.resolve("val"), options, masks == null ? null : masks.resolve("val")), "image folders");
    }

    private Splits tsv(Path data, OnnxModel model) {
        long[] shape = inputShape(model, 2, "N x T token ids");
        if (shape[1] <= 0) {
            throw new CandorException("the model does not fix its sequence length, so TSV text cannot be padded to it");
        }
        if (!Files.isRegularFile(data.resolve("val.tsv"))) {
            throw new CandorException(data + " has train.tsv but no val.tsv");
        }
        Path vocabFile = vocabulary != null ? vocabulary : data.resolve("vocabulary.txt");
        if (!Files.isRegularFile(vocabFile)) {
            throw new CandorException("TSV text needs the vocabulary the model was trained with (one word per line in id"
                    + " order): give --vocabulary FILE or put it in " + vocabFile);
        }
        List<String> vocab = readVocabulary(vocabFile);
        Set<String> spurious = spuriousWords == null ? Set.of()
                : spuriousWords.stream().map(w -> w.trim().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        int length = (int) shape[1];
        TsvText.Loaded train = TsvText.read(data.resolve("train.tsv"), textColumn, labelColumn, length, vocab, spurious);
        TsvText.Loaded val = TsvText.read(data.resolve("val.tsv"), textColumn, labelColumn, length, train.vocabulary(),
                spurious, train.classes());
        return new Splits(train.split(), val.split(), "TSV text");
    }

    private static List<String> readVocabulary(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CandorException("cannot read the vocabulary " + file + ": " + e.getMessage(), e);
        }
    }

    private static long[] inputShape(OnnxModel model, int rank, String expected) {
        ValueInfo input = model.graph().inputs().get(0);
        long[] shape = input.concreteShape(-1);
        if (shape.length != rank) {
            throw new CandorException("this data needs a model whose input is " + expected + "; '" + input.name() + "' is "
                    + input.dims());
        }
        return shape;
    }
}
