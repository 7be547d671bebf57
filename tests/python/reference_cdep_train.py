#!/usr/bin/env python3
"""Trains the CDEP paper's MNIST net on a Candor dataset folder the way the CDEP reference code does
(mnist/DecoyMNIST/train.py): Adam lr 1e-3, weight decay 1e-4, batch 64, a forward pass for the
cross-entropy, then the reference's cd() for this net (conv -> pool -> ReLU, the bias split by
|contribution|, max_unpool pooling) on the dataset's mask and the penalty softmax(beta, gamma)[beta]
averaged over samples and logits, one backward of CE + lambda * penalty. It prints the accuracy on the
lying test split and on test_clean after each epoch.

It answers one question: does the reference algorithm itself repair Candor's decoy-digits? Compare
its figures with `candor train --penalty cdep` on the same folder (docs/finetune.md).

Run: /usr/bin/python3 tests/python/reference_cdep_train.py --data DIR [--lam 100] [--epochs 2]
     [--order pool-relu|relu-pool] [--quiet-corners]
"""
import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F

from bench_finetune_step import conv_linear, penalty, pooling, relu
from make_fixtures import MnistFunctional


def quiet(x):
    """Sets every 5x5 corner that is not a patch (its pixels differ) to the background, -1."""
    x = x.clone()
    for rows in (slice(0, 5), slice(23, 28)):
        for cols in (slice(0, 5), slice(23, 28)):
            corner = x[:, :, rows, cols]
            corner[corner.reshape(len(x), -1).std(1) > 0] = -1
            x[:, :, rows, cols] = corner
    return x


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--data', required=True)
    p.add_argument('--lam', type=float, default=100)
    p.add_argument('--epochs', type=int, default=2)
    p.add_argument('--order', default='pool-relu', help="the reference's CD order, or relu-pool as the net runs")
    p.add_argument('--quiet-corners', action='store_true', help='remove the noise from the corners without a patch')
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args()
    torch.manual_seed(a.seed)

    def load(split, name):
        return torch.from_numpy(np.load(f'{a.data}/{split}/{name}.npy'))

    x, y, blob = load('train', 'x'), load('train', 'y'), load('train', 'mask').float()
    xt, yt, xc, yc = load('test', 'x'), load('test', 'y'), load('test_clean', 'x'), load('test_clean', 'y')
    if a.quiet_corners:
        x, xt = quiet(x), quiet(xt)
    model = MnistFunctional()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)

    def cd(batch):
        rel, irrel = blob * batch, (1 - blob) * batch
        for conv in (model.conv1, model.conv2):
            rel, irrel = conv_linear(rel, irrel, conv)
            rel, irrel = relu(*pooling(rel, irrel)) if a.order == 'pool-relu' else pooling(*relu(rel, irrel))
        rel, irrel = relu(*conv_linear(rel.reshape(-1, 800), irrel.reshape(-1, 800), model.fc1))
        return conv_linear(rel, irrel, model.fc2)

    def accuracy(xs, ys):
        with torch.no_grad():
            return (model(xs).argmax(1) == ys).float().mean().item()

    for epoch in range(a.epochs):
        order, start, penalties = torch.randperm(len(x)), time.time(), []
        for b in range(0, len(x), 64):
            idx = order[b:b + 64]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x[idx]), y[idx])
            if a.lam > 0:
                rel, irrel = cd(x[idx])
                share = penalty(rel.reshape(-1), irrel.reshape(-1))
                penalties.append(share.item())
                loss = loss + a.lam * share
            loss.backward()
            optimizer.step()
        print(f'lambda {a.lam:g} ({a.order}) epoch {epoch + 1}: test {100 * accuracy(xt, yt):.2f}% '
              f'test_clean {100 * accuracy(xc, yc):.2f}% penalty {np.mean(penalties) if penalties else 0:.4f} '
              f'({time.time() - start:.0f} s)', flush=True)


if __name__ == '__main__':
    main()
