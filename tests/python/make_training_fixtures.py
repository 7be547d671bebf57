#!/usr/bin/env python3
"""Training-mode references for Candor's trainer: a few SGD steps of small BatchNorm networks in PyTorch.

For each network this writes, under OUT/<name>/:
  model.onnx        the network before training, BatchNormalization nodes kept (eval-mode export)
  x.npy, y.npy      the mini-batches in order: float32 [steps, batch, 3, 16, 16] and int64 [steps, batch]
  probe.npy         an input for the evaluation-mode check, float32 [4, 3, 16, 16]
  after.json        after the steps: every BatchNorm's running mean and variance and the step losses
  probe_logits.npy  the trained network's evaluation-mode logits on probe.npy
  frozen/...        the same with everything up to the tensor named in meta (the cut) frozen as a
                    whole: eval-mode BatchNorm there, only the layers after it trained

Plain SGD (lr 0.1, no momentum, no weight decay), cross-entropy averaged over the batch, no Dropout,
so the run is deterministic; for the residual block also Adam and SGD with momentum, both with weight
decay (folders adam/ and sgd_momentum/). Run with Debian's python3-torch:
  /usr/bin/python3 tests/python/make_training_fixtures.py --out tests/fixtures/training
"""
import argparse
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

STEPS, BATCH, LR = 3, 6, 0.1


class ResidualBlockNet(nn.Module):
    """conv-BN-ReLU, then a residual block (conv-BN-ReLU-conv-BN + skip), global pool, linear."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn0 = nn.BatchNorm2d(8)
        self.conv1 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        h = F.relu(self.bn0(self.stem(x)))
        r = F.relu(self.bn1(self.conv1(h)))
        h = F.relu(self.bn2(self.conv2(r)) + h)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(h, 1), 1))


class NarrowVggBn(nn.Module):
    """Two conv-BN-ReLU-MaxPool stages and a linear head."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Linear(8 * 4 * 4, 3)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


# The tensor up to which the frozen run keeps everything as it is, and the modules it trains.
CUTS = {
    'resnet_block': ('/Relu_output_0', ['conv1', 'bn1', 'conv2', 'bn2', 'fc']),
    'vgg_bn': ('/features/features.3/MaxPool_output_0', ['features.4', 'features.5', 'classifier']),
}


def distinct_batchnorm(model):
    """Gives every BatchNorm tensor its own values. Fresh ones are all ones and zeros, and the exporter
    then stores one initializer for all of them, behind Identity nodes."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 1.5)


# Optimizer variants run on every layer: (folder, torch optimizer, settings as after.json records them).
VARIANTS = {
    'adam': (lambda ps: torch.optim.Adam(ps, lr=0.01, weight_decay=1e-3), {'optimizer': 'adam', 'lr': 0.01, 'momentum': 0, 'weight_decay': 1e-3}),
    'sgd_momentum': (lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=1e-3),
                     {'optimizer': 'sgd', 'lr': 0.05, 'momentum': 0.9, 'weight_decay': 1e-3}),
}


def run(name, make, out_root, frozen, variant=None):
    torch.manual_seed(11)
    model = make()
    distinct_batchnorm(model)
    folder = os.path.join(out_root, name, 'frozen' if frozen else variant) if frozen or variant else os.path.join(out_root, name)
    os.makedirs(folder, exist_ok=True)
    gen = torch.Generator().manual_seed(5)
    xs = torch.randn(STEPS, BATCH, 3, 16, 16, generator=gen)
    ys = torch.randint(0, 3, (STEPS, BATCH), generator=gen)
    probe = torch.randn(4, 3, 16, 16, generator=gen)
    model.eval()
    if not frozen and not variant:
        torch.onnx.export(model, (probe,), os.path.join(folder, 'model.onnx'), opset_version=13,
                          input_names=['input'], output_names=['logits'],
                          dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}},
                          training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
        np.save(os.path.join(folder, 'x.npy'), xs.numpy())
        np.save(os.path.join(folder, 'y.npy'), ys.numpy().astype(np.int64))
        np.save(os.path.join(folder, 'probe.npy'), probe.numpy())
    cut, trained = CUTS[name]
    if frozen:
        # Frozen as a whole: no gradient and evaluation mode before the cut; training mode after it.
        for pname, p in model.named_parameters():
            p.requires_grad_(any(pname.startswith(m + '.') for m in trained))
    params = [p for p in model.parameters() if p.requires_grad]
    settings = {'optimizer': 'sgd', 'lr': LR, 'momentum': 0, 'weight_decay': 0}
    opt = torch.optim.SGD(params, lr=LR)
    if variant:
        make_optimizer, settings = VARIANTS[variant]
        opt = make_optimizer(params)
    losses = []
    for step in range(STEPS):
        model.train()
        if frozen:
            for mname, module in model.named_modules():
                leaf = not any(True for _ in module.children())
                if leaf and not any(mname == m or mname.startswith(m + '.') for m in trained):
                    module.eval()  # a leaf only: eval() on a container would reach the trained layers too
        opt.zero_grad()
        loss = F.cross_entropy(model(xs[step]), ys[step])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    stats = {k: v.tolist() for k, v in model.state_dict().items() if 'running_' in k}
    with open(os.path.join(folder, 'after.json'), 'w') as f:
        json.dump(dict(settings, cut=cut, losses=losses, running_statistics=stats), f, indent=1)
    with torch.no_grad():
        np.save(os.path.join(folder, 'probe_logits.npy'), model(probe).numpy())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default='tests/fixtures/training')
    args = parser.parse_args()
    for name, make in [('resnet_block', ResidualBlockNet), ('vgg_bn', NarrowVggBn)]:
        for frozen in (False, True):
            run(name, make, args.out, frozen)
            print(name, 'frozen' if frozen else 'all layers')
    for variant in VARIANTS:
        run('resnet_block', ResidualBlockNet, args.out, False, variant)
        print('resnet_block', variant)


if __name__ == '__main__':
    main()
