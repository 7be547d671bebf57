package io.candor.cli;

import io.candor.attribution.Explanation;
import io.candor.attribution.report.Report;
import io.candor.interop.CandorException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code report.html} of {@code candor explain}: what was explained, each sample's target, logit and
 * completeness error, and its heatmap, with the command under every figure. Built with the shared
 * report writer, like the dictionary's and the demo's.
 */
final class ExplainReport {
    static final String FILE = "report.html";

    private ExplainReport() {
    }

    /** Writes DIR/report.html from the explanation and the pictures already written in DIR. */
    static String write(Path dir, String title, String input, Explanation e, List<String> pictures, String command) {
        Report r = Report.titled(title);
        r.paragraph("Input: " + input + ". Each heatmap shows the attribution of the target class's logit to every pixel"
                + " (red raises the logit, blue lowers it), over the input in grey.");
        List<String> header = new ArrayList<>(List.of("sample", "target class", "logit"));
        boolean complete = e.completeness().length > 0;
        if (complete) {
            header.add("completeness error");
        }
        List<List<String>> rows = new ArrayList<>();
        for (int n = 0; n < e.targets().length; n++) {
            List<String> row = new ArrayList<>(List.of(String.valueOf(n), String.valueOf(e.targets()[n]),
                    String.format(Locale.ROOT, "%.4g", e.targetLogits()[n])));
            if (complete) {
                row.add(String.format(Locale.ROOT, "%.2e", e.completeness()[n]));
            }
            rows.add(row);
        }
        r.table(header, rows);
        r.command(command);
        for (String picture : pictures) {
            if (picture.endsWith(".png")) {
                r.figure(picture, read(dir.resolve(picture)), command);
            } else {
                r.paragraph("Token scores: open " + picture + " beside this page.");
            }
        }
        r.write(dir.resolve(FILE));
        return FILE;
    }

    private static BufferedImage read(Path file) {
        try {
            return javax.imageio.ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new CandorException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
