package io.candor.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.interop.CandorException;
import org.junit.jupiter.api.Test;

class LossScheduleTest {
    @Test
    void flintsMnistWarmUp() {
        LossSchedule s = LossSchedule.flintMnist();
        assertEquals(0.8f, s.weight("if", 1));
        assertEquals(0f, s.weight("of", 2));
        assertEquals(0.5f, s.weight("of", 3));
        assertEquals(0f, s.weight("cd", 4));
        assertEquals(0.2f, s.weight("cd", 5));
        assertEquals(0.1f, s.weight("l1", 3));
    }

    @Test
    void tokensHaveNothingToWarmUpFor() {
        LossSchedule s = LossSchedule.forTokens();
        assertEquals(0.5f, s.weight("of", 1));
        assertEquals(0f, s.weight("if", 5));
        assertEquals(0f, s.weight("cd", 2));
        assertEquals(0.2f, s.weight("cd", 3));
    }

    @Test
    void weightsAndWarmUpsFromTheCommandLine() {
        LossSchedule s = LossSchedule.flintMnist().with("of=1, cd=0.3@1");
        assertEquals(0f, s.weight("of", 2), "the warm-up is kept when not given");
        assertEquals(1f, s.weight("of", 3));
        assertEquals(0.3f, s.weight("cd", 2));
        assertEquals(0.8f, s.weight("if", 1), "terms not named keep their weight");
        for (String bad : new String[] {"xx=1", "of", "of=-1", "of=a", "cd=1@-2"}) {
            CandorException e = assertThrows(CandorException.class, () -> LossSchedule.flintMnist().with(bad), bad);
            assertTrue(e.getMessage().startsWith("--loss-weights"), e.getMessage());
        }
    }
}
