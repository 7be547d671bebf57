package io.candor.finetune.clarc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.interop.CandorException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Concept activation vectors on activations where the artifact's direction is known. */
class ConceptDirectionTest {
    @Test
    void signalByHand() {
        // Four samples, none held out (the fifth of every five is). t = (1, 0, 1, 0), mean t = 1/2, so
        // cov = sum_i (a_i - mean a)(t_i - 1/2) = (a0 - a1 + a2 - a3) / 2 = ((3 - 1 + 2 - 5), (2 - 2 + 2 - 9)) / 2
        // = (-1, -7) / 2, and v is its unit vector. The means: without = (a1 + a3) / 2, with = (a0 + a2) / 2.
        float[][] a = {{3, 2}, {1, 2}, {2, 2}, {5, 9}};
        ConceptDirection cav = ConceptDirection.fit(ConceptDirection.SIGNAL, a, new boolean[] {true, false, true, false});
        double nx = -1;
        double ny = -7;
        double norm = Math.hypot(nx, ny);
        assertArrayEquals(new float[] {(float) (nx / norm), (float) (ny / norm)}, cav.v(), 1e-6f);
        assertArrayEquals(new float[] {3, 5.5f}, cav.meanWithout(), 1e-6f);
        assertArrayEquals(new float[] {2.5f, 2}, cav.meanWith(), 1e-6f);
        assertTrue(Double.isNaN(cav.probeAccuracy()), "nothing held out of four samples");
    }

    @Test
    void bothMethodsFindTheDirectionTheArtifactAdds() {
        // 20-D Gaussian activations; the artifact adds 3 along u, a fixed unit vector.
        Random random = new Random(11);
        int n = 600;
        int d = 20;
        float[] u = new float[d];
        double norm = 0;
        for (int k = 0; k < d; k++) {
            u[k] = (float) random.nextGaussian();
            norm += u[k] * u[k];
        }
        for (int k = 0; k < d; k++) {
            u[k] /= (float) Math.sqrt(norm);
        }
        float[][] a = new float[n][d];
        boolean[] t = new boolean[n];
        for (int i = 0; i < n; i++) {
            t[i] = random.nextBoolean();
            for (int k = 0; k < d; k++) {
                a[i][k] = (float) random.nextGaussian() + (t[i] ? 3 * u[k] : 0);
            }
        }
        for (String method : new String[] {ConceptDirection.SIGNAL, ConceptDirection.SVM}) {
            ConceptDirection cav = ConceptDirection.fit(method, a, t);
            assertEquals(1, ConceptDirection.dot(cav.v(), cav.v()), 1e-5, method + ": a unit vector");
            assertTrue(ConceptDirection.dot(cav.v(), u) > 0.95, method + ": close to u, cosine " + ConceptDirection.dot(cav.v(), u));
            assertTrue(cav.separation() > 2.5, method + ": it points towards the artifact: " + cav.separation());
            assertTrue(cav.probeAccuracy() > 0.85, method + ": the held-out fifth is told apart: " + cav.probeAccuracy());
        }
    }

    @Test
    void refusesTooFewSamplesOfAGroupAndUnknownMethods() {
        float[][] a = {{1}, {2}, {3}};
        assertThrows(CandorException.class, () -> ConceptDirection.fit("signal", a, new boolean[] {true, false, false}));
        assertThrows(CandorException.class, () -> ConceptDirection.fit("magic", new float[][] {{1}, {2}, {3}, {4}},
                new boolean[] {true, true, false, false}));
        assertThrows(CandorException.class, () -> ConceptDirection.fit("signal", a, new boolean[] {true}));
    }
}
