package io.candor.finetune.clarc;

import de.bwaldvogel.liblinear.Feature;
import de.bwaldvogel.liblinear.FeatureNode;
import de.bwaldvogel.liblinear.Linear;
import de.bwaldvogel.liblinear.Model;
import de.bwaldvogel.liblinear.Parameter;
import de.bwaldvogel.liblinear.Problem;
import de.bwaldvogel.liblinear.SolverType;
import io.candor.interop.CandorException;

/**
 * A concept activation vector (CAV): the unit direction v in a hidden tensor's activations along which
 * samples with an artifact differ from samples without it, with both groups' mean activations. ClArC
 * (Anders et al. 2022; Pahde et al. 2023) projects the artifact out along v.
 *
 * <p>Two ways to find v, fitted on four samples in five and measured on the fifth:
 * <ul>
 *   <li>{@code signal}: the covariance of the activations with the artifact label, sum_n (a_n - mean a)
 *       (t_n - mean t), normalised (Pahde et al.'s "pattern" CAV). Closed form; it points where the
 *       artifact moves the activations, not where a classifier would best separate them;</li>
 *   <li>{@code svm}: the weight of a linear SVM (L2-regularised, L2 loss) on the centred activations,
 *       from LIBLINEAR's Java port.</li>
 * </ul>
 *
 * @param v the unit direction, [D]
 * @param meanWithout the mean activation of the samples without the artifact, [D]
 * @param meanWith the mean activation of the samples with it, [D]
 * @param probeAccuracy how often v . a, thresholded halfway between the two groups' means, tells the
 *     held-out fifth's samples apart
 */
public record ConceptDirection(String method, float[] v, float[] meanWithout, float[] meanWith, double probeAccuracy) {
    public static final String SIGNAL = "signal";
    public static final String SVM = "svm";
    private static final int HELD_OUT = 5;

    /** Finds v by {@code method} from activations [N][D] and which samples carry the artifact. */
    public static ConceptDirection fit(String method, float[][] activations, boolean[] artifact) {
        int n = activations.length;
        if (n != artifact.length || n == 0) {
            throw new CandorException("need one artifact label per sample: " + n + " activations, " + artifact.length + " labels");
        }
        int with = 0;
        for (boolean a : artifact) {
            with += a ? 1 : 0;
        }
        if (with < 2 || n - with < 2) {
            throw new CandorException("a concept direction needs at least two samples with the artifact and two without; got "
                    + with + " with and " + (n - with) + " without");
        }
        boolean[] heldOut = new boolean[n];
        for (int i = 0; i < n; i++) {
            heldOut[i] = i % HELD_OUT == HELD_OUT - 1;
        }
        float[] v = switch (method) {
            case SIGNAL -> signal(activations, artifact, heldOut);
            case SVM -> svm(activations, artifact, heldOut);
            default -> throw new CandorException("unknown CAV method '" + method + "'; use signal or svm");
        };
        float[] without = mean(activations, artifact, false, null);
        float[] withArtifact = mean(activations, artifact, true, null);
        return new ConceptDirection(method, v, without, withArtifact, accuracy(v, without, withArtifact, activations, artifact,
                heldOut));
    }

    /** v . (withArtifact - without): how far apart the two groups' means lie along v. */
    public double separation() {
        return dot(v, meanWith) - dot(v, meanWithout);
    }

    private static float[] signal(float[][] a, boolean[] t, boolean[] heldOut) {
        int d = a[0].length;
        double tMean = 0;
        int used = 0;
        for (int i = 0; i < a.length; i++) {
            if (!heldOut[i]) {
                tMean += t[i] ? 1 : 0;
                used++;
            }
        }
        tMean /= used;
        float[] aMean = mean(a, null, false, heldOut);
        double[] cov = new double[d];
        for (int i = 0; i < a.length; i++) {
            if (!heldOut[i]) {
                double dt = (t[i] ? 1 : 0) - tMean;
                for (int k = 0; k < d; k++) {
                    cov[k] += (a[i][k] - aMean[k]) * dt;
                }
            }
        }
        return unit(cov);
    }

    private static float[] svm(float[][] a, boolean[] t, boolean[] heldOut) {
        int d = a[0].length;
        float[] centre = mean(a, null, false, heldOut);
        int used = 0;
        for (boolean h : heldOut) {
            used += h ? 0 : 1;
        }
        Problem problem = new Problem();
        problem.l = used;
        problem.n = d;
        problem.bias = -1;
        problem.x = new Feature[used][];
        problem.y = new double[used];
        int row = 0;
        for (int i = 0; i < a.length; i++) {
            if (heldOut[i]) {
                continue;
            }
            Feature[] features = new Feature[d];
            for (int k = 0; k < d; k++) {
                features[k] = new FeatureNode(k + 1, a[i][k] - centre[k]);
            }
            problem.x[row] = features;
            problem.y[row++] = t[i] ? 1 : 0;
        }
        Linear.disableDebugOutput();
        Model model = Linear.train(problem, new Parameter(SolverType.L2R_L2LOSS_SVC_DUAL, 1.0, 0.01));
        double[] w = model.getFeatureWeights();
        // LIBLINEAR's weights score its first label; make them point towards the artifact.
        double sign = model.getLabels()[0] == 1 ? 1 : -1;
        double[] direction = new double[d];
        for (int k = 0; k < d; k++) {
            direction[k] = sign * w[k];
        }
        return unit(direction);
    }

    private static double accuracy(float[] v, float[] without, float[] with, float[][] a, boolean[] t, boolean[] heldOut) {
        double threshold = (dot(v, without) + dot(v, with)) / 2;
        int right = 0;
        int seen = 0;
        for (int i = 0; i < a.length; i++) {
            if (heldOut[i]) {
                right += (dot(v, a[i]) > threshold) == t[i] ? 1 : 0;
                seen++;
            }
        }
        return seen == 0 ? Double.NaN : right / (double) seen;
    }

    /** The mean of the rows whose label is {@code which} (all rows if labels is null), skipping held-out rows if given. */
    private static float[] mean(float[][] a, boolean[] labels, boolean which, boolean[] skip) {
        double[] sum = new double[a[0].length];
        int count = 0;
        for (int i = 0; i < a.length; i++) {
            if ((labels == null || labels[i] == which) && (skip == null || !skip[i])) {
                for (int k = 0; k < sum.length; k++) {
                    sum[k] += a[i][k];
                }
                count++;
            }
        }
        float[] m = new float[sum.length];
        for (int k = 0; k < m.length; k++) {
            m[k] = (float) (sum[k] / count);
        }
        return m;
    }

    private static float[] unit(double[] direction) {
        double norm = 0;
        for (double x : direction) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        if (!(norm > 0)) {
            throw new CandorException("the activations do not differ between samples with and without the artifact: no direction");
        }
        float[] v = new float[direction.length];
        for (int k = 0; k < v.length; k++) {
            v[k] = (float) (direction[k] / norm);
        }
        return v;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * (double) b[k];
        }
        return s;
    }
}
