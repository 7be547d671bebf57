package io.candor.attribution.cd.rules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import io.candor.attribution.cd.CdCall;
import io.candor.attribution.cd.CdRule;
import io.candor.attribution.cd.CdValue;
import io.candor.interop.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A forward LSTM by Murdoch et al.'s decomposition as ACD's {@code propagate_lstm} codes it. The input
 * sequence arrives decomposed (from the embedding lookup, or from the layer below). At each step the
 * input, forget and cell gates are linearised by the three-player rule (relevant, irrelevant, bias with
 * the bias taken first); the cell state splits as the reference does; the output gate is not
 * decomposed; the hidden state splits tanh(c) two-player. The bias x bias term of the cell update goes
 * to the relevant part at steps t with t and t+1 both relevant tokens (the reference's
 * start <= t < stop, per sample), else to the irrelevant part, which is where it always goes for a
 * decomposition not given as tokens. Candor departs from the reference at the last step of the
 * sequence: there a relevant token takes its bias term too, so that relevant tokens covering the whole
 * sentence leave nothing irrelevant (what the reference's author meant the bias rule for). Initial
 * states count as irrelevant.
 */
public final class LstmRule implements CdRule {
    @Override
    public List<CdValue> apply(CdCall call) {
        call.requireOnlyDecomposed(0);
        String direction = call.attrs().getString("direction", "forward");
        if (!direction.equals("forward")) {
            throw call.error("CD supports forward LSTMs only, got direction " + direction);
        }
        boolean batchMajor = call.attrs().getInt("layout", 0) == 1;
        CdValue x = call.input(0);
        NDArray xb = batchMajor ? x.relevant().transpose(1, 0, 2) : x.relevant();
        NDArray xt = batchMajor ? x.total().transpose(1, 0, 2) : x.total();
        long steps = xt.getShape().get(0);
        long batch = xt.getShape().get(1);
        NDArray w = call.input(1).total().get(0);
        NDArray r = call.input(2).total().get(0);
        long hidden = r.getShape().get(1);
        NDArray bias = call.input(3) == null ? call.manager().zeros(new ai.djl.ndarray.types.Shape(4 * hidden))
                : call.input(3).total().get(0).get("0:" + 4 * hidden).add(call.input(3).total().get(0).get(4 * hidden + ":"));
        NDArray rT = r.transpose();
        NDArray projB = xb.matMul(w.transpose());
        NDArray projG = xt.sub(xb).matMul(w.transpose());

        NDArray hB = call.manager().zeros(new ai.djl.ndarray.types.Shape(batch, hidden), xt.getDataType());
        NDArray hG = initial(call, 5, batch, hidden, batchMajor, hB);
        NDArray cB = hB;
        NDArray cG = initial(call, 6, batch, hidden, batchMajor, hB);
        NDArray steppedMask = call.tokenMask();
        NDList relevantH = new NDList();
        NDList totalH = new NDList();
        for (long t = 0; t < steps; t++) {
            NDArray aB = projB.get(t).add(hB.matMul(rT));
            NDArray aG = projG.get(t).add(hG.matMul(rT));
            NDArray[] i = three(gate(aB, 0, hidden), gate(aG, 0, hidden), gate(bias, 0, hidden), Activation::sigmoid);
            NDArray[] g = three(gate(aB, 3, hidden), gate(aG, 3, hidden), gate(bias, 3, hidden), NDArray::tanh);
            NDArray[] f = three(gate(aB, 2, hidden), gate(aG, 2, hidden), gate(bias, 2, hidden), Activation::sigmoid);
            NDArray newCB = i[0].mul(g[0].add(g[2])).add(i[2].mul(g[0]));
            NDArray newCG = i[1].mul(g[0].add(g[1]).add(g[2])).add(i[0].add(i[2]).mul(g[1]));
            NDArray biasTerm = i[2].mul(g[2]);
            NDArray toRelevant = biasGoesToRelevant(steppedMask, t, steps, xt);
            newCB = newCB.add(biasTerm.mul(toRelevant));
            newCG = newCG.add(biasTerm.mul(toRelevant.neg().add(1)));
            newCB = newCB.add(f[0].add(f[2]).mul(cB));
            newCG = newCG.add(f[0].add(f[1]).add(f[2]).mul(cG)).add(f[1].mul(cB));
            NDArray o = Activation.sigmoid(gate(aB, 1, hidden).add(gate(aG, 1, hidden)).add(gate(bias, 1, hidden)));
            NDArray both = newCB.add(newCG).tanh();
            NDArray tb = newCB.tanh();
            NDArray tg = newCG.tanh();
            hB = Tensors.times(o.mul(tb.add(both).sub(tg)), 0.5f);
            hG = Tensors.times(o.mul(tg.add(both).sub(tb)), 0.5f);
            cB = newCB;
            cG = newCG;
            relevantH.add(hB);
            totalH.add(hB.add(hG));
        }
        // Totals are the parts' sums (equal to the fused LSTM's outputs up to rounding), so an
        // irrelevant part that is exactly zero stays zero downstream.
        List<CdValue> out = new ArrayList<>();
        out.add(sequence(NDArrays.stack(relevantH, 0), NDArrays.stack(totalH, 0), batchMajor));
        out.add(state(hB, hB.add(hG), batchMajor));
        out.add(state(cB, cB.add(cG), batchMajor));
        return out;
    }

    /** Y as ONNX lays it out: [T, 1, N, H], or [N, T, 1, H] for layout 1. */
    private static CdValue sequence(NDArray relevant, NDArray total, boolean batchMajor) {
        NDArray r = relevant.expandDims(1);
        NDArray t = total.expandDims(1);
        return batchMajor ? CdValue.of(t.transpose(2, 0, 1, 3), r.transpose(2, 0, 1, 3)) : CdValue.of(t, r);
    }

    /** Y_h or Y_c: [1, N, H], or [N, 1, H] for layout 1. */
    private static CdValue state(NDArray relevant, NDArray total, boolean batchMajor) {
        int axis = batchMajor ? 1 : 0;
        return CdValue.of(total.expandDims(axis), relevant.expandDims(axis));
    }

    /** Gate block {@code k} in ONNX order (input, output, forget, cell) of the last axis. */
    private static NDArray gate(NDArray a, int k, long hidden) {
        return a.get("..., " + k * hidden + ":" + (k + 1) * hidden);
    }

    /**
     * The reference's three-player linearisation of f(a + b + c) with the bias c taken first:
     * {L(a), L(b), L(c)}, which add up to f(a + b + c).
     */
    static NDArray[] three(NDArray a, NDArray b, NDArray c, UnaryOperator<NDArray> f) {
        NDArray fc = f.apply(c.broadcast(a.getShape()));
        NDArray fac = f.apply(a.add(c));
        NDArray fbc = f.apply(b.add(c));
        NDArray fabc = f.apply(a.add(b).add(c));
        NDArray la = Tensors.times(fac.sub(fc).add(fabc).sub(fbc), 0.5f);
        NDArray lb = Tensors.times(fbc.sub(fc).add(fabc).sub(fac), 0.5f);
        return new NDArray[] {la, lb, fc};
    }

    /** [batch, 1]: 1 where step t is a relevant token and so is step t + 1 (or t is the last step). */
    private static NDArray biasGoesToRelevant(NDArray tokenMask, long t, long steps, NDArray like) {
        if (tokenMask == null) {
            return like.getManager().zeros(new ai.djl.ndarray.types.Shape(like.getShape().get(1), 1), like.getDataType());
        }
        NDArray here = tokenMask.get(":, " + t);
        return (t + 1 < steps ? here.mul(tokenMask.get(":, " + (t + 1))) : here).expandDims(1);
    }

    private static NDArray initial(CdCall call, int index, long batch, long hidden, boolean batchMajor, NDArray zeros) {
        CdValue s = call.input(index);
        if (s == null) {
            return zeros;
        }
        NDArray state = s.total();
        return (batchMajor ? state.get(":, 0") : state.get(0)).reshape(batch, hidden);
    }
}
