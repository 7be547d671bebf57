package io.candor.interop.exec;

import io.candor.interop.exec.ops.Activations;
import io.candor.interop.exec.ops.Arithmetic;
import io.candor.interop.exec.ops.AveragePool;
import io.candor.interop.exec.ops.BatchNormalization;
import io.candor.interop.exec.ops.Cast;
import io.candor.interop.exec.ops.Concat;
import io.candor.interop.exec.ops.ConstantOfShape;
import io.candor.interop.exec.ops.Conv;
import io.candor.interop.exec.ops.ConvTranspose;
import io.candor.interop.exec.ops.Dropout;
import io.candor.interop.exec.ops.Flatten;
import io.candor.interop.exec.ops.Gather;
import io.candor.interop.exec.ops.Gemm;
import io.candor.interop.exec.ops.GlobalAveragePool;
import io.candor.interop.exec.ops.Lstm;
import io.candor.interop.exec.ops.MatMul;
import io.candor.interop.exec.ops.MaxPool;
import io.candor.interop.exec.ops.Pad;
import io.candor.interop.exec.ops.Reshape;
import io.candor.interop.exec.ops.ShapeOp;
import io.candor.interop.exec.ops.Slice;
import io.candor.interop.exec.ops.Softmax;
import io.candor.interop.exec.ops.Squeeze;
import io.candor.interop.exec.ops.Transpose;
import io.candor.interop.exec.ops.Unsqueeze;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The registry of plain (tensor) kernels by ONNX op type: the set of ops Candor can run. Constant is
 * not here because the executor folds Constant nodes into weights when it loads a model.
 */
public final class OpKernels {
    private static final Map<String, OpKernel> STANDARD = build();

    private OpKernels() {
    }

    public static Map<String, OpKernel> standard() {
        return STANDARD;
    }

    private static Map<String, OpKernel> build() {
        Map<String, OpKernel> k = new TreeMap<>();
        k.put("Add", Arithmetic.add());
        k.put("Sub", Arithmetic.sub());
        k.put("Mul", Arithmetic.mul());
        k.put("Div", Arithmetic.div());
        k.put("Relu", Activations.relu());
        k.put("LeakyRelu", Activations.leakyRelu());
        k.put("Sigmoid", Activations.sigmoid());
        k.put("Tanh", Activations.tanh());
        k.put("Identity", Activations.identity());
        k.put("Softmax", Softmax.softmax());
        k.put("LogSoftmax", Softmax.logSoftmax());
        k.put("Conv", new Conv());
        k.put("ConvTranspose", new ConvTranspose());
        k.put("Gemm", new Gemm());
        k.put("MatMul", new MatMul());
        k.put("MaxPool", new MaxPool());
        k.put("AveragePool", new AveragePool());
        k.put("GlobalAveragePool", new GlobalAveragePool());
        k.put("BatchNormalization", new BatchNormalization());
        k.put("Dropout", new Dropout());
        k.put("Flatten", new Flatten());
        k.put("Reshape", new Reshape());
        k.put("Transpose", new Transpose());
        k.put("Slice", new Slice());
        k.put("Squeeze", new Squeeze());
        k.put("Unsqueeze", new Unsqueeze());
        k.put("Concat", new Concat());
        k.put("Shape", new ShapeOp());
        k.put("Gather", new Gather());
        k.put("ConstantOfShape", new ConstantOfShape());
        k.put("Cast", new Cast());
        k.put("Pad", new Pad());
        k.put("LSTM", new Lstm());
        return Collections.unmodifiableMap(k);
    }
}
