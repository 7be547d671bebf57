package io.candor.attribution.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.interop.CandorException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriteTest {
    @TempDir
    Path dir;

    static Report report() {
        return Report.titled("written").paragraph("h\u00e9llo \u2014 caf\u00e9")
                .figure("p", ReportTest.picture(30, 20, java.awt.image.BufferedImage.TYPE_INT_RGB, 9), "candor demo");
    }

    static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesTheWholeDocumentAsUtf8MakingFolders() throws IOException {
        Report report = report();
        Path file = dir.resolve("a/b/report.html");
        report.write(file);
        assertEquals(report.html(), Files.readString(file, StandardCharsets.UTF_8));
        assertEquals(List.of("report.html"), names(file.getParent()));
    }

    @Test
    void replacesAnExistingFileWhole() throws IOException {
        Path file = dir.resolve("report.html");
        // Longer than the new report, so a write in place that forgot to truncate would leave a tail.
        Files.writeString(file, "old ".repeat(100_000));
        Report report = report();
        report.write(file);
        assertEquals(report.html(), Files.readString(file));
        assertEquals(List.of("report.html"), names(dir), "no temporary file is left");
    }

    @Test
    void aFailedWriteLeavesNoPartialFile() throws IOException {
        Path target = dir.resolve("report.html");
        Files.createDirectories(target);
        Files.writeString(target.resolve("inside.txt"), "keep");
        CandorException e = assertThrows(CandorException.class, () -> report().write(target));
        assertTrue(e.getMessage().contains("report.html"), e.getMessage());
        assertTrue(Files.isDirectory(target), "the directory is still there");
        assertEquals(List.of("inside.txt"), names(target));
        assertEquals("keep", Files.readString(target.resolve("inside.txt")));
        assertEquals(List.of("report.html"), names(dir), "no temporary file is left");
    }
}
