package io.candor.interop.testing;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The tests' reader of Candor's HTML reports: the JDK's XML parser, which rejects any markup that is not
 * well formed, and the checks every report must pass.
 */
public final class Xhtml {
    public static final String XHTML = "http://www.w3.org/1999/xhtml";
    public static final String SVG = "http://www.w3.org/2000/svg";

    private Xhtml() {
    }

    public static Document parse(String markup) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setErrorHandler(null);
        return builder.parse(new InputSource(new StringReader(markup)));
    }

    /** Elements named {@code name} in {@code namespace}, below {@code root}, in document order. */
    public static List<Element> all(Node root, String namespace, String name) {
        NodeList nodes = root instanceof Document d ? d.getElementsByTagNameNS(namespace, name)
                : ((Element) root).getElementsByTagNameNS(namespace, name);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }

    public static List<Element> html(Node root, String name) {
        return all(root, XHTML, name);
    }

    /** Element children of {@code parent} (any name), skipping text. */
    public static List<Element> children(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                out.add(e);
            }
        }
        return out;
    }

    public static boolean hasClass(Element e, String cls) {
        return List.of(e.getAttribute("class").split("\\s+")).contains(cls);
    }

    /**
     * Fails unless every picture of the page decodes as a PNG and every table cell holds text: what a
     * reader needs from a report, whatever it reports.
     */
    public static void requireComplete(Document doc) throws java.io.IOException {
        List<Element> images = html(doc, "img");
        for (Element img : images) {
            String src = img.getAttribute("src");
            String prefix = "data:image/png;base64,";
            if (!src.startsWith(prefix)) {
                throw new AssertionError("a picture is not an inline PNG: " + src.substring(0, Math.min(40, src.length())));
            }
            byte[] png = java.util.Base64.getDecoder().decode(src.substring(prefix.length()));
            if (javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png)) == null) {
                throw new AssertionError("a picture does not decode: " + img.getAttribute("alt"));
            }
        }
        for (Element table : html(doc, "table")) {
            List<Element> cells = new ArrayList<>(html(table, "td"));
            if (cells.isEmpty()) {
                throw new AssertionError("a table has no cells: " + table.getTextContent());
            }
            for (Element td : cells) {
                if (td.getTextContent().isBlank()) {
                    throw new AssertionError("a table has an empty cell: " + table.getTextContent());
                }
            }
        }
    }

    /** The points of an SVG path's "M x,y L x,y ..." data. */
    public static int points(String d) {
        return d.isEmpty() ? 0 : d.split("[ML]", -1).length - 1;
    }

    public static int subpaths(String d) {
        return (int) d.chars().filter(c -> c == 'M').count();
    }

    /** Coordinates of the path data as [x0, y0, x1, y1, ...]. */
    public static double[] coordinates(String d) {
        String[] parts = d.replaceAll("[ML]", " ").trim().split("[ ,]+");
        double[] out = new double[d.isBlank() ? 0 : parts.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Double.parseDouble(parts[i]);
        }
        return out;
    }
}
