package io.candor.tests;

import static io.candor.interop.testing.Xhtml.html;
import static io.candor.tests.CliRunner.candor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.candor.interop.testing.Xhtml;
import io.candor.tests.CliRunner.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * {@code candor demo --quick}: every step of the story runs, every file it names is there, and its
 * report is a well-formed page whose pictures decode, whose tables are filled, and whose numbers are the
 * models' own (measured again here by the commands a user would type).
 */
class DemoCliTest {
    @TempDir
    static Path dir;

    private static Run run;
    private static Document report;

    @BeforeAll
    static void runDemo() throws Exception {
        run = candor("demo", "--quick", "--out", dir.toString());
        assertEquals(0, run.code(), run.out() + run.err());
        report = Xhtml.parse(Files.readString(dir.resolve("report.html")));
    }

    @Test
    void keepsEveryFileTheReportsCommandsName() {
        for (String file : List.of("data/train/x.npy", "data/concepts/concepts.npy", "biased.onnx", "repaired.onnx",
                "finetuned.onnx", "cdep-scratch.onnx", "repaired.metrics.json", "dictionary/dictionary.json",
                "dictionary/report.html", "dictionary/interpreter.onnx", "compare.json", "inputs.npy", "inputs-mask.npy",
                "explain/repaired-grad-cam/heatmap_000.png", "onnx-check/ort.npy")) {
            assertTrue(Files.isRegularFile(dir.resolve(file)), file);
        }
        assertTrue(run.out().contains("open " + dir.resolve("report.html").toAbsolutePath()), run.out());
    }

    @Test
    void reportIsCompleteAndEveryFigureHasItsCommand() throws Exception {
        Xhtml.requireComplete(report);
        List<String> sections = html(report, "h2").stream().map(Element::getTextContent).toList();
        assertEquals(List.of("Before and after", "Explanations of the same digits, before | after",
                "The biased model's attribute dictionary", "Does each model still follow corner_patch?", "Training curves",
                "The repaired model in ONNX Runtime", "Every step, to rerun by hand"), sections);
        // 4 digits x (Grad-CAM, CD tiles) x (before, after), plus at least the three concepts' pictures.
        assertTrue(html(report, "img").size() >= 16 + 3, "pictures: " + html(report, "img").size());
        assertEquals(4, Xhtml.all(report, Xhtml.SVG, "svg").size(), "loss, accuracy, penalty and bias-score charts");
        for (Element figure : html(report, "figure")) {
            if (Xhtml.hasClass(figure, "fig")) {
                assertTrue(figure.getTextContent().contains("./candor "), "a figure without its command");
            }
        }
    }

    @Test
    void summaryTableReportsWhatTheModelsDo() {
        Element table = html(report, "table").get(0);
        List<Element> rows = html(table, "tr").subList(1, 5);
        assertEquals(List.of("biased.onnx", "finetuned.onnx", "repaired.onnx", "cdep-scratch.onnx"),
                rows.stream().map(r -> html(r, "td").get(0).getTextContent()).toList());
        for (Element row : rows) {
            String model = html(row, "td").get(0).getTextContent();
            for (int column = 2; column <= 3; column++) {
                String split = column == 2 ? "test" : "test_clean";
                Run evaluated = candor("evaluate", "--model", dir.resolve(model).toString(), "--data",
                        dir.resolve("data").toString(), "--split", split, "--json");
                double accuracy = json(evaluated.out()).get("accuracy").asDouble();
                assertEquals(String.format(Locale.ROOT, "%.1f%%", 100 * accuracy), html(row, "td").get(column).getTextContent(),
                        model + " on " + split);
            }
        }
    }

    @Test
    void repairedOnnxRunsInOnnxRuntimeLikeTheExecutor() {
        String line = run.out().lines().filter(l -> l.contains("differ from Candor's executor's by at most")).findFirst()
                .orElseThrow();
        double difference = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        assertTrue(difference < 1e-4, line);
    }

    @Test
    void comparisonKeepsTheDictionarysAttributesForTheFineTunedModels() throws Exception {
        JsonNode compare = new ObjectMapper().readTree(dir.resolve("compare.json").toFile());
        JsonNode models = compare.get("models");
        assertEquals(3, models.size());
        for (JsonNode m : models) {
            // Fine-tuning after the flatten leaves pool2, the tap, as it was: the attributes are the same.
            assertTrue(m.get("sameAttributes").asBoolean(), m.toString());
            assertEquals("corner_patch", m.get("concepts").get(0).get("name").asText());
        }
    }

    @Test
    void textTellsTheSameStoryWithTheDecoyWordOfEachSentence(@TempDir Path text) throws Exception {
        Run r = candor("demo", "--quick", "--text", "--out", text.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        Document page = Xhtml.parse(Files.readString(text.resolve("report.html")));
        Xhtml.requireComplete(page);
        assertEquals("Explanations of the same sentences, before | after", html(page, "h2").get(1).getTextContent());
        // Each shown sentence twice (biased, repaired), every token a coloured span: 14 tokens per sentence.
        List<Element> rows = html(page, "div").stream().filter(d -> Xhtml.hasClass(d, "s")).toList();
        assertEquals(8, rows.size());
        for (Element row : rows) {
            assertEquals(14, html(row, "span").size(), row.getTextContent());
        }
        assertTrue(rows.get(0).getTextContent().contains("text") || rows.get(0).getTextContent().contains("video"),
                "a sentence with a decoy word: " + rows.get(0).getTextContent());
        assertTrue(Files.readAllLines(text.resolve("data/vocabulary.txt")).contains("video"));
        JsonNode compare = new ObjectMapper().readTree(text.resolve("compare.json").toFile());
        assertEquals("decoy_word", compare.get("models").get(0).get("concepts").get(0).get("name").asText());
    }

    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }
}
