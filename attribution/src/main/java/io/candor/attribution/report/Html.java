package io.candor.attribution.report;

/**
 * Escapes text for a report. The output is valid both as HTML and as XML text or attribute value, so a
 * report stays parseable by the JDK's XML parser, which is how the tests check it.
 */
public final class Html {
    private Html() {
    }

    /**
     * {@code text} with {@code & < > " '} replaced by entities, and characters XML forbids (control
     * characters, unpaired surrogates) replaced by U+FFFD; {@code null} gives the empty string.
     */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.appendCodePoint(xmlChar(c) ? c : 0xFFFD);
            }
        });
        return out.toString();
    }

    /** XML 1.0's Char production: one stray control character would make the whole file unreadable. */
    private static boolean xmlChar(int c) {
        return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
                || (c >= 0x10000 && c <= 0x10FFFF);
    }
}
