package io.candor.interop.numerics;

import io.candor.interop.CandorException;
import io.candor.interop.exec.ops.Convolutions;
import java.util.List;

/**
 * The once-per-process check that this machine computes Candor's convolution right, run before the
 * executor's first convolution. It guards against CPUs whose libtorch kernels compute wrong numbers
 * (see {@link Convolutions}): a wrong number must stop the run, never reach a user's attribution.
 */
public final class SelfCheck {
    private static volatile boolean convolutionsPassed;
    private static volatile List<CheckResult> libtorchFailures;

    private SelfCheck() {
    }

    /** Returns at once after the first success; throws, saying what to do, while the check fails. */
    public static void ensureConvolutionsCorrect() {
        if (convolutionsPassed) {
            return;
        }
        synchronized (SelfCheck.class) {
            if (convolutionsPassed) {
                return;
            }
            List<CheckResult> failed = ConvolutionCheck.run(ConvolutionCheck.CANDOR,
                            ConvolutionCheck.STANDARD.subList(0, ConvolutionCheck.QUICK))
                    .stream().filter(r -> !r.passed()).toList();
            if (!failed.isEmpty()) {
                throw new CandorException(failureMessage(failed));
            }
            convolutionsPassed = true;
        }
    }

    /**
     * Fails when this machine computes libtorch's own convolution wrong, which a TorchScript model runs
     * as it is (Candor cannot pad inside it). Checked once per process.
     */
    public static void ensureLibtorchConvolutionsCorrect(String what) {
        List<CheckResult> failed = libtorchFailures;
        if (failed == null) {
            synchronized (SelfCheck.class) {
                if (libtorchFailures == null) {
                    libtorchFailures = ConvolutionCheck.run(ConvolutionCheck.LIBTORCH, ConvolutionCheck.STANDARD).stream()
                            .filter(r -> !r.passed()).toList();
                }
                failed = libtorchFailures;
            }
        }
        if (!failed.isEmpty()) {
            throw new CandorException("this machine computes libtorch's own convolution wrong (" + failed.get(0)
                    + "), and " + what + " runs it as it is, so its results would be wrong. Export the model"
                    + " to ONNX (torch.onnx.export) and give Candor the .onnx file: Candor runs ONNX models"
                    + " correctly here. 'candor doctor' shows the details");
        }
    }

    static String failureMessage(List<CheckResult> failed) {
        return "this machine computes convolutions wrong through libtorch (" + failed.get(0)
                + (failed.size() > 1 ? ", and " + (failed.size() - 1) + " more" : "")
                + "), so Candor stops rather than give wrong numbers. Run 'candor doctor' to see which"
                + " kernels fail; setting ONEDNN_MAX_CPU_ISA=SSE41 in the environment often avoids the faulty"
                + " kernels, at a cost in speed";
    }
}
