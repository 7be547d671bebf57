package io.candor.models.data;

import io.candor.interop.CandorException;
import io.candor.interop.tensor.HostTensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Text with a label column in a TSV file with a header row. Text is lower-cased and split into words
 * (letters, digits and apostrophes); labels that are all integers are used as they are, other labels
 * are numbered in sorted order. Token ids: 0 padding, 1 unknown word, then the vocabulary; sequences are
 * padded on the left (or cut on the left) to a fixed length.
 */
public final class TsvText {
    public static final String PAD = "<pad>";
    public static final String UNKNOWN = "<unk>";

    private TsvText() {
    }

    /** The tokenised split, its vocabulary (ids 0 and 1 included) and class names. */
    public record Loaded(DatasetSplit split, List<String> vocabulary, List<String> classes) {
    }

    /** @param vocabulary the ids to use (e.g. the training split's), or {@code null} to build one from this file */
    public static Loaded read(Path file, String textColumn, String labelColumn, int length, List<String> vocabulary) {
        return read(file, textColumn, labelColumn, length, vocabulary, java.util.Set.of());
    }

    /**
     * As {@link #read(Path, String, String, int, List)}, with a mask ([N, length], 1 = spurious) on every
     * occurrence of the {@code spurious} words (lower case), or none when the set is empty.
     */
    public static Loaded read(Path file, String textColumn, String labelColumn, int length, List<String> vocabulary,
            java.util.Set<String> spurious) {
        return read(file, textColumn, labelColumn, length, vocabulary, spurious, null);
    }

    /**
     * As above, with the class names of another split ({@code classes}, e.g. the training split's), so
     * that the same label gets the same id in both; a label they do not hold is an error.
     */
    public static Loaded read(Path file, String textColumn, String labelColumn, int length, List<String> vocabulary,
            java.util.Set<String> spurious, List<String> classes) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CandorException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (lines.isEmpty()) {
            throw new CandorException(file + " is empty; expected a header row");
        }
        List<String> header = Arrays.asList(lines.get(0).split("\t", -1));
        int textAt = column(header, textColumn, file);
        int labelAt = column(header, labelColumn, file);
        List<List<String>> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] cells = lines.get(i).split("\t", -1);
            if (cells.length <= Math.max(textAt, labelAt)) {
                throw new CandorException(file + " line " + (i + 1) + " has " + cells.length + " columns, the header "
                        + header.size());
            }
            texts.add(words(cells[textAt]));
            labels.add(cells[labelAt].trim());
        }
        List<String> vocab = vocabulary != null ? vocabulary : buildVocabulary(texts);
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            ids.put(vocab.get(i), i);
        }
        if (classes == null) {
            classes = classNames(labels);
        } else {
            for (int n = 0; n < labels.size(); n++) {
                if (!classes.contains(labels.get(n))) {
                    throw new CandorException(file + " line " + (n + 2) + ": label '" + labels.get(n)
                            + "' is not one of the training split's classes " + classes);
                }
            }
        }
        long[] tokens = new long[texts.size() * length];
        long[] y = new long[texts.size()];
        float[] mask = new float[texts.size() * length];
        for (int n = 0; n < texts.size(); n++) {
            List<String> w = texts.get(n);
            List<String> kept = w.size() > length ? w.subList(w.size() - length, w.size()) : w;
            int offset = length - kept.size();
            for (int t = 0; t < kept.size(); t++) {
                tokens[n * length + offset + t] = ids.getOrDefault(kept.get(t), 1);
                mask[n * length + offset + t] = spurious.contains(kept.get(t)) ? 1 : 0;
            }
            y[n] = classes.indexOf(labels.get(n));
        }
        long[] shape = {texts.size(), length};
        DatasetSplit split = new DatasetSplit(HostTensor.ofLongs(shape, tokens), HostTensor.ofLongs(new long[] {texts.size()}, y),
                spurious.isEmpty() ? null : HostTensor.ofFloats(shape, mask));
        return new Loaded(split, vocab, classes);
    }

    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}']+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    private static List<String> buildVocabulary(List<List<String>> texts) {
        TreeSet<String> words = new TreeSet<>();
        texts.forEach(words::addAll);
        List<String> vocab = new ArrayList<>(List.of(PAD, UNKNOWN));
        vocab.addAll(words);
        return vocab;
    }

    private static List<String> classNames(List<String> labels) {
        TreeSet<String> distinct = new TreeSet<>(labels);
        if (distinct.stream().allMatch(l -> l.matches("\\d+"))) {
            int max = distinct.stream().mapToInt(Integer::parseInt).max().orElse(0);
            List<String> numbered = new ArrayList<>();
            for (int i = 0; i <= max; i++) {
                numbered.add(Integer.toString(i));
            }
            return numbered;
        }
        return new ArrayList<>(distinct);
    }

    private static int column(List<String> header, String name, Path file) {
        int at = header.indexOf(name);
        if (at < 0) {
            throw new CandorException(file + " has no column '" + name + "'; columns: " + header);
        }
        return at;
    }
}
