package io.candor.attribution;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import io.candor.interop.CandorException;
import io.candor.interop.numerics.SelfCheck;
import io.candor.interop.exec.Engines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A TorchScript module (a {@code .pt} file from {@code torch.jit.trace} or {@code torch.jit.script})
 * loaded through DJL: its first output as logits, and input gradients by autograd. Methods that need the
 * graph's structure (CD, DeepLIFT, Grad-CAM) need the ONNX export instead.
 */
public final class TorchScriptModel implements DifferentiableModel, AutoCloseable {
    private final Model model;
    private final Path file;

    private TorchScriptModel(Model model, Path file) {
        this.model = model;
        this.file = file;
    }

    public static TorchScriptModel load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CandorException("model file " + file + " does not exist");
        }
        SelfCheck.ensureLibtorchConvolutionsCorrect("a TorchScript model");
        Model model = Model.newInstance(file.getFileName().toString(), Engines.defaultDevice(), Engines.pytorch().getEngineName());
        try {
            // Loaded for training: otherwise the weights are inference tensors, which autograd refuses.
            model.load(file, null, java.util.Map.of("trainParam", "true"));
            if (!(model.getBlock() instanceof PtSymbolBlock)) {
                throw new CandorException(file + " did not load as a TorchScript module");
            }
            model.getBlock().freezeParameters(true);
            JniUtils.enableInferenceMode((PtSymbolBlock) model.getBlock());
            return new TorchScriptModel(model, file);
        } catch (IOException | MalformedModelException | EngineException e) {
            model.close();
            throw new CandorException(file + " is not a TorchScript module DJL can load: " + firstLine(e.getMessage()), e);
        }
    }

    @Override
    public NDArray logits(NDManager batch, NDArray input) {
        NDArray out = forward(batch, input);
        if (out.getShape().dimension() != 2) {
            throw new CandorException(file + " returned shape " + out.getShape() + "; logits must be [batch, classes]");
        }
        return out;
    }

    @Override
    public NDArray inputGradient(NDManager batch, NDArray input, NDArray seed) {
        NDArray leaf = input.stopGradient();
        leaf.attach(batch);
        leaf.setRequiresGradient(true);
        try (GradientCollector collector = Engines.pytorch().newGradientCollector()) {
            collector.backward(forward(batch, leaf).mul(seed).sum());
        }
        NDArray grad = leaf.getGradient().duplicate();
        grad.attach(batch);
        return grad;
    }

    private NDArray forward(NDManager batch, NDArray input) {
        try {
            // DJL's Block.forward switches autograd off outside training, and training would also put the
            // module in train mode (dropout, batch statistics); this keeps eval mode with autograd on.
            NDList out = IValueUtils.forward((PtSymbolBlock) model.getBlock(), new NDList(input), true);
            NDArray first = out.head();
            first.attach(batch);
            return first;
        } catch (EngineException e) {
            throw new CandorException(file + " failed on an input of shape " + input.getShape() + ": "
                    + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    @Override
    public void close() {
        model.close();
    }
}
