package io.candor.attribution.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReportEscapeTest {
    @Test
    void markupCharactersBecomeEntities() {
        assertEquals("&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;", Html.escape("<a href=\"x\">Tom & Jerry's</a>"));
        assertEquals("&amp;amp;", Html.escape("&amp;"), "an entity in the text is shown, not decoded");
        assertEquals("", Html.escape(null));
        assertEquals("plain text, 90%", Html.escape("plain text, 90%"));
    }

    @Test
    void charactersXmlForbidsAreReplacedOthersKept() {
        assertEquals("a\uFFFDb\tc\nd", Html.escape("a\u0000b\tc\nd"));
        assertEquals("\uFFFD", Html.escape("\u001b"));
        assertEquals("caf\u00e9 \uD83D\uDE00", Html.escape("caf\u00e9 \uD83D\uDE00"), "a surrogate pair is one character");
        assertEquals("x\uFFFDy", Html.escape("x\uD83Dy"), "an unpaired surrogate is not");
        assertEquals("\uFFFD", Html.escape("\uFFFF"));
    }
}
