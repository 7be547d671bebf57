package io.candor.interpreter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.interop.CandorException;
import io.candor.interpreter.LocalExplanation.Contribution;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** FLINT's local explanation on a case worked by hand: 2 samples, 3 attributes, 2 classes. */
class LocalExplanationTest {
    private static final float LN3 = (float) Math.log(3);
    private static final float LN4 = (float) Math.log(4);
    private static final float LN9 = (float) Math.log(9);

    private final float[][] phi = {{0.5f, 2, 0.5f}, {2, 1, 3}};
    /** W [C=2][J=3]. */
    private final float[][] w = {{1, 0.5f, 2}, {-1, 2, 1}};
    /** g: class 0 with p 4/5 (e^ln4 / (e^ln4 + 1)), then class 1 with p 9/10. */
    private final float[][] g = {{LN4, 0}, {0, LN9}};
    /** f: class 1 with p 3/4, then class 1 with p 1 / (1 + e^-2). */
    private final float[][] f = {{0, LN3}, {1, 3}};
    private final Map<Integer, String> concepts = Map.of(2, "stripes");

    @Test
    void alphaIsPhiTimesTheHeadWeightOfGsClass() {
        List<LocalExplanation> e = LocalExplanation.explain(f, false, phi, g, w, concepts, 2);
        assertEquals(2, e.size());
        // Sample 0, g's class 0: alpha = [0.5 * 1, 2 * 0.5, 0.5 * 2] = [0.5, 1, 1].
        assertArrayEquals(new float[] {0.5f, 1, 1}, e.get(0).alpha(), 1e-6f);
        // Sample 1, g's class 1: alpha = [2 * -1, 1 * 2, 3 * 1] = [-2, 2, 3].
        assertArrayEquals(new float[] {-2, 2, 3}, e.get(1).alpha(), 1e-6f);
        assertArrayEquals(phi[1], e.get(1).phi());
    }

    @Test
    void classesAndProbabilitiesOfFAndG() {
        List<LocalExplanation> e = LocalExplanation.explain(f, false, phi, g, w, concepts, 2);
        LocalExplanation first = e.get(0);
        assertEquals(0, first.sample());
        assertEquals(1, first.fClass());
        assertEquals(0.75f, first.fProbability(), 1e-6f);
        assertEquals(0, first.gClass());
        assertEquals(0.8f, first.gProbability(), 1e-6f);
        assertFalse(first.agree());
        LocalExplanation second = e.get(1);
        assertEquals(1, second.sample());
        assertEquals(1, second.fClass());
        assertEquals(1 / (1 + Math.exp(-2)), second.fProbability(), 1e-6);
        assertEquals(0.9f, second.gProbability(), 1e-6f);
        assertTrue(second.agree());
    }

    @Test
    void probabilitiesFromASoftmaxAreTakenAsTheyAre() {
        float[][] p = {{0.3f, 0.7f}, {0.6f, 0.4f}};
        List<LocalExplanation> e = LocalExplanation.explain(p, true, phi, g, w, concepts, 1);
        assertEquals(0.7f, e.get(0).fProbability());
        assertEquals(0, e.get(1).fClass());
        assertEquals(0.6f, e.get(1).fProbability());
    }

    @Test
    void topKLargestAlphaFirstTiesToTheLowerIndexWithConceptNames() {
        List<LocalExplanation> e = LocalExplanation.explain(f, false, phi, g, w, concepts, 2);
        // Sample 0: alpha = [0.5, 1, 1]; attributes 1 and 2 tie, so 1 comes first.
        assertEquals(List.of(new Contribution(1, 1, 2, null), new Contribution(2, 1, 0.5f, "stripes")), e.get(0).top());
        // Sample 1: alpha = [-2, 2, 3]: 2, then 1; the negative one is last.
        List<Contribution> top = e.get(1).top();
        assertEquals(List.of(2, 1), top.stream().map(Contribution::attribute).toList());
        assertEquals(3, top.get(0).alpha(), 1e-6f);
        assertEquals("stripes", top.get(0).concept());
        assertEquals("stripes (attribute 2)", top.get(0).label());
        assertNull(top.get(1).concept());
        assertEquals("attribute 1", top.get(1).label());

        // K = 1 cuts inside the tie: the lower index stays.
        assertEquals(1, LocalExplanation.explain(f, false, phi, g, w, concepts, 1).get(0).top().get(0).attribute());
        assertEquals(List.of(2, 1, 0), LocalExplanation.explain(f, false, phi, g, w, Map.of(), 3).get(1).top().stream()
                .map(Contribution::attribute).toList());
    }

    @Test
    void arraysThatDoNotFitTheHeadAreRefused() {
        assertThrows(CandorException.class, () -> LocalExplanation.explain(f, false, phi, g, w, concepts, 0));
        assertThrows(CandorException.class, () -> LocalExplanation.explain(f, false, phi, g, w, concepts, 4));
        assertThrows(CandorException.class, () -> LocalExplanation.explain(f, false, new float[][] {{1, 2}}, g, w,
                concepts, 1));
        assertThrows(CandorException.class, () -> LocalExplanation.explain(new float[][] {{0, 1, 2}, {0, 1, 2}}, false,
                phi, g, w, concepts, 1));
    }
}
