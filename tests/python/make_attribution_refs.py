#!/usr/bin/env python3
"""Reference attributions computed by PyTorch for two fixtures, for Candor's attribution tests.

Rebuilds the fixture models of make_fixtures.py (same seeds, so the same weights as the committed
model.onnx files) and writes, next to them, in <fixture>/attributions/:
  saliency.npy, input_x_gradient.npy, ig_trapezoid16.npy   plain autograd, zero baseline
  gradcam.npy                                              Grad-CAM at refs.json's layer
  deeplift.npy                                             Rescale via a custom autograd function
  cd_mask.npy, cd_relevant.npy, cd_irrelevant.npy          a torch transcription of the CD equations
for mnist_cnn_modules_opset17 (with the network also saved as TorchScript, model.pt), and for lstm1_opset17 the LSTM CD of a token span. The CD code follows
ACD's cd_propagate.py as methods.md describes it, written independently of Candor's Java rules.
Run: /usr/bin/python3 tests/python/make_attribution_refs.py --fixtures tests/fixtures
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import make_fixtures as mf  # noqa: E402

EPS = 1e-20


def rebuild(name):
    """The fixture's model with the weights make_fixtures.py gave it."""
    for family, make_model, make_input, opsets, options in mf.families():
        if family == name:
            mf.seed_all(1000 + sum(map(ord, family)))
            model = make_model()
            mf.randomise_batchnorm(model)
            return model.eval()
    raise KeyError(name)


def target_gradient(model, x, targets):
    x = x.clone().requires_grad_(True)
    model(x).gather(1, targets[:, None]).sum().backward()
    return x.grad.detach()


def integrated_gradients(model, x, targets, steps):
    total = torch.zeros_like(x)
    for k in range(steps):
        alpha = k / (steps - 1)
        weight = (0.5 if k in (0, steps - 1) else 1.0) / (steps - 1)
        total += weight * target_gradient(model, alpha * x, targets)
    return total * x


def grad_cam(model, layer, x, targets):
    store = {}
    handle = layer.register_forward_hook(lambda m, i, o: store.__setitem__('a', o))
    logits = model(x)
    handle.remove()
    a = store['a']
    grad, = torch.autograd.grad(logits.gather(1, targets[:, None]).sum(), a)
    weights = grad.mean(dim=(2, 3), keepdim=True)
    return F.relu((weights * a).sum(dim=1, keepdim=True)).detach()


class RescaleRelu(torch.autograd.Function):
    """ReLU whose backward passes DeepLIFT's Rescale multiplier instead of the gradient."""

    @staticmethod
    def forward(ctx, x, x0):
        y, y0 = F.relu(x), F.relu(x0)
        dx = x - x0
        small = dx.abs() < 1e-7
        ctx.save_for_backward(torch.where(small, (x0 > 0).float(), (y - y0) / torch.where(small, torch.ones_like(dx), dx)))
        return y

    @staticmethod
    def backward(ctx, grad):
        m, = ctx.saved_tensors
        return grad * m, None


def mnist_deeplift(model, x, targets):
    """The MNIST net written out with Rescale ReLUs, evaluated at x and at the zero reference."""
    f, c = model.features, model.classifier

    def run(v, ref):
        h, h0 = f[0](v), f[0](ref)
        h, h0 = RescaleRelu.apply(h, h0), F.relu(h0)
        h, h0 = f[2](h), f[2](h0)
        h, h0 = f[3](h), f[3](h0)
        h, h0 = RescaleRelu.apply(h, h0), F.relu(h0)
        h, h0 = f[5](h), f[5](h0)
        h, h0 = c[1](torch.flatten(h, 1)), c[1](torch.flatten(h0, 1))
        h, h0 = RescaleRelu.apply(h, h0), F.relu(h0)
        return c[3](h)

    x = x.clone().requires_grad_(True)
    run(x, torch.zeros_like(x)).gather(1, targets[:, None]).sum().backward()
    return (x.grad * x).detach()


def split_bias(r, s, b):
    """ACD: the bias shared by |contribution| with 1e-20 added to each magnitude."""
    share = (r.abs() + EPS) / (r.abs() + s.abs() + 2 * EPS)
    return r + share * b, s + (1 - share) * b


def cd_linear(layer, rel, irr):
    b = layer(torch.zeros_like(rel[:1]))
    return split_bias(layer(rel) - b, layer(irr) - b, b)


def cd_relu(rel, irr):
    r = F.relu(rel)
    return r, F.relu(rel + irr) - r


def cd_maxpool(pool, rel, irr):
    _, idx = F.max_pool2d(rel + irr, pool.kernel_size, pool.stride, return_indices=True)
    pick = lambda t: t.flatten(2).gather(2, idx.flatten(2)).view_as(idx)
    return pick(rel), pick(irr)


def mnist_cd(model, x, mask):
    f, c = model.features, model.classifier
    rel, irr = x * mask, x * (1 - mask)
    rel, irr = cd_linear(f[0], rel, irr)
    rel, irr = cd_relu(rel, irr)
    rel, irr = cd_maxpool(f[2], rel, irr)
    rel, irr = cd_linear(f[3], rel, irr)
    rel, irr = cd_relu(rel, irr)
    rel, irr = cd_maxpool(f[5], rel, irr)
    rel, irr = torch.flatten(rel, 1), torch.flatten(irr, 1)
    rel, irr = cd_linear(c[1], rel, irr)
    rel, irr = cd_relu(rel, irr)
    return cd_linear(c[3], rel, irr)


def three(a, b, c, f):
    """propagate_three: the bias c first, then a 2-player Shapley split of a and b."""
    la = 0.5 * (f(a + c) - f(c) + f(a + b + c) - f(b + c))
    lb = 0.5 * (f(b + c) - f(c) + f(a + b + c) - f(a + c))
    return la, lb, f(c)


def lstm_cd(model, ids, start, stop):
    """ACD's propagate_lstm for one layer, span start..stop inclusive; bias term at start <= t < stop,
    and (Candor's rule, so the spans agree) at the last step when it is inside the span."""
    lstm = model.lstm
    e = model.embedding(ids)
    T, H = ids.shape[1], lstm.hidden_size
    w_ih, w_hh = lstm.weight_ih_l0.chunk(4), lstm.weight_hh_l0.chunk(4)
    b = (lstm.bias_ih_l0 + lstm.bias_hh_l0).chunk(4)
    hb = hg = cb = cg = torch.zeros(ids.shape[0], H)
    for t in range(T):
        inside = start <= t <= stop
        xb, xg = (e[:, t], torch.zeros_like(e[:, t])) if inside else (torch.zeros_like(e[:, t]), e[:, t])
        a = [xb @ w_ih[k].T + hb @ w_hh[k].T for k in range(4)]
        g = [xg @ w_ih[k].T + hg @ w_hh[k].T for k in range(4)]
        ri, ii, bi = three(a[0], g[0], b[0], torch.sigmoid)
        rf, if_, bf = three(a[1], g[1], b[1], torch.sigmoid)
        rg, ig, bg = three(a[2], g[2], b[2], torch.tanh)
        o = torch.sigmoid(a[3] + g[3] + b[3])
        new_cb = ri * (rg + bg) + bi * rg
        new_cg = ii * (rg + ig + bg) + (ri + bi) * ig
        if start <= t < stop or (t == T - 1 and inside):
            new_cb = new_cb + bi * bg
        else:
            new_cg = new_cg + bi * bg
        new_cb = new_cb + (rf + bf) * cb
        new_cg = new_cg + (rf + if_ + bf) * cg + if_ * cb
        cb, cg = new_cb, new_cg
        both = torch.tanh(cb + cg)
        hb = o * 0.5 * (torch.tanh(cb) + both - torch.tanh(cg))
        hg = o * 0.5 * (torch.tanh(cg) + both - torch.tanh(cb))
    return cd_linear(model.fc, hb, hg)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--fixtures', default='tests/fixtures')
    args = parser.parse_args()
    torch.set_num_threads(1)

    folder = os.path.join(args.fixtures, 'mnist_cnn_modules_opset17')
    out = os.path.join(folder, 'attributions')
    os.makedirs(out, exist_ok=True)
    model = rebuild('mnist_cnn_modules')
    x = torch.from_numpy(np.load(os.path.join(folder, 'input.npy')))
    targets = torch.tensor(json.load(open(os.path.join(folder, 'meta.json')))['targets'])
    save = lambda name, t: np.save(os.path.join(out, name), t.detach().numpy().astype(np.float32))
    grad = target_gradient(model, x, targets)
    save('saliency.npy', grad)
    save('input_x_gradient.npy', grad * x)
    save('ig_trapezoid16.npy', integrated_gradients(model, x, targets, 16))
    save('gradcam.npy', grad_cam(model, model.features[5], x, targets))
    save('deeplift.npy', mnist_deeplift(model, x, targets))
    mask = torch.zeros(1, 1, 28, 28)
    mask[..., 6:20, 4:16] = 1
    with torch.no_grad():
        rel, irr = mnist_cd(model, x, mask)
    save('cd_mask.npy', mask[0, 0])
    save('cd_relevant.npy', rel)
    save('cd_irrelevant.npy', irr)
    # The same network as TorchScript, for the gradient methods on .pt models.
    torch.jit.trace(model, x).save(os.path.join(folder, 'model.pt'))
    json.dump({'gradcam_layer': '/features/features.5/MaxPool_output_0', 'ig_steps': 16, 'targets': targets.tolist()},
              open(os.path.join(out, 'refs.json'), 'w'), indent=1)

    folder = os.path.join(args.fixtures, 'lstm1_opset17')
    out = os.path.join(folder, 'attributions')
    os.makedirs(out, exist_ok=True)
    model = rebuild('lstm1')
    ids = torch.from_numpy(np.load(os.path.join(folder, 'input.npy')))
    with torch.no_grad():
        check = model(ids)
        assert np.allclose(check.numpy(), np.load(os.path.join(folder, 'output.npy')), atol=1e-5), 'weights differ'
        for start, stop in [(2, 4), (0, 6), (3, 3)]:
            rel, irr = lstm_cd(model, ids, start, stop)
            save(f'cd_span_{start}_{stop}_relevant.npy', rel)
            save(f'cd_span_{start}_{stop}_irrelevant.npy', irr)
    print('wrote references next to mnist_cnn_modules_opset17 and lstm1_opset17')


if __name__ == '__main__':
    main()
