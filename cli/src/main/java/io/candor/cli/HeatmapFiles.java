package io.candor.cli;

import io.candor.attribution.render.Heatmap;
import io.candor.attribution.render.Pictures;
import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import io.candor.interop.tensor.HostTensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * One heatmap PNG per explained picture: the attributions summed over channels, drawn over the input.
 * {@code explain} draws its inputs with it, and the Spark job a sample of a dataset's rows.
 */
public final class HeatmapFiles {
    private HeatmapFiles() {
    }

    /**
     * Draws {@code heatmap_ID.png} for each sample of an image batch whose attributions are per class
     * explained ([n, c, h, w], a target per sample); anything else (token ids, every class) gets none.
     *
     * @param backgrounds the pictures as the model saw them, or empty to draw them from {@code input}
     * @param ids the number in each file's name (the sample's place in its split)
     * @return the files written, in order
     */
    public static List<String> write(Path out, String method, HostTensor input, List<BufferedImage> backgrounds,
            HostTensor attributions, long[] targets, float[] logits, long[] ids) {
        List<String> files = new ArrayList<>();
        long[] s = attributions.shape();
        if (!input.type().isFloating() || !Pictures.isPicture(input.shape()) || s.length != 4 || targets.length == 0) {
            return files;
        }
        float[] values = attributions.toFloatArray();
        for (int n = 0; n < s[0]; n++) {
            float[] map = Pictures.channelSum(values, s, n);
            BufferedImage background = backgrounds.isEmpty() ? Pictures.fromTensor(input, n) : backgrounds.get(n);
            String title = String.format("%s, sample %d, class %d (logit %.3g)", method, ids[n], targets[n], logits[n]);
            BufferedImage picture = Heatmap.render(map, (int) s[2], (int) s[3], background, title);
            String name = String.format("heatmap_%03d.png", ids[n]);
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            try {
                ImageIO.write(picture, "png", png);
            } catch (IOException e) {
                throw new CandorException("cannot encode " + name + ": " + e.getMessage(), e);
            }
            AtomicFiles.writeBytes(out.resolve(name), png.toByteArray());
            files.add(name);
        }
        return files;
    }
}
