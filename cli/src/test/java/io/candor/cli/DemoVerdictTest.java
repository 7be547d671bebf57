package io.candor.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DemoVerdictTest {
    @Test
    void aRepairBeatsBothTheBiasedModelAndThePlainFineTuning() {
        String v = DemoVerdict.of("test, lying patches", 0.684, 0.694, 0.801, 0.111, 0.030, null);
        assertTrue(v.startsWith("CDEP repaired part of the bias: on test, lying patches the repaired model is 11.7 points"
                + " above the biased model and 10.7 above"), v);
        assertTrue(v.contains("went from 11.1% to 3.0%"), v);
    }

    @Test
    void aFallingShareWithoutHigherAccuracyIsNoRepair() {
        String v = DemoVerdict.of("test (no decoy words)", 0.538, 0.554, 0.550, 0.60, 0.16, null);
        assertTrue(v.startsWith("CDEP did not repair the bias here: on test (no decoy words) the repaired model is +1.2"
                + " points from the biased model and -0.4 from the same fine-tuning"), v);
        assertTrue(v.contains("although its CD share of the spurious feature went from 60.0% to 16.0%"), v);
    }

    @Test
    void higherCleanAccuracyIsNoRepairWhileTheFeatureStillDecidesWhereItIsRandom() {
        // demo --text: clean accuracy up 5.4 points, but with the decoy words at random nothing changed.
        String v = DemoVerdict.of("test (no decoy words)", 0.538, 0.544, 0.592, 0.604, 0.161,
                new DemoVerdict.Reliance("decoy words at random", 0.484, 0.484));
        assertTrue(v.startsWith("CDEP did not repair the bias here: on test (no decoy words) the repaired model is +5.4"), v);
        assertTrue(v.contains("Where the spurious feature is at random (decoy words at random) the repaired model is right"
                + " on 48.4%, the biased one on 48.4%: the feature still decides when present."), v);
        String repaired = DemoVerdict.of("test (no decoy words)", 0.538, 0.544, 0.850, 0.604, 0.161,
                new DemoVerdict.Reliance("decoy words at random", 0.484, 0.800));
        assertTrue(repaired.startsWith("CDEP repaired part of the bias"), repaired);
    }
}
