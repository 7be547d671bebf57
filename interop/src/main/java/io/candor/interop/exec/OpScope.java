package io.candor.interop.exec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs one op's work in a sub-manager of the batch's, so that its temporaries are freed when it
 * finishes. PyTorch puts a result in its first operand's manager, which for a weight would be the
 * executor's, kept for good; so the operands are borrowed into the scope (they return to their own
 * managers when it closes), and the results that are new are moved to the batch's manager.
 */
public final class OpScope {
    private OpScope() {
    }

    /**
     * @param operands the arrays the work reads
     * @param work the work, given the scope
     * @param results the arrays of its result to keep
     */
    public static <T> T run(NDManager batch, Collection<NDArray> operands, Function<NDManager, T> work,
            Function<T, Collection<NDArray>> results) {
        Set<NDArray> borrowed = Collections.newSetFromMap(new IdentityHashMap<>());
        operands.stream().filter(java.util.Objects::nonNull).forEach(borrowed::add);
        try (NDManager scope = batch.newSubManager()) {
            borrowed.forEach(a -> a.tempAttach(scope));
            T result = work.apply(scope);
            for (NDArray a : results.apply(result)) {
                if (!borrowed.contains(a)) {
                    a.attach(batch);
                }
            }
            return result;
        }
    }
}
