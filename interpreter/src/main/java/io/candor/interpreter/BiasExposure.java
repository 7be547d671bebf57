package io.candor.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.exec.Engines;
import io.candor.interop.tensor.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Which attribute reads the spurious region: for each attribute, the share of its input attribution
 * dPhi_j/dx that falls inside the mask, averaged over the masked samples where the attribute is
 * largest. A share well above the mask's area (what an attribution spread evenly would give) says the
 * attribute looks at the region; the attribute with the largest share is the one that exposes the bias.
 */
public final class BiasExposure {
    private static final int BATCH = 256;

    /**
     * @param shares per attribute, the mean share of |dPhi_j/dx| inside the mask
     * @param area the mean share of the input the mask covers on the same samples
     * @param samples how many of its top samples each attribute was measured on
     */
    public record Result(double[] shares, double area, int samples) {
        /** The attribute with the largest share. */
        public int most() {
            return IntStream.range(0, shares.length).reduce((a, b) -> shares[b] > shares[a] ? b : a).orElse(-1);
        }

        public Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("maskShare", shares);
            json.put("maskArea", area);
            json.put("samplesPerAttribute", samples);
            json.put("mostInsideMask", most());
            return json;
        }
    }

    private BiasExposure() {
    }

    /**
     * @param x the inputs of a split
     * @param mask its mask, [1, ...] for all samples or [N, ...] per sample (1 = spurious)
     * @param perAttribute how many of the masked samples, those where Phi_j is largest, to measure on
     */
    public static Result measure(AttributeAttribution attribution, HostTensor x, HostTensor mask, int perAttribute) {
        boolean shared = mask.shape()[0] == 1 && x.shape()[0] != 1;
        int[] masked = masked(x, mask, shared);
        HostTensor samples = x.rows(masked);
        HostTensor sampleMasks = shared ? mask : mask.rows(masked);
        float[][] phi = attributes(attribution, samples);
        int attributes = phi.length == 0 ? 0 : phi[0].length;
        int k = Math.min(perAttribute, masked.length);
        double[] shares = new double[attributes];
        for (int j = 0; j < attributes; j++) {
            final int attribute = j;
            int[] top = IntStream.range(0, phi.length).boxed()
                    .sorted((a, b) -> Float.compare(phi[b][attribute], phi[a][attribute])).limit(k)
                    .mapToInt(Integer::intValue).toArray();
            HostTensor gradient = attribution.inputGradient(samples.rows(top), j);
            float[] share = AttributeAttribution.maskShare(gradient, shared ? sampleMasks : sampleMasks.rows(top));
            shares[j] = mean(share);
        }
        return new Result(shares, area(sampleMasks), k);
    }

    /** The rows whose mask is not empty (all of them when one mask serves every sample). */
    private static int[] masked(HostTensor x, HostTensor mask, boolean shared) {
        int n = (int) x.shape()[0];
        if (shared) {
            return IntStream.range(0, n).toArray();
        }
        float[] m = mask.toFloatArray();
        int per = m.length / n;
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int p = i * per; p < (i + 1) * per; p++) {
                if (m[p] != 0) {
                    rows.add(i);
                    break;
                }
            }
        }
        return rows.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Phi for every row, through the merged model, in batches. */
    private static float[][] attributes(AttributeAttribution attribution, HostTensor samples) {
        int n = (int) samples.shape()[0];
        float[][] phi = new float[n][];
        try (NDManager root = Engines.newManager()) {
            for (int start = 0; start < n; start += BATCH) {
                int[] rows = IntStream.range(start, Math.min(n, start + BATCH)).toArray();
                try (NDManager m = root.newSubManager()) {
                    NDArray out = attribution.executor().run(m,
                            Map.of(attribution.input(), samples.rows(rows).toNDArray(m)),
                            List.of(attribution.attributesOutput())).get(attribution.attributesOutput());
                    float[][] p = Dictionary.rows(HostTensor.of(out));
                    System.arraycopy(p, 0, phi, start, p.length);
                }
            }
        }
        return phi;
    }

    /** The share of the input the masks cover (a mask broadcasts over channels, so its mean is that share). */
    private static double area(HostTensor masks) {
        float[] m = masks.toFloatArray();
        double sum = 0;
        for (float v : m) {
            sum += v;
        }
        return m.length == 0 ? 0 : sum / m.length;
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float f : v) {
            s += f;
        }
        return v.length == 0 ? 0 : s / v.length;
    }
}
