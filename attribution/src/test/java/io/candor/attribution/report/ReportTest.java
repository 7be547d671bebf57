package io.candor.attribution.report;

import io.candor.interop.testing.Xhtml;

import static io.candor.interop.testing.Xhtml.html;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.attribution.render.DivergingColors;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class ReportTest {
    private static final String PREFIX = "data:image/png;base64,";

    static BufferedImage picture(int w, int h, int type, long seed) {
        BufferedImage image = new BufferedImage(w, h, type);
        java.util.Random random = new java.util.Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, 0xff000000 | random.nextInt(1 << 24));
            }
        }
        Graphics2D g = image.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, Math.max(1, w / 4), Math.max(1, h / 4));
        g.dispose();
        return image;
    }

    @Test
    void everyImageIsAnInlinePngOfTheOriginalSizeAndPixels() throws Exception {
        BufferedImage digit = picture(28, 28, BufferedImage.TYPE_BYTE_GRAY, 1);
        BufferedImage before = picture(40, 30, BufferedImage.TYPE_INT_RGB, 2);
        BufferedImage after = picture(300, 200, BufferedImage.TYPE_INT_ARGB, 3);
        BufferedImage premultiplied = picture(17, 9, BufferedImage.TYPE_INT_ARGB_PRE, 4);
        String markup = Report.titled("images")
                .figure("one digit", digit, "candor explain --model m.onnx --input x.npy --out out/")
                .figures("before | after", List.of(LabelledImage.of("before", before), LabelledImage.of("after", after),
                        LabelledImage.of("odd type", premultiplied)), "candor finetune --model m.onnx --out f.onnx")
                .html();
        List<BufferedImage> originals = List.of(digit, before, after, premultiplied);
        List<Element> imgs = html(Xhtml.parse(markup), "img");
        assertEquals(originals.size(), imgs.size());
        for (int i = 0; i < imgs.size(); i++) {
            String src = imgs.get(i).getAttribute("src");
            assertTrue(src.startsWith(PREFIX), src.substring(0, Math.min(40, src.length())));
            byte[] png = Base64.getDecoder().decode(src.substring(PREFIX.length()));
            assertEquals("PNG", new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
            BufferedImage original = originals.get(i);
            assertEquals(original.getWidth(), decoded.getWidth(), "width of image " + i);
            assertEquals(original.getHeight(), decoded.getHeight(), "height of image " + i);
            assertFalse(imgs.get(i).getAttribute("alt").isEmpty(), "image " + i + " has alt text");
        }
        BufferedImage decodedBefore = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder()
                .decode(imgs.get(1).getAttribute("src").substring(PREFIX.length()))));
        for (int y = 0; y < before.getHeight(); y++) {
            for (int x = 0; x < before.getWidth(); x++) {
                assertEquals(before.getRGB(x, y), decodedBefore.getRGB(x, y), "pixel " + x + "," + y);
            }
        }
        // A 28x28 map is shown enlarged by a whole factor, unsmoothed; a 300x200 picture as it is.
        assertEquals("168", imgs.get(0).getAttribute("width"));
        assertEquals("168", imgs.get(0).getAttribute("height"));
        assertTrue(Xhtml.hasClass(imgs.get(0), "px"));
        assertEquals("300", imgs.get(2).getAttribute("width"));
        assertFalse(Xhtml.hasClass(imgs.get(2), "px"));
        assertTrue(markup.contains("image-rendering:pixelated"));
    }

    @Test
    void sideBySidePicturesShareOneRowWithTheirLabels() throws Exception {
        BufferedImage a = picture(10, 10, BufferedImage.TYPE_INT_RGB, 5);
        Document doc = Xhtml.parse(Report.titled("t").figures("digit 7", List.of(LabelledImage.of("before", a), LabelledImage.of("after", a)),
                "candor explain ...").html());
        Element row = html(doc, "div").stream().filter(d -> Xhtml.hasClass(d, "row")).findFirst().orElseThrow();
        List<Element> panels = Xhtml.children(row);
        assertEquals(2, panels.size());
        assertEquals("before", html(panels.get(0), "figcaption").get(0).getTextContent());
        assertEquals("after", html(panels.get(1), "figcaption").get(0).getTextContent());
        assertEquals(1, html(panels.get(0), "img").size());
    }

    @Test
    void everyTableRowIsAsWideAsItsHeaderAndNoCellIsEmpty() throws Exception {
        Matrix matrix = Matrix.of("class", List.of("0", "1", "2"), List.of("corner_patch", "closed_loop"),
                new double[][] {{0.9, -0.3}, {Double.NaN, 0.1}, {-1.8, 0}});
        String markup = Report.titled("tables")
                .table("Before and after", List.of("model", "accuracy (lying)", "CD share", "note"), List.of(
                        List.of("biased", "61.2%", "0.48", "trained on patches"),
                        Arrays.asList("CDEP", "87.0%", null, ""),
                        List.of("no penalty", "81.1%", "0.41", " ")))
                .heatmap("class x attribute", matrix, "candor interpret --model m.onnx --data d/ --out dict/")
                .html();
        Document doc = Xhtml.parse(markup);
        List<Element> tables = html(doc, "table");
        assertEquals(2, tables.size());
        for (Element table : tables) {
            int width = html(html(table, "thead").get(0), "th").size();
            List<Element> rows = html(html(table, "tbody").get(0), "tr");
            assertEquals(3, rows.size());
            for (Element row : rows) {
                List<Element> cells = Xhtml.children(row);
                assertEquals(width, cells.size(), "cells in a row of a table with " + width + " columns");
                for (Element cell : cells) {
                    assertFalse(cell.getTextContent().isBlank(), "a cell is blank");
                }
            }
        }
        List<Element> firstRow = Xhtml.children(html(tables.get(0), "tr").get(1));
        assertTrue(Xhtml.hasClass(firstRow.get(1), "n"), "numbers are right-aligned");
        assertFalse(Xhtml.hasClass(firstRow.get(0), "n"));
        Element gap = Xhtml.children(html(tables.get(0), "tr").get(2)).get(2);
        assertEquals(Tables.MISSING, gap.getTextContent());
        assertTrue(Xhtml.hasClass(gap, "n"), "a gap in a column of numbers is aligned with them");
        assertTrue(Xhtml.hasClass(html(tables.get(0), "th").get(2), "n"), "so is the column's header");
        assertFalse(Xhtml.hasClass(Xhtml.children(html(tables.get(0), "tr").get(2)).get(3), "n"), "an empty column is text");

        // The heatmap's colours follow the values, scaled to the largest magnitude (1.8).
        List<Element> heatRows = html(html(tables.get(1), "tbody").get(0), "tr");
        Element strongest = html(heatRows.get(2), "td").get(0);
        assertEquals("-1.8", strongest.getTextContent());
        assertTrue(strongest.getAttribute("style").contains(DivergingColors.css(-1)), strongest.getAttribute("style"));
        assertTrue(html(heatRows.get(0), "td").get(0).getAttribute("style").contains(DivergingColors.css(0.5)));
        assertTrue(html(heatRows.get(2), "td").get(1).getAttribute("style").contains(DivergingColors.css(0)));
        assertEquals(Tables.MISSING, html(heatRows.get(1), "td").get(0).getTextContent());
        assertEquals("1", html(heatRows.get(1), "th").get(0).getTextContent(), "row label");
    }

    @Test
    void aRaggedTableOrMatrixIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Report.titled("t").table(List.of("a", "b"), List.of(List.of("1"))));
        assertThrows(IllegalArgumentException.class,
                () -> Matrix.of("c", List.of("r"), List.of("a", "b"), new double[][] {{1}}));
        assertThrows(IllegalArgumentException.class,
                () -> Matrix.of("c", List.of("r", "s"), List.of("a"), new double[][] {{1}}));
    }

    @Test
    void chartsAreInlineSvgWithOnePathPerSeries() throws Exception {
        double[] loss = {2.1, 1.2, Double.NaN, 0.6, 0.5};
        double[] penalty = {0.9, 0.7, 0.4, 0.3, Double.POSITIVE_INFINITY};
        LineChart curves = LineChart.titled("loss").axes("epoch", "loss").series("cross-entropy", loss).series("penalty", penalty);
        LineChart accuracy = LineChart.titled("validation accuracy").includeY(0, 1).series("cdep", new double[] {0.5, 0.8, 0.9});
        Document doc = Xhtml.parse(Report.titled("curves")
                .charts("Training curves", List.of(curves, accuracy), "candor finetune --model m.onnx --out f.onnx")
                .chart(LineChart.titled("bias score").series("cd share", new double[] {0.4, 0.2}), "candor explain ...")
                .html());
        List<Element> svgs = Xhtml.all(doc, Xhtml.SVG, "svg");
        assertEquals(3, svgs.size());
        List<Element> paths = series(svgs.get(0));
        assertEquals(2, paths.size());
        assertEquals(4, Xhtml.points(paths.get(0).getAttribute("d")));
        assertEquals(2, Xhtml.subpaths(paths.get(0).getAttribute("d")), "the NaN breaks the line");
        assertEquals(4, Xhtml.points(paths.get(1).getAttribute("d")));
        assertNotEquals(paths.get(0).getAttribute("stroke"), paths.get(1).getAttribute("stroke"));
        assertEquals(1, series(svgs.get(1)).size());
        assertEquals(3, Xhtml.points(series(svgs.get(1)).get(0).getAttribute("d")));
        assertEquals(1, series(svgs.get(2)).size());
        assertEquals(0, html(doc, "img").size(), "charts are not pictures");
    }

    static List<Element> series(Element svg) {
        List<Element> out = new ArrayList<>();
        for (Element path : Xhtml.all(svg, Xhtml.SVG, "path")) {
            if (Xhtml.hasClass(path, "series")) {
                out.add(path);
            }
        }
        return out;
    }

    @Test
    void textIsEscapedNotInterpreted() throws Exception {
        String title = "<script>alert('x')</script> & \"quoted\" </title>";
        String command = "candor explain --model \"my model.onnx\" --out '<out>' && echo done";
        String markup = Report.titled(title)
                .heading("<h2> & friends")
                .paragraph("a < b && c > d; bell \u0007 here")
                .table(List.of("<th>"), List.of(List.of("<td>x</td>")))
                .figure("<img src=x onerror=alert(1)>", picture(4, 4, BufferedImage.TYPE_INT_RGB, 6), command)
                .chart(LineChart.titled("<svg>").axes("<x>", "y & z").series("</path>", new double[] {1, 2}), command)
                .html();
        Document doc = Xhtml.parse(markup);
        assertEquals(0, doc.getElementsByTagNameNS("*", "script").getLength());
        assertEquals(title, html(doc, "title").get(0).getTextContent());
        assertEquals(title, html(doc, "h1").get(0).getTextContent());
        assertEquals("<h2> & friends", html(doc, "h2").get(0).getTextContent());
        assertEquals("a < b && c > d; bell \uFFFD here", html(doc, "p").get(0).getTextContent());
        assertEquals("<td>x</td>", html(doc, "td").get(0).getTextContent());
        assertEquals(1, html(doc, "img").size(), "the caption made no second image");
        assertEquals("<img src=x onerror=alert(1)>", html(doc, "img").get(0).getAttribute("alt"));
        for (Element code : html(doc, "code")) {
            assertEquals(command, code.getTextContent());
        }
        assertEquals("</path>", series(Xhtml.all(doc, Xhtml.SVG, "svg").get(0)).get(0).getAttribute("data-series"));
        assertEquals(1, Xhtml.all(doc, Xhtml.SVG, "svg").size());
    }

    @Test
    void everyFigureCarriesItsCommand() throws Exception {
        BufferedImage a = picture(8, 8, BufferedImage.TYPE_INT_RGB, 7);
        Matrix m = Matrix.of("", List.of("r"), List.of("c"), new double[][] {{1}});
        Document doc = Xhtml.parse(Report.titled("t")
                .figure("a", a, "candor one")
                .figures("b", List.of(LabelledImage.of("x", a)), "candor two")
                .chart(LineChart.titled("c").series("s", new double[] {1}), "candor three")
                .heatmap("d", m, "candor four")
                .command("candor five")
                .html());
        List<Element> figures = html(doc, "figure").stream().filter(f -> Xhtml.hasClass(f, "fig")).toList();
        assertEquals(4, figures.size());
        List<String> commands = List.of("candor one", "candor two", "candor three", "candor four");
        for (int i = 0; i < figures.size(); i++) {
            List<Element> pre = html(figures.get(i), "pre");
            assertEquals(1, pre.size());
            assertEquals(commands.get(i), pre.get(0).getTextContent());
        }
        assertEquals(5, html(doc, "pre").size());
        assertThrows(IllegalArgumentException.class, () -> Report.titled("t").figure("a", a, " "));
        assertThrows(IllegalArgumentException.class, () -> Report.titled("t").chart(LineChart.titled("c"), null));
        assertThrows(IllegalArgumentException.class, () -> Report.titled("t").figures("a", List.of(), "candor x"));
    }

    @Test
    void tokenRowsAreColouredByTheirOwnScaleAndEscaped() throws Exception {
        Document doc = Xhtml.parse(Report.titled("t").tokens("CD of each word", List.of("before", "after <&>"),
                List.of(List.of("a", "<b>"), List.of("a", "<b>")),
                List.of(new float[] {2, -1}, new float[] {0.5f, 0}), "candor explain --method cd").html());
        List<Element> rows = html(doc, "div").stream().filter(d -> Xhtml.hasClass(d, "s")).toList();
        assertEquals(2, rows.size());
        assertEquals("after <&>", html(rows.get(1), "p").get(0).getTextContent());
        List<Element> first = html(rows.get(0), "span");
        assertEquals("<b>", first.get(1).getTextContent());
        // Each row on its own scale: the largest |score| of each row gets the full colour.
        assertEquals(DivergingColors.css(1), style(first.get(0)));
        assertEquals(DivergingColors.css(-0.5), style(first.get(1)));
        List<Element> second = html(rows.get(1), "span");
        assertEquals(DivergingColors.css(1), style(second.get(0)));
        assertEquals(DivergingColors.css(0), style(second.get(1)));
        assertEquals("-1.000", first.get(1).getAttribute("title"), "the score to 4 significant digits");
        assertThrows(IllegalArgumentException.class, () -> Report.titled("t").tokens("c", List.of("one"),
                List.of(List.of("a"), List.of("b")), List.of(new float[1], new float[1]), "candor x"));
    }

    private static String style(Element span) {
        return span.getAttribute("style").replace("background:", "");
    }

    @Test
    void sectionsAreListedAndLinked() throws Exception {
        Document doc = Xhtml.parse(Report.titled("t").heading("Explain").paragraph("x").heading("Repair").html());
        List<Element> links = html(html(doc, "nav").get(0), "a");
        assertEquals(2, links.size());
        List<Element> headings = html(doc, "h2");
        for (int i = 0; i < links.size(); i++) {
            assertEquals("#" + headings.get(i).getAttribute("id"), links.get(i).getAttribute("href"));
            assertEquals(headings.get(i).getTextContent(), links.get(i).getTextContent());
        }
        assertEquals(0, html(Xhtml.parse(Report.titled("t").heading("only").html()), "nav").size());
    }

    @Test
    void theDocumentIsSelfContainedAndTheSameEachTime() throws Exception {
        BufferedImage a = picture(12, 12, BufferedImage.TYPE_INT_RGB, 8);
        java.util.function.Supplier<Report> build = () -> Report.titled("t").figure("a", a, "candor x")
                .chart(LineChart.titled("c").series("s", new double[] {1, 2, 3}), "candor y");
        Report report = build.get();
        String markup = report.html();
        assertEquals(markup, report.html());
        assertEquals(markup, build.get().html());
        assertTrue(markup.startsWith("<!DOCTYPE html>\n"));
        String withoutNamespaces = markup.replace("\"http://www.w3.org/1999/xhtml\"", "")
                .replace("\"http://www.w3.org/2000/svg\"", "");
        assertFalse(withoutNamespaces.contains("http:") || withoutNamespaces.contains("https:"), "nothing is fetched");
        assertEquals(0, Xhtml.parse(markup).getElementsByTagNameNS("*", "link").getLength());
        Element root = Xhtml.parse(markup).getDocumentElement();
        assertEquals(Xhtml.XHTML, root.getNamespaceURI());
        assertEquals("html", root.getLocalName());
    }
}
