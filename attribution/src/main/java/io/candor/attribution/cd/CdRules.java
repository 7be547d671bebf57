package io.candor.attribution.cd;

import io.candor.attribution.cd.rules.AddRule;
import io.candor.attribution.cd.rules.BatchNormRule;
import io.candor.attribution.cd.rules.LinearRule;
import io.candor.attribution.cd.rules.MaxPoolRule;
import io.candor.attribution.cd.rules.PadRule;
import io.candor.attribution.cd.rules.PerPartRule;
import io.candor.attribution.cd.rules.ReluRule;
import io.candor.attribution.cd.rules.ScaleRule;
import io.candor.attribution.cd.rules.ShapeRule;
import io.candor.attribution.cd.rules.SquashRule;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** The CD rule of each supported op type. Softmax has none on purpose: CD explains logits. */
public final class CdRules {
    private static final Map<String, CdRule> STANDARD = build();

    private CdRules() {
    }

    public static Map<String, CdRule> standard() {
        return STANDARD;
    }

    private static Map<String, CdRule> build() {
        Map<String, CdRule> r = new TreeMap<>();
        r.put("Conv", LinearRule.conv());
        r.put("Gemm", LinearRule.gemm());
        r.put("MatMul", LinearRule.matMul());
        r.put("BatchNormalization", new BatchNormRule());
        r.put("Relu", new ReluRule());
        r.put("LeakyRelu", new ReluRule());
        r.put("MaxPool", new MaxPoolRule());
        r.put("Add", AddRule.add());
        r.put("Sub", AddRule.sub());
        r.put("Mul", new ScaleRule());
        r.put("Div", new ScaleRule());
        r.put("Sigmoid", new SquashRule());
        r.put("Tanh", new SquashRule());
        r.put("Pad", new PadRule());
        r.put("Shape", new ShapeRule());
        r.put("LSTM", new io.candor.attribution.cd.rules.LstmRule());
        r.put("Dropout", new io.candor.attribution.cd.rules.DropoutRule());
        PerPartRule perPart = new PerPartRule();
        for (String op : new String[] {"AveragePool", "GlobalAveragePool", "Flatten", "Reshape", "Transpose",
            "Slice", "Squeeze", "Unsqueeze", "Concat", "Gather", "Identity", "Cast"}) {
            r.put(op, perPart);
        }
        return Collections.unmodifiableMap(r);
    }
}
