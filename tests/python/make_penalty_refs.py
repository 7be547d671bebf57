#!/usr/bin/env python3
"""Reference penalties computed by PyTorch on the mnist_cnn_modules_opset17 fixture, for Candor's
penalty tests. Rebuilds the fixture's model (same seed, so the weights of the committed model.onnx),
takes its input.npy and meta.json's targets as labels, marks the four 5x5 corners as spurious and
writes in <fixture>/penalties/:
  values.json                 the CDEP and RRR penalties of the batch
  cdep_<weight>.npy           d CDEP / d weight, through a torch transcription of CD (the same one
                              make_attribution_refs.py checks Candor's decomposition against)
  rrr_<weight>.npy            d RRR / d weight, RRR as the CDEP code's gradient_sum (double backprop)
Weight names are the ONNX initializer names. Run:
  /usr/bin/python3 tests/python/make_penalty_refs.py --fixtures tests/fixtures
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from make_attribution_refs import mnist_cd, rebuild  # noqa: E402


def corners():
    mask = torch.zeros(1, 28, 28)
    for rows in (slice(0, 5), slice(23, 28)):
        for cols in (slice(0, 5), slice(23, 28)):
            mask[:, rows, cols] = 1
    return mask


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--fixtures', default='tests/fixtures')
    args = parser.parse_args()
    torch.set_num_threads(1)
    folder = os.path.join(args.fixtures, 'mnist_cnn_modules_opset17')
    out = os.path.join(folder, 'penalties')
    os.makedirs(out, exist_ok=True)
    model = rebuild('mnist_cnn_modules')
    x = torch.from_numpy(np.load(os.path.join(folder, 'input.npy')))
    with torch.no_grad():
        assert np.allclose(model(x).numpy(), np.load(os.path.join(folder, 'output.npy')), atol=1e-5), 'weights differ'
    y = torch.tensor(json.load(open(os.path.join(folder, 'meta.json')))['targets'])
    mask = corners()
    params = dict(model.named_parameters())

    rel, irr = mnist_cd(model, x, mask)
    cdep = torch.sigmoid(rel - irr).mean()
    cdep_grads = torch.autograd.grad(cdep, list(params.values()))

    xg = x.clone().requires_grad_(True)
    grad = torch.autograd.grad(F.cross_entropy(model(xg), y), xg, create_graph=True)[0]
    rrr = (grad.sum(dim=1).masked_select(mask.bool().expand(len(x), 28, 28)) ** 2).sum()
    rrr_grads = torch.autograd.grad(rrr, list(params.values()))

    for name, g in zip(params, cdep_grads):
        np.save(os.path.join(out, f'cdep_{name}.npy'), g.numpy().astype(np.float32))
    for name, g in zip(params, rrr_grads):
        np.save(os.path.join(out, f'rrr_{name}.npy'), g.numpy().astype(np.float32))
    json.dump({'cdep': cdep.item(), 'rrr': rrr.item(), 'labels': y.tolist(), 'mask': 'the four 5x5 corners',
               'weights': list(params)}, open(os.path.join(out, 'values.json'), 'w'), indent=1)
    print(f'wrote {out}: cdep {cdep.item():.6g}, rrr {rrr.item():.6g}')


if __name__ == '__main__':
    main()
