package io.candor.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The linear head fitted on fixed attributes: its objective by hand, its gradient, and what it recovers. */
class HeadFitTest {
    @Test
    void objectiveAtZeroIsLogClassesAndItsGradientIsTheMeanResidual() {
        float[][] phi = {{1, 2}, {3, -1}};
        float[][] p = {{1, 0, 0}, {0.5f, 0.5f, 0}};
        float[] gw = new float[6];
        float[] gb = new float[3];
        double loss = new HeadFit(1, 0.1f, 0.5f).gradient(phi, p, new float[6], new float[3], gw, gb);
        // g = 0: q = 1/3 everywhere, cross-entropy = ln 3 whatever p is; |W| = 0.
        assertEquals(Math.log(3), loss, 1e-6);
        // d/db_c = mean_n (1/3 - p_nc): class 0 (1/3 - 1 + 1/3 - 1/2) / 2 = -5/12.
        assertEquals(-5.0 / 12, gb[0], 1e-6);
        assertEquals((1.0 / 3 + 1.0 / 3 - 0.5) / 2, gb[1], 1e-6);
        // d/dW_{0,0} = mean_n (1/3 - p_n0) phi_n0 = ((-2/3) 1 + (-1/6) 3) / 2 = -7/12; sign(0) = 0 adds nothing.
        assertEquals(-7.0 / 12, gw[0], 1e-6);
    }

    @Test
    void gradientMatchesCentralDifferences() {
        Random random = new Random(3);
        float[][] phi = new float[5][4];
        float[][] logits = new float[5][3];
        for (int n = 0; n < 5; n++) {
            for (int j = 0; j < 4; j++) {
                phi[n][j] = (float) random.nextGaussian();
            }
            for (int c = 0; c < 3; c++) {
                logits[n][c] = (float) random.nextGaussian();
            }
        }
        float[][] p = HeadFit.softmax(logits);
        float[] w = new float[12];
        float[] b = new float[3];
        for (int k = 0; k < w.length; k++) {
            w[k] = (float) random.nextGaussian(); // away from 0, where |w| has no derivative
        }
        HeadFit fit = new HeadFit(1, 0.1f, 0.01f);
        float[] gw = new float[12];
        float[] gb = new float[3];
        fit.gradient(phi, p, w, b, gw, gb);
        float h = 1e-3f;
        for (int k = 0; k < w.length; k++) {
            float keep = w[k];
            w[k] = keep + h;
            double up = fit.gradient(phi, p, w, b, new float[12], new float[3]);
            w[k] = keep - h;
            double down = fit.gradient(phi, p, w, b, new float[12], new float[3]);
            w[k] = keep;
            assertEquals((up - down) / (2 * h), gw[k], 2e-3, "dW " + k);
        }
    }

    @Test
    void recoversWhichAttributesAModelUsesAndZeroesTheOthers() {
        // The model's logits use attribute 0 (for class 0 against class 1) and attribute 1 (class 2); attribute 2
        // is noise it ignores.
        Random random = new Random(7);
        int n = 400;
        float[][] phi = new float[n][3];
        float[][] logits = new float[n][3];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                phi[i][j] = (float) random.nextGaussian();
            }
            logits[i] = new float[] {3 * phi[i][0], -3 * phi[i][0], 3 * phi[i][1]};
        }
        HeadFit.Head head = HeadFit.standard().fit(phi, HeadFit.softmax(logits));
        assertTrue(FlintMetrics.fidelity(logits, head.logits(phi)) > 0.97, "the head mimics the model");
        assertTrue(head.weight()[0][0] - head.weight()[1][0] > 3, "attribute 0 separates class 0 from 1");
        assertTrue(head.weight()[2][1] - head.weight()[0][1] > 1.5, "attribute 1 raises class 2");
        for (int c = 0; c < 3; c++) {
            assertEquals(0, head.weight()[c][2], 0.05, "the ignored attribute, class " + c);
        }
    }

    @Test
    void refusesMismatchedRowsAndBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> HeadFit.standard().fit(new float[2][1], new float[3][2]));
        assertThrows(IllegalArgumentException.class, () -> new HeadFit(0, 0.1f, 0));
        assertThrows(IllegalArgumentException.class, () -> new HeadFit(10, 0.1f, -1));
    }
}
