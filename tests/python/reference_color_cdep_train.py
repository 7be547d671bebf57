#!/usr/bin/env python3
"""Trains the CDEP paper's ColorMNIST net on Candor's color-digits the way the CDEP reference code
(laura-rieger/deep-explanation-penalization, mnist/ColorMNIST/train.py with src/cd.py and
src/score_funcs.py::cdep) does, to answer one question: does the reference algorithm itself repair
color-digits (test accuracy, colours inverted, >= 25%), or does it fail there as Candor's CDEP does?

What it transcribes (in its own words, not the reference's text):
- net: Conv(3->20, k5) -> ReLU -> max-pool 2 -> Conv(20->50, k5) -> ReLU -> max-pool 2 -> view 800 ->
  FC 800->500 -> ReLU -> FC 500->10; loss = cross-entropy (the reference: nll_loss of log_softmax);
- Adam, lr 1e-3 (the reference's --lr is unused), weight_decay 1e-3, shuffled batches (--batch, the
  reference's default is 256);
- penalty: in every batch 8 single-pixel blobs (one pixel, all channels) drawn with replacement,
  p proportional to the fraction of training images in which the pixel is "on" (the reference: the
  channel sum of the raw image > 0; here, images being standardised: some channel above that channel's
  minimum over the training split, its background); for each blob the reference's cd() for the mnist
  net (conv -> max-pool -> ReLU order, bias split by |contribution| with 1e-19 in the denominator,
  pooling by max_unpool of the total's argmax then avg_pool x 4) gives (beta, gamma) per logit, and the
  term is mean over samples and logits of softmax(beta, gamma)[beta]; the 8 terms are summed; one
  backward of CE + lambda * sum. The 8 blobs go through CD as one stacked batch (the same numbers);
- the reference keeps patience 0 on the validation loss and restores the best epoch's weights; its
  validation split is coloured like its test split (colour 9 - y). Candor's val is coloured like train,
  so this script also builds an inverted-colour copy of val (grey = the max over channels of the raw
  image, as every palette colour has a component of 1; re-tinted with colour 9 - y and standardised
  with meta.json) and reports the epoch that rule would select ("ref-select").

Each epoch prints: accuracy on val (train colours), on val-inverted, on test (colours inverted), the
mean penalty over the epoch's batches and the last batch's. Before training (and after, on the trained
model) it checks that CD's beta + gamma equals the logits (max abs difference) and that a full mask
gives beta = logits, gamma = 0.

Found (2026-11-26, /tmp/cdig, batch 64, 5 epochs): no. Test accuracy ends at 0-4% for lambda 500, 1000
and 5000 (best single epoch 8.85%, lambda 1000, epoch 1). The penalty reaches ~1e-9 within 10 steps
and ~1e-28 within the first epoch: the net adds a common offset of about +100 to every logit, which
goes to gamma (beta stays near 0), and softmax(beta, gamma)[beta] = 1 / (1 + exp(gamma - beta)) -> 0
while the cross-entropy, which ignores a common shift, is unchanged. The control --quiet-background 0.6
(no tinted background noise, as in ColorMNIST) fails the same way (1.4% at epoch 5).

Run (one core, as the project's notes ask):
  taskset -c 1 /usr/bin/python3 tests/python/reference_color_cdep_train.py --data /tmp/cdig \
      --lam 5000 --epochs 5 --batch 64 --seed 0 [--json out.json] [--check-only]
"""
import argparse
import colorsys
import json
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from bench_finetune_step import conv_linear, pooling, relu

PIXELS = 28 * 28


def dense(x, layer):
    """layer(x) for an nn.Linear, run as a 1x1 convolution: this PyTorch's BLAS is the generic one
    (10x slower than its oneDNN convolution on one core); the numbers agree to float rounding."""
    n = x.shape[0]
    return F.conv2d(x.reshape(n, -1, 1, 1), layer.weight.view(*layer.weight.shape, 1, 1), layer.bias).view(n, -1)


class ColorNet(nn.Module):
    """mnist/ColorMNIST/model.py: the forward pass is ReLU then pool; logits, not log-probabilities."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 20, 5, 1)
        self.conv2 = nn.Conv2d(20, 50, 5, 1)
        self.fc1 = nn.Linear(800, 500)
        self.fc2 = nn.Linear(500, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2, 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2, 2)
        x = F.relu(dense(x.view(-1, 800), self.fc1))
        return dense(x, self.fc2)


def affine(rel, irrel, layer):
    """The reference's propagate_conv_linear: b = layer(0), r = layer(beta) - b, s = layer(gamma) - b,
    beta' = r + |r| / (|r| + |s| + 1e-19) * b, gamma' likewise. layer(0) is the bias broadcast (no
    padding here), written so to skip a pass; as bench_finetune_step.conv_linear otherwise."""
    if isinstance(layer, nn.Conv2d):
        run, bias = layer, layer.bias.view(1, -1, 1, 1)
    else:
        run, bias = (lambda v: dense(v, layer)), layer.bias.view(1, -1)
    r = run(rel) - bias
    s = run(irrel) - bias
    r_abs, s_abs = r.abs(), s.abs()
    total = r_abs + s_abs + 10e-20
    return r + r_abs / total * bias, s + s_abs / total * bias


def cd(blob, x, model):
    """The reference's cd(model_type='mnist') for one blob [28, 28] (all channels): conv -> pool -> ReLU
    for both convolutions (the reference's order), then the classifier."""
    return cd_from(blob * x, (1 - blob) * x, model)


def cd_from(rel, irrel, model):
    """CD from an input already split into (beta, gamma)."""
    for conv in (model.conv1, model.conv2):
        rel, irrel = relu(*pooling(*affine(rel, irrel, conv)))
    rel, irrel = relu(*affine(rel.view(-1, 800), irrel.view(-1, 800), model.fc1))
    return affine(rel, irrel, model.fc2)


def cdep_sum(model, x, pixels, mode='reference', y=None):
    """Sum over the drawn pixels of mean_{n,k} softmax(beta_nk, gamma_nk)[beta]; all blobs in one batch.
    mode 'centered': beta and gamma first centred over the classes per sample (shift-invariant);
    mode 'margin': mean_n (beta_ny - mean_{j != y} beta_nj)^2 instead (needs y)."""
    k, b = len(pixels), len(x)
    blobs = torch.zeros(k, PIXELS)
    blobs[torch.arange(k), torch.as_tensor(pixels)] = 1
    blobs = blobs.view(k, 1, 1, 28, 28)
    xs = x.unsqueeze(0).expand(k, *x.shape)
    rel, irrel = blobs * xs, (1 - blobs) * xs
    rel, irrel = cd_from(rel.reshape(k * b, 3, 28, 28), irrel.reshape(k * b, 3, 28, 28), model)
    if mode == 'margin':
        r = rel.view(k, b, 10)
        ry = r.gather(2, y.view(1, b, 1).expand(k, b, 1)).squeeze(2)
        other = (r.sum(2) - ry) / 9
        return ((ry - other) ** 2).mean(dim=1).sum(), rel.view(k, b, 10), irrel.view(k, b, 10)
    if mode == 'centered':
        rel_c, irrel_c = rel - rel.mean(1, keepdim=True), irrel - irrel.mean(1, keepdim=True)
        share = torch.sigmoid(rel_c - irrel_c).reshape(k, -1)
        return share.mean(dim=1).sum(), rel.view(k, b, 10), irrel.view(k, b, 10)
    share = F.softmax(torch.stack((rel.reshape(k, -1), irrel.reshape(k, -1)), dim=2), dim=2)[..., 0]
    return share.mean(dim=1).sum(), rel.view(k, b, 10), irrel.view(k, b, 10)


def check_cd(model, x, pixel_prob, rng):
    """Max |beta + gamma - logits| for one-pixel blobs (stacked and one at a time), and the full mask."""
    model.eval()
    with torch.no_grad():
        logits = model(x)
        pixels = rng.choice(PIXELS, size=8, p=pixel_prob)
        _, rel, irrel = cdep_sum(model, x, pixels)
        stacked = (rel + irrel - logits).abs().max().item()
        one = torch.zeros(PIXELS)
        one[pixels[0]] = 1
        r1, i1 = cd(one.view(28, 28), x, model)
        single = (r1 + i1 - logits).abs().max().item()
        same = (r1 - rel[0]).abs().max().item()
        # the same with the reference's layer(0) passes and plain nn.Linear (bench_finetune_step)
        rr, ii = one.view(28, 28) * x, (1 - one.view(28, 28)) * x
        for conv in (model.conv1, model.conv2):
            rr, ii = relu(*pooling(*conv_linear(rr, ii, conv)))
        rr, ii = relu(*conv_linear(rr.view(-1, 800), ii.view(-1, 800), model.fc1))
        rr, ii = conv_linear(rr, ii, model.fc2)
        literal = max((rr - r1).abs().max().item(), (ii - i1).abs().max().item())
        literal_sum = (rr + ii - logits).abs().max().item()
        full_r, full_i = cd(torch.ones(28, 28), x, model)
        full = max((full_r - logits).abs().max().item(), full_i.abs().max().item())
    model.train()
    return {'sum_stacked': stacked, 'sum_single': single, 'stacked_vs_single_beta': same,
            'full_mask': full,
            'vs_literal_reference_layers': literal, 'literal_sum': literal_sum, 'logit_scale': logits.abs().max().item()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--data', default='/tmp/cdig')
    p.add_argument('--lam', type=float, default=5000)
    p.add_argument('--epochs', type=int, default=5)
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--blobs', type=int, default=8)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--json', help='write the per-epoch figures here')
    p.add_argument('--penalty', default='reference', choices=['reference', 'centered', 'margin'],
                   help='reference: sigmoid(beta - gamma); centered: the same on beta, gamma centred over '
                        'the classes per sample (blind to a common offset); margin: (beta_y - mean of the '
                        'other classes\' beta)^2')
    p.add_argument('--check-only', action='store_true', help='only the CD sum checks')
    p.add_argument('--quiet-background', type=float, default=None, metavar='T',
                   help='a control: zero every pixel whose grey value (max over raw channels) is <= T, '
                        'removing the tinted background noise, and re-standardise with the new train '
                        'statistics, so the background is constant as in ColorMNIST')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.RandomState(a.seed)

    def load(split):
        return (torch.from_numpy(np.load(f'{a.data}/{split}/x.npy')),
                torch.from_numpy(np.load(f'{a.data}/{split}/y.npy')).long())

    x, y = load('train')
    xv, yv = load('val')
    xt, yt = load('test')
    meta = json.load(open(f'{a.data}/meta.json'))
    mean, std = torch.tensor(meta['mean']).view(1, 3, 1, 1), torch.tensor(meta['std']).view(1, 3, 1, 1)
    if a.quiet_background is not None:
        raws = [xs * std + mean for xs in (x, xv, xt)]
        raws = [r * (r.amax(dim=1, keepdim=True) > a.quiet_background) for r in raws]
        mean, std = raws[0].mean(dim=(0, 2, 3), keepdim=True), raws[0].std(dim=(0, 2, 3), keepdim=True)
        x, xv, xt = [(r - mean) / std for r in raws]
    background = x.amin(dim=(0, 2, 3))
    on = (x > background.view(1, 3, 1, 1)).any(dim=1).double().mean(dim=0).reshape(-1).numpy()
    pixel_prob = on / on.sum()

    # the generator's palette: hue k * 300/9 degrees, saturation = brightness = 1 (ColorDigits.colours)
    # as java.awt.Color.HSBtoRGB quantises them, to 8 bits
    palette = torch.tensor([[np.floor(v * 255 + 0.5) / 255 for v in colorsys.hsv_to_rgb(k * (300 / 360) / 9, 1, 1)]
                            for k in range(10)], dtype=torch.float32)
    grey = (xv * std + mean).amax(dim=1, keepdim=True)
    xvi = (grey * palette[9 - yv].view(-1, 3, 1, 1) - mean) / std
    # sanity: re-tinting test's grey with colour 9 - y must give the test images back
    grey_t = (xt * std + mean).amax(dim=1, keepdim=True)
    retint_err = ((grey_t * palette[9 - yt].view(-1, 3, 1, 1) - mean) / std - xt).abs().max().item()

    model = ColorNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-3)

    check0 = check_cd(model, x[:64], pixel_prob, np.random.RandomState(123))
    print(f'CD check, untrained: {check0}; palette re-tint error on test {retint_err:.2e}; '
          f'pixel on-fraction min {on.min():.3f} mean {on.mean():.3f} max {on.max():.3f}', flush=True)
    if a.check_only:
        return

    def evaluate(xs, ys):
        model.eval()
        with torch.no_grad():
            correct, loss = 0, 0.0
            for i in range(0, len(xs), 1000):
                out = model(xs[i:i + 1000])
                loss += F.cross_entropy(out, ys[i:i + 1000], reduction='sum').item()
                correct += (out.argmax(1) == ys[i:i + 1000]).sum().item()
        model.train()
        return 100.0 * correct / len(xs), loss / len(xs)

    history = []
    model.train()
    for epoch in range(1, a.epochs + 1):
        order, start, penalties, ces = torch.randperm(len(x)), time.time(), [], []
        for b in range(0, len(x), a.batch):
            idx = order[b:b + a.batch]
            optimizer.zero_grad()
            ce = F.cross_entropy(model(x[idx]), y[idx])
            loss = ce
            if a.lam != 0:
                pen, _, _ = cdep_sum(model, x[idx], rng.choice(PIXELS, size=a.blobs, p=pixel_prob), a.penalty, y[idx])
                penalties.append(pen.item())
                loss = ce + a.lam * pen
            ces.append(ce.item())
            loss.backward()
            optimizer.step()
        val, _ = evaluate(xv, yv)
        vali, vali_loss = evaluate(xvi, yv)
        test, _ = evaluate(xt, yt)
        row = {'epoch': epoch, 'val': val, 'val_inverted': vali, 'val_inverted_loss': vali_loss, 'test': test,
               'ce': float(np.mean(ces)),
               'penalty_mean': float(np.mean(penalties)) if penalties else 0.0,
               'penalty_last': penalties[-1] if penalties else 0.0, 'seconds': time.time() - start}
        history.append(row)
        print(f'lambda {a.lam:g} penalty {a.penalty} seed {a.seed} batch {a.batch} epoch {epoch}: val {val:.2f}% '
              f'val-inverted {vali:.2f}% (loss {vali_loss:.3f}) test {test:.2f}% ce {row["ce"]:.4f} '
              f'penalty mean {row["penalty_mean"]:.3g} last {row["penalty_last"]:.3g} '
              f'({row["seconds"]:.0f} s)', flush=True)

    # the reference's rule: stop at the first epoch whose (inverted-colour) val loss does not improve,
    # keep the best epoch's weights
    best = history[0]
    for row in history[1:]:
        if row['val_inverted_loss'] < best['val_inverted_loss']:
            best = row
        else:
            break
    check1 = check_cd(model, x[:64], pixel_prob, np.random.RandomState(123))
    print(f'CD check, trained: {check1}')
    print(f'final (epoch {a.epochs}): val {history[-1]["val"]:.2f}% test {history[-1]["test"]:.2f}% '
          f'penalty last {history[-1]["penalty_last"]:.3g}; ref-select epoch {best["epoch"]}: '
          f'test {best["test"]:.2f}%', flush=True)
    if a.json:
        with open(a.json, 'w') as f:
            json.dump({'args': vars(a), 'history': history, 'ref_select_epoch': best['epoch'],
                       'check_untrained': check0, 'check_trained': check1,
                       'torch': torch.__version__}, f, indent=2)


if __name__ == '__main__':
    main()
