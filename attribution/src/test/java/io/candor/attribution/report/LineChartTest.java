package io.candor.attribution.report;

import io.candor.interop.testing.Xhtml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class LineChartTest {
    static LineChart training() {
        return LineChart.titled("loss per epoch").axes("epoch", "loss")
                .series("train", new double[] {2.3, 1.1, 0.7, 0.52, 0.41, 0.37})
                .series("validation", new double[] {2.0, Double.NaN, 0.9, 0.8, Double.NaN, 0.75})
                .series("isolated", new double[] {Double.NaN, 1.5, Double.NaN, Double.NaN, Double.NaN, Double.NaN});
    }

    static Document parse(LineChart chart) throws Exception {
        return Xhtml.parse(chart.svg());
    }

    @Test
    void onePathPerSeriesWithItsFinitePoints() throws Exception {
        Document doc = parse(training());
        assertEquals(Xhtml.SVG, doc.getDocumentElement().getNamespaceURI());
        List<Element> paths = ReportTest.series(doc.getDocumentElement());
        assertEquals(3, paths.size());
        assertEquals(List.of("train", "validation", "isolated"), paths.stream().map(p -> p.getAttribute("data-series")).toList());
        assertEquals(List.of(6, 4, 1), paths.stream().map(p -> Xhtml.points(p.getAttribute("d"))).toList());
        assertEquals(List.of(1, 3, 1), paths.stream().map(p -> Xhtml.subpaths(p.getAttribute("d"))).toList());
        Set<String> colours = new HashSet<>();
        for (Element path : paths) {
            colours.add(path.getAttribute("stroke"));
            assertEquals("none", path.getAttribute("fill"));
        }
        assertEquals(3, colours.size(), "one colour per series");
    }

    @Test
    void everyPointLiesInsideTheAxesAndLargerValuesAreHigher() throws Exception {
        Document doc = parse(training());
        Element axes = Xhtml.all(doc, Xhtml.SVG, "g").stream().filter(g -> Xhtml.hasClass(g, "axes")).findFirst().orElseThrow();
        List<Element> lines = Xhtml.all(axes, Xhtml.SVG, "line");
        double left = Double.parseDouble(lines.get(0).getAttribute("x1"));
        double top = Double.parseDouble(lines.get(0).getAttribute("y1"));
        double bottom = Double.parseDouble(lines.get(0).getAttribute("y2"));
        double right = Double.parseDouble(lines.get(1).getAttribute("x2"));
        assertTrue(left < right && top < bottom);
        double[] train = Xhtml.coordinates(ReportTest.series(doc.getDocumentElement()).get(0).getAttribute("d"));
        for (int i = 0; i < train.length; i += 2) {
            assertTrue(train[i] >= left && train[i] <= right, "x " + train[i]);
            assertTrue(train[i + 1] >= top && train[i + 1] <= bottom, "y " + train[i + 1]);
            if (i > 0) {
                assertTrue(train[i] > train[i - 2], "epochs go right");
                assertTrue(train[i + 1] > train[i - 1], "a falling loss goes down the page");
            }
        }
    }

    @Test
    void legendNamesEverySeriesAndTicksAreLabelled() throws Exception {
        LineChart chart = LineChart.titled("accuracy").axes("epoch", "accuracy").includeY(0, 1)
                .series("<cdep>", new double[] {0.61, 0.8, 0.87})
                .series("no penalty & co", new double[] {0.6, 0.7, 0.81});
        Document doc = parse(chart);
        Element legend = Xhtml.all(doc, Xhtml.SVG, "g").stream().filter(g -> Xhtml.hasClass(g, "legend")).findFirst().orElseThrow();
        List<String> names = Xhtml.all(legend, Xhtml.SVG, "text").stream().map(Element::getTextContent).toList();
        assertEquals(List.of("<cdep>", "no penalty & co"), names);
        Element ticks = Xhtml.all(doc, Xhtml.SVG, "g").stream().filter(g -> Xhtml.hasClass(g, "ticks")).findFirst().orElseThrow();
        List<String> labels = Xhtml.all(ticks, Xhtml.SVG, "text").stream().map(Element::getTextContent).toList();
        // x: epochs 1..3 without fractional ticks; y: 0 to 1 in steps of 0.2, as includeY asked.
        assertEquals(List.of("1", "2", "3", "0.0", "0.2", "0.4", "0.6", "0.8", "1.0"), labels);
        assertEquals("accuracy", Xhtml.all(doc, Xhtml.SVG, "title").get(0).getTextContent());
    }

    @Test
    void manyLegendEntriesWrapIntoRows() throws Exception {
        LineChart chart = LineChart.titled("many").size(300, 200);
        for (int i = 0; i < 10; i++) {
            chart.series("series number " + i, new double[] {i, i + 1});
        }
        Document doc = parse(chart);
        long rows = Xhtml.all(doc, Xhtml.SVG, "g").stream().filter(g -> Xhtml.hasClass(g, "legend")).count();
        assertTrue(rows >= 5, "legend rows: " + rows);
        List<Element> paths = ReportTest.series(doc.getDocumentElement());
        assertEquals(10, paths.size());
        assertEquals("", paths.get(0).getAttribute("stroke-dasharray"));
        assertEquals("6 4", paths.get(8).getAttribute("stroke-dasharray"), "colours repeat dashed");
    }

    @Test
    void emptyAndFlatChartsStillDraw() throws Exception {
        assertEquals(0, ReportTest.series(parse(LineChart.titled("nothing")).getDocumentElement()).size());
        Document nan = parse(LineChart.titled("").series("gone", new double[] {Double.NaN, Double.NaN}));
        assertEquals(0, Xhtml.points(ReportTest.series(nan.getDocumentElement()).get(0).getAttribute("d")));
        Document flat = parse(LineChart.titled("flat").series("same", new double[] {3, 3, 3}));
        double[] xy = Xhtml.coordinates(ReportTest.series(flat.getDocumentElement()).get(0).getAttribute("d"));
        assertEquals(xy[1], xy[3]);
        for (double v : xy) {
            assertTrue(Double.isFinite(v));
        }
    }

    @Test
    void theSameChartGivesTheSameBytes() {
        assertEquals(training().svg(), training().svg());
        LineChart chart = training();
        String first = chart.svg();
        assertEquals(first, chart.svg());
        assertNotEquals(first, training().series("more", new double[] {1}).svg());
    }

    @Test
    void mismatchedSeriesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> LineChart.titled("x").series("s", new double[] {1, 2}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> LineChart.titled("x").size(10, 10));
    }
}
