package io.candor.interpreter;

import io.candor.attribution.report.LineChart;
import io.candor.attribution.report.Matrix;
import io.candor.attribution.report.Report;
import io.candor.interop.CandorException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html} for an attribute dictionary: how faithful it is, the concepts and the attribute
 * that reads the bias, the class x attribute relevance, each attribute's pictures and the training
 * curves, each with the command that made it. Built from what {@code dictionary.json} holds.
 */
public final class DictionaryReport {
    private static final int HALVE_ABOVE = 1000;

    private DictionaryReport() {
    }

    /**
     * @param dictionary what dictionary.json holds (as {@link Dictionary#measure} and the commands build it)
     * @param pictures the folder of attribute_J.png, or null
     * @param command the command that wrote it all
     */
    public static Report of(Map<String, Object> dictionary, Path pictures, String command) {
        Report r = Report.titled("Attribute dictionary of " + dictionary.getOrDefault("model", "the model"));
        Map<?, ?> metrics = (Map<?, ?>) dictionary.get("metrics");
        Map<Integer, String> names = conceptNames(dictionary);
        r.paragraph(String.format(Locale.ROOT, "%s attributes read from %s. The interpreter g = h(Phi) agrees with the model"
                + " f on %s of the %s test samples.", dictionary.get("attributes"), dictionary.get("taps"),
                percent(metrics.get("fidelity")), metrics.get("samples")));
        r.heading("Fidelity");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("accuracy of f (the model)", percent(metrics.get("accuracyF"))));
        rows.add(List.of("accuracy of g (the interpreter)", percent(metrics.get("accuracyG"))));
        rows.add(List.of("fidelity (argmax g = argmax f)", percent(metrics.get("fidelity"))));
        if (metrics.containsKey("top5Fidelity")) {
            rows.add(List.of("top-5 fidelity", percent(metrics.get("top5Fidelity"))));
        }
        Map<?, ?> cn = (Map<?, ?>) metrics.get("conciseness");
        rows.add(List.of("conciseness CN at tau 1.5 (attributes per decision)", number(cn.get("1.5"))));
        r.table(List.of("measure", "test split"), rows);
        r.command(command);
        concepts(r, dictionary);
        exposure(r, dictionary, names);
        relevance(r, dictionary, names, command);
        attributes(r, dictionary, names, pictures, command);
        curves(r, dictionary, command);
        return r;
    }

    private static void concepts(Report r, Map<String, Object> dictionary) {
        if (!(dictionary.get("concepts") instanceof List<?> concepts) || concepts.isEmpty()) {
            return;
        }
        r.heading("Concepts");
        r.paragraph("Each concept is bound to one attribute. AUC: how well the attribute ranks the test samples that show"
                + " the concept above those that do not (0.5 is chance); held-out AUC: the same on the concept split's rows"
                + " kept out of training, where the concept varies apart from the class. Mean |w|: the size of its weights in h, what the"
                + " prediction makes of it.");
        List<?> held = dictionary.get("conceptsHeldOut") instanceof List<?> h ? h : null;
        List<List<String>> rows = new ArrayList<>();
        for (int k = 0; k < concepts.size(); k++) {
            Map<?, ?> c = (Map<?, ?>) concepts.get(k);
            List<String> row = new ArrayList<>(List.of(String.valueOf(c.get("name")), String.valueOf(c.get("attribute")),
                    number(c.get("auc"))));
            if (held != null) {
                row.add(number(((Map<?, ?>) held.get(k)).get("auc")));
            }
            row.addAll(List.of(number(c.get("meanAbsWeight")), weights(c.get("weights")), String.valueOf(c.get("description"))));
            rows.add(row);
        }
        List<String> header = new ArrayList<>(List.of("concept", "attribute", "test AUC"));
        if (held != null) {
            header.add("held-out AUC");
        }
        header.addAll(List.of("mean |w|", "weight per class", "what it is"));
        r.table(header, rows);
    }

    private static void exposure(Report r, Map<String, Object> dictionary, Map<Integer, String> names) {
        if (!(dictionary.get("biasExposure") instanceof Map<?, ?> e)) {
            return;
        }
        double[] shares = (double[]) e.get("maskShare");
        int most = ((Number) e.get("mostInsideMask")).intValue();
        r.heading("Which attribute reads the masked region");
        r.paragraph(String.format(Locale.ROOT, "%s: %s of its input attribution falls inside the mask, which covers %s of"
                + " the input (mean over its %s top test samples).", label(most, names), percent(shares[most]),
                percent(e.get("maskArea")), e.get("samplesPerAttribute")));
        Integer[] order = new Integer[shares.length];
        for (int j = 0; j < order.length; j++) {
            order[j] = j;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(shares[b], shares[a]));
        List<List<String>> rows = new ArrayList<>();
        for (int k = 0; k < Math.min(5, order.length); k++) {
            rows.add(List.of(label(order[k], names), percent(shares[order[k]])));
        }
        r.table(List.of("attribute", "attribution inside the mask"), rows);
    }

    /** The class x attribute relevance r_{c,j} as a report matrix, a bound concept's name beside its attribute. */
    public static Matrix relevanceMatrix(float[][] relevance, Map<Integer, String> names) {
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < relevance.length; c++) {
            classes.add(String.valueOf(c));
        }
        List<String> columns = new ArrayList<>();
        double[][] values = new double[relevance.length][];
        for (int j = 0; j < (relevance.length == 0 ? 0 : relevance[0].length); j++) {
            columns.add(names.containsKey(j) ? j + " " + names.get(j) : String.valueOf(j));
        }
        for (int c = 0; c < relevance.length; c++) {
            values[c] = new double[relevance[c].length];
            for (int j = 0; j < relevance[c].length; j++) {
                values[c][j] = relevance[c][j];
            }
        }
        return Matrix.of("class \\ attribute", classes, columns, values);
    }

    private static void relevance(Report r, Map<String, Object> dictionary, Map<Integer, String> names, String command) {
        Matrix matrix = relevanceMatrix((float[][]) dictionary.get("classRelevance"), names);
        r.heading("Which attributes each class relies on");
        r.heatmap("relevance r(class, attribute): the mean share of the decision an attribute carries when g predicts"
                + " the class (pairs above 0.1 are FLINT's relevant pairs)", matrix, command);
    }

    private static void attributes(Report r, Map<String, Object> dictionary, Map<Integer, String> names, Path pictures,
            String command) {
        if (pictures == null) {
            return;
        }
        List<Integer> drawn = new ArrayList<>();
        int count = ((Number) dictionary.get("attributes")).intValue();
        for (int j = 0; j < count; j++) {
            if (Files.exists(pictures.resolve("attribute_" + j + ".png"))) {
                drawn.add(j);
            }
        }
        if (drawn.isEmpty()) {
            return;
        }
        r.heading("Each attribute's pictures");
        r.paragraph("For each attribute: the three test samples where it is largest, its input attribution on them (red"
                + " raises it) and its activation maximisation from the first of them.");
        for (int j : drawn) {
            r.figure(label(j, names), halved(read(pictures.resolve("attribute_" + j + ".png"))), command);
        }
    }

    private static void curves(Report r, Map<String, Object> dictionary, String command) {
        if (!(dictionary.get("epochs") instanceof List<?> epochs) || epochs.isEmpty()) {
            return;
        }
        Map<String, double[]> series = new LinkedHashMap<>();
        for (int e = 0; e < epochs.size(); e++) {
            for (var entry : ((Map<?, ?>) epochs.get(e)).entrySet()) {
                double[] v = series.computeIfAbsent(String.valueOf(entry.getKey()), k -> new double[epochs.size()]);
                v[e] = ((Number) entry.getValue()).doubleValue();
            }
        }
        LineChart fit = LineChart.titled("fidelity terms").axes("epoch", "loss");
        LineChart regular = LineChart.titled("conciseness and sparsity").axes("epoch", "loss");
        series.forEach((name, v) -> {
            if (name.equals("cd") || name.equals("l1")) {
                regular.series(name, v);
            } else if (!name.equals("total")) {
                fit.series(name, v);
            }
        });
        r.heading("Training");
        r.charts("each loss term's mean per epoch (unweighted; a term is zero-weighted during its warm-up)",
                List.of(fit, regular), command);
    }

    /** Attribute index -> the concept bound to it. */
    private static Map<Integer, String> conceptNames(Map<String, Object> dictionary) {
        Map<Integer, String> names = new LinkedHashMap<>();
        if (dictionary.get("concepts") instanceof List<?> concepts) {
            for (Object o : concepts) {
                Map<?, ?> c = (Map<?, ?>) o;
                names.put(((Number) c.get("attribute")).intValue(), String.valueOf(c.get("name")));
            }
        }
        return names;
    }

    private static String label(int j, Map<Integer, String> names) {
        return names.containsKey(j) ? "attribute " + j + " (" + names.get(j) + ")" : "attribute " + j;
    }

    /**
     * A wide picture at half size: a dictionary of 25 attributes drawn full size made a 7.7 MB page; the
     * files in pictures/ keep every pixel.
     */
    private static BufferedImage halved(BufferedImage image) {
        if (image.getWidth() <= HALVE_ABOVE) {
            return image;
        }
        BufferedImage half = new BufferedImage(image.getWidth() / 2, image.getHeight() / 2, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = half.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, half.getWidth(), half.getHeight(), null);
        g.dispose();
        return half;
    }

    private static BufferedImage read(Path file) {
        try {
            BufferedImage image = javax.imageio.ImageIO.read(file.toFile());
            if (image == null) {
                throw new CandorException(file + " is not a picture");
            }
            return image;
        } catch (IOException e) {
            throw new CandorException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String weights(Object w) {
        StringBuilder s = new StringBuilder();
        for (double v : (double[]) w) {
            s.append(s.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%+.2f", v));
        }
        return s.toString();
    }

    private static String percent(Object v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * ((Number) v).doubleValue());
    }

    private static String number(Object v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%.3f", ((Number) v).doubleValue());
    }
}
