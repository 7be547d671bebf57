package io.candor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.OnnxModel;
import io.candor.interop.onnx.OnnxReader;
import io.candor.models.arch.LstmText;
import io.candor.models.arch.MnistCnn;
import io.candor.models.arch.LesionCnn;
import io.candor.models.arch.ResNetSmall;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code candor train}: trains a model from scratch on a dataset folder. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains a network on a dataset folder and writes it as ONNX.", "",
            "Writes MODEL.onnx (the best epoch's weights by validation loss), MODEL.metrics.json (loss and",
            "accuracy per epoch) and MODEL.checkpoint.zip after every epoch (the model with its current weights,",
            "the optimizer's moments, the best epoch's weights, the patience count and the metrics: all that",
            "--resume needs to continue exactly as if the run had never stopped), and MODEL.report.html (the",
            "curves per epoch: loss, accuracy, penalty and bias score, with the command)."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--arch", paramLabel = "mnist-cnn|color-cnn|resnet-small|lesion-cnn|lstm-text",
            description = {"A built-in architecture, initialised as PyTorch does (default mnist-cnn). resnet-small: a",
                "ResNet without BatchNorm on 1 x 28 x 28 images (convolutions initialised as torchvision's ResNet):",
                "a 3x3 stem, stage1 [16,28,28], then one basic block each for stage2 [32,14,14] and stage3",
                "[64,7,7], FLINT's two taps. lesion-cnn: three Conv-ReLU-MaxPool blocks and two FC layers on the",
                "3 x S x S images of patch-lesions (S from meta.json). lstm-text: embedding 32, one LSTM layer of",
                "64, sized from the dataset's meta.json (vocabulary, length)."})
    String arch = "mnist-cnn";

    @Option(names = "--init", paramLabel = "MODEL.onnx", description = "Start from this model instead of --arch.")
    Path init;

    @Option(names = "--cut", paramLabel = "TENSOR", description = "Train only the weights after this tensor; the rest stays frozen.")
    String cut;

    @Option(names = "--interpreter", paramLabel = "taps=T[,T2],attributes=J",
            description = {"FLINT by design: train the model and an attribute dictionary on the taps together (the",
                "cross-entropy plus FLINT's losses, every weight trained, Adam at --lr). Writes MODEL.onnx and, in",
                "MODEL.interpreter/, what candor interpret writes (report.html too). For dataset folders; not with --penalty,",
                "--cut or --resume, and without checkpoints."})
    String interpreter;

    @Mixin
    TrainingRun run;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        run.check(spec);
        OptionChecks.of(spec).onlyWhen("--arch", init == null && !run.resume,
                "training from scratch (not with --init or --resume)");
        if (interpreter != null) {
            OptionChecks.of(spec).require(run.penalty.equals("none") && cut == null && !run.resume,
                    "--interpreter trains the whole model with its interpreter: leave out --penalty, --cut and --resume");
            JointTrainingRun.Spec parsed;
            try {
                parsed = JointTrainingRun.Spec.parse(interpreter);
            } catch (CandorException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            try {
                io.candor.interop.exec.Engines.useDevice(run.device);
                return new JointTrainingRun(run, parsed, CommandText.of(spec)).run(spec.commandLine().getOut(),
                        init != null ? OnnxReader.read(init) : architecture(arch, run.seed, run.data));
            } catch (IOException e) {
                throw new CandorException(e.getMessage(), e);
            }
        }
        return run.run(spec, () -> {
            try {
                return init != null ? OnnxReader.read(init) : architecture(arch, run.seed, run.data);
            } catch (IOException e) {
                throw new CandorException("cannot read " + run.data.resolve("meta.json") + ": " + e.getMessage(), e);
            }
        }, cut);
    }

    static OnnxModel architecture(String name, long seed, Path data) throws java.io.IOException {
        switch (name) {
            case "mnist-cnn":
                return OnnxReader.fromProto(MnistCnn.build(seed), null);
            case "color-cnn":
                return OnnxReader.fromProto(MnistCnn.buildColor(seed), null);
            case "resnet-small":
                return OnnxReader.fromProto(ResNetSmall.build(seed), null);
            case "lesion-cnn": {
                var meta = new ObjectMapper().readTree(data.resolve("meta.json").toFile());
                if (!meta.has("size")) {
                    throw new CandorException(data.resolve("meta.json") + " gives no image size for lesion-cnn: make the data"
                            + " with 'candor data make patch-lesions'");
                }
                return OnnxReader.fromProto(LesionCnn.build(meta.get("size").asInt(), seed), null);
            }
            case "lstm-text":
                var meta = new ObjectMapper().readTree(data.resolve("meta.json").toFile());
                if (!meta.has("vocabulary") || !meta.has("length")) {
                    throw new CandorException(data.resolve("meta.json") + " gives no vocabulary and length for lstm-text");
                }
                return OnnxReader.fromProto(LstmText.build(meta.get("vocabulary").size(), 32, 64, 1,
                        meta.get("classes").size(), meta.get("length").asInt(), seed), null);
            default:
                throw new CandorException("unknown --arch '" + name + "'; available: mnist-cnn, color-cnn, resnet-small, lesion-cnn, lstm-text (or give --init MODEL.onnx)");
        }
    }

    static Path sibling(Path model, String suffix) {
        String name = model.getFileName().toString();
        String stem = name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
        return model.resolveSibling(stem + suffix);
    }
}
