package io.candor.finetune;

import io.candor.interop.tensor.HostTensor;
import io.candor.models.data.DatasetSplit;

/** How a split's spurious-feature mask applies to its samples: per sample, or one shared by all. */
public final class SpuriousMasks {
    private SpuriousMasks() {
    }

    /** True when the mask holds one row per sample rather than one mask for every sample. */
    public static boolean perSample(DatasetSplit split) {
        HostTensor mask = split.mask();
        return mask != null && mask.rank() == split.x().rank() && mask.shape()[0] == split.size() && split.size() > 1;
    }

    /** Per sample, whether its mask marks anything (all false without a mask). */
    public static boolean[] marked(DatasetSplit split) {
        boolean[] rows = new boolean[(int) split.size()];
        if (split.mask() == null) {
            return rows;
        }
        float[] m = split.mask().toFloatArray();
        if (!perSample(split)) {
            boolean any = false;
            for (float v : m) {
                any |= v != 0;
            }
            java.util.Arrays.fill(rows, any);
            return rows;
        }
        int per = m.length / rows.length;
        for (int i = 0; i < rows.length; i++) {
            for (int k = i * per; k < (i + 1) * per && !rows[i]; k++) {
                rows[i] = m[k] != 0;
            }
        }
        return rows;
    }

    public static boolean any(boolean[] marked) {
        for (boolean m : marked) {
            if (m) {
                return true;
            }
        }
        return false;
    }
}
