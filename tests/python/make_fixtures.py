#!/usr/bin/env python3
"""Exports small PyTorch networks to ONNX with random (seeded) weights, for Candor's parity tests.

For each family and opset it writes tests/fixtures/<family>_opset<k>/ with:
  model.onnx      the exported model (dynamic batch axis)
  input.npy       a seeded random input (float32 NCHW images, int64 token ids)
  output.npy      PyTorch's logits for that input (float32, eval mode)
  grad_input.npy  for float inputs: d sum_n logits[n, t_n] / d input, t_n = argmax_k logits[n, k]
                  (every opset, except the 224x224 families: newest opset only, to save space)
  grad_embedding.npy  for the LSTMs: the same gradient w.r.t. the embedding's output [N, T, dim]
  meta.json       family, opset, names, targets, op types, torch version
and tests/fixtures/manifest.json listing them. Run with Debian's torch 1.13:
  /usr/bin/python3 tests/python/make_fixtures.py --out tests/fixtures
"""
import argparse
import json
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F


def seed_all(seed):
    torch.manual_seed(seed)
    np.random.seed(seed)


class MnistModules(nn.Module):
    """The CDEP paper's DecoyMNIST net, written with modules."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(20, 50, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(800, 256), nn.ReLU(), nn.Linear(256, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


class MnistFunctional(nn.Module):
    """The same net with functional ops and x.view(x.size(0), -1), as the CDEP repository writes it."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, 5)
        self.conv2 = nn.Conv2d(20, 50, 5)
        self.fc1 = nn.Linear(800, 256)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(x.size(0), -1)
        return self.fc2(F.relu(self.fc1(x)))


VGG_CFGS = {
    'vgg11': [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
    'vgg16': [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
}


class Vgg(nn.Module):
    """torchvision's VGG layout with every width divided by `divisor`."""

    def __init__(self, cfg, batch_norm, divisor=32, classes=10):
        super().__init__()
        layers, channels = [], 3
        for v in cfg:
            if v == 'M':
                layers.append(nn.MaxPool2d(2, 2))
            else:
                out = v // divisor
                layers.append(nn.Conv2d(channels, out, 3, padding=1))
                if batch_norm:
                    layers.append(nn.BatchNorm2d(out))
                layers.append(nn.ReLU(inplace=True))
                channels = out
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        hidden = 4096 // divisor
        self.classifier = nn.Sequential(
            nn.Linear(channels * 49, hidden), nn.ReLU(True), nn.Dropout(),
            nn.Linear(hidden, hidden), nn.ReLU(True), nn.Dropout(), nn.Linear(hidden, classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class AlexNet(nn.Module):
    """torchvision's AlexNet layout with every width divided by `divisor`."""

    def __init__(self, divisor=32, classes=10):
        super().__init__()
        c = [64 // divisor, 192 // divisor, 384 // divisor, 256 // divisor, 256 // divisor]
        self.features = nn.Sequential(
            nn.Conv2d(3, c[0], 11, stride=4, padding=2), nn.ReLU(True), nn.MaxPool2d(3, 2),
            nn.Conv2d(c[0], c[1], 5, padding=2), nn.ReLU(True), nn.MaxPool2d(3, 2),
            nn.Conv2d(c[1], c[2], 3, padding=1), nn.ReLU(True),
            nn.Conv2d(c[2], c[3], 3, padding=1), nn.ReLU(True),
            nn.Conv2d(c[3], c[4], 3, padding=1), nn.ReLU(True), nn.MaxPool2d(3, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        hidden = 4096 // divisor
        self.classifier = nn.Sequential(
            nn.Dropout(), nn.Linear(c[4] * 36, hidden), nn.ReLU(True),
            nn.Dropout(), nn.Linear(hidden, hidden), nn.ReLU(True), nn.Linear(hidden, classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + identity)


class ResNet18(nn.Module):
    """torchvision's ResNet-18 layout with base width `width` (4) instead of 64."""

    def __init__(self, width=4, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        blocks, cin = [], width
        for i, stride in enumerate([1, 2, 2, 2]):
            cout = width * 2 ** i
            blocks += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
            cin = cout
        self.layers = nn.Sequential(*blocks)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(self.avgpool(self.layers(x)), 1))


class LstmText(nn.Module):
    """Embedding -> LSTM (batch_first) -> Linear on the last step."""

    def __init__(self, layers, explicit_state, vocab=50, dim=8, hidden=12):
        super().__init__()
        self.layers, self.hidden, self.explicit_state = layers, hidden, explicit_state
        self.embedding = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, hidden, num_layers=layers, batch_first=True)
        self.fc = nn.Linear(hidden, 2)

    def forward(self, ids):
        e = self.embedding(ids)
        if self.explicit_state:
            h0 = torch.zeros(self.layers, ids.size(0), self.hidden)
            out, _ = self.lstm(e, (h0, torch.zeros(self.layers, ids.size(0), self.hidden)))
        else:
            out, _ = self.lstm(e)
        return self.fc(out[:, -1, :])


class TinyMlp(nn.Module):
    """Linear(4,5)-Tanh-Linear(5,3)-Sigmoid."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3), nn.Sigmoid())

    def forward(self, x):
        return self.net(x)


class MiscOps(nn.Module):
    """Elementwise ops, constant padding, pooling and activations that the other families lack."""

    def __init__(self, log):
        super().__init__()
        self.log = log
        self.conv = nn.Conv2d(3, 6, 3)
        self.pool = nn.AvgPool2d(2)
        self.fc = nn.Linear(6, 4)

    def forward(self, x):
        x = x * 2.0 - 1.0
        x = F.pad(x, (1, 2, 0, 1), value=0.5)
        x = F.leaky_relu(self.conv(x), 0.1)
        x = torch.sigmoid(self.pool(x)) / 1.5 + torch.tanh(x[:, :, :3, :4])
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        x = self.fc(x)
        return F.log_softmax(x, dim=1) if self.log else F.softmax(x, dim=1)


def randomise_batchnorm(model):
    """Gives BatchNorm layers non-trivial statistics and affine parameters, so folding them matters."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.5, 0.5)


ALL_OPSETS = (11, 13, 17)
ENDS = (11, 17)


def families():
    """(name, model factory, input factory, opsets, options).

    The 224x224 families (whose AdaptiveAvgPool needs a multiple of 7) run at one sample and at the
    two ends of the opset range to keep the fixtures small; their inputs are identical across
    families, so git stores the file once. Input gradients do not depend on the opset: for these
    families they are written for the newest opset only (option 'grad_newest_only').
    """
    image = lambda shape: (lambda: torch.randn(*shape))
    tokens = lambda: torch.randint(0, 50, (3, 7), dtype=torch.int64)
    big = image((1, 3, 224, 224))
    newest = {'grad_newest_only': True}
    return [
        ('mnist_cnn_modules', MnistModules, image((2, 1, 28, 28)), ENDS, {}),
        ('mnist_cnn_functional', MnistFunctional, image((2, 1, 28, 28)), ALL_OPSETS, {}),
        ('vgg11', lambda: Vgg(VGG_CFGS['vgg11'], False), big, ENDS, newest),
        ('vgg11_bn', lambda: Vgg(VGG_CFGS['vgg11'], True), big, ENDS, newest),
        ('vgg16', lambda: Vgg(VGG_CFGS['vgg16'], False), big, ENDS, newest),
        ('vgg16_bn', lambda: Vgg(VGG_CFGS['vgg16'], True), big, ENDS, newest),
        ('alexnet', AlexNet, big, ENDS, newest),
        ('resnet18_bn_nodes', ResNet18, image((2, 3, 64, 64)), ALL_OPSETS, {'preserve_bn': True}),
        ('resnet18_bn_folded', ResNet18, image((2, 3, 64, 64)), ALL_OPSETS, {}),
        ('lstm1', lambda: LstmText(1, False), tokens, ALL_OPSETS, {}),
        ('lstm1_state', lambda: LstmText(1, True), tokens, ALL_OPSETS, {}),
        ('lstm2', lambda: LstmText(2, False), tokens, ALL_OPSETS, {}),
        ('lstm2_state', lambda: LstmText(2, True), tokens, ALL_OPSETS, {}),
        ('misc_ops_log_softmax', lambda: MiscOps(True), image((2, 3, 8, 8)), ALL_OPSETS, {}),
        ('misc_ops_softmax', lambda: MiscOps(False), image((2, 3, 8, 8)), ALL_OPSETS, {}),
        ('tiny_mlp', TinyMlp, image((3, 4)), ALL_OPSETS, {}),
    ]


def export(name, make_model, make_input, options, opset, with_gradient, out_root):
    seed_all(1000 + sum(map(ord, name)))
    model = make_model()
    randomise_batchnorm(model)
    model.eval()
    seed_all(7)
    x = make_input()
    folder = os.path.join(out_root, f'{name}_opset{opset}')
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, 'model.onnx')
    kwargs = dict(opset_version=opset, input_names=['input'], output_names=['logits'],
                  dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
    if options.get('preserve_bn'):
        kwargs.update(training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    torch.onnx.export(model, (x,), path, **kwargs)
    graph = onnx.load(path)
    onnx.checker.check_model(graph)
    ops = sorted({n.op_type for n in graph.graph.node})
    if options.get('preserve_bn') and 'BatchNormalization' not in ops:
        raise RuntimeError(f'{name}: BatchNormalization was folded although it should be kept')

    float_input = x.dtype.is_floating_point
    if float_input:
        x = x.clone().requires_grad_(with_gradient)
    embedded = {}
    hook = None
    if with_gradient and hasattr(model, 'embedding'):
        def keep(module, inputs, output):
            output.retain_grad()
            embedded['e'] = output
        hook = model.embedding.register_forward_hook(keep)
    logits = model(x)
    if hook is not None:
        hook.remove()
    targets = logits.argmax(dim=1)
    np.save(os.path.join(folder, 'input.npy'), x.detach().numpy())
    np.save(os.path.join(folder, 'output.npy'), logits.detach().numpy().astype(np.float32))
    if with_gradient:
        logits.gather(1, targets[:, None]).sum().backward()
        if float_input:
            np.save(os.path.join(folder, 'grad_input.npy'), x.grad.numpy().astype(np.float32))
        if 'e' in embedded:
            np.save(os.path.join(folder, 'grad_embedding.npy'), embedded['e'].grad.numpy().astype(np.float32))
    meta = {
        'family': name, 'opset': opset, 'input_name': 'input', 'output_name': 'logits',
        'input_dtype': str(x.dtype).replace('torch.', ''), 'targets': targets.tolist(), 'ops': ops,
        'batchnorm_nodes': 'BatchNormalization' in ops, 'torch_version': torch.__version__,
    }
    with open(os.path.join(folder, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    sizes = {f: os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder)
             if os.path.isfile(os.path.join(folder, f))}
    too_big = [f for f, s in sizes.items() if s > 2 * 1024 * 1024]
    if too_big:
        raise RuntimeError(f'{folder}: {too_big} exceed 2 MiB')
    return folder, ops, sizes


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', default='tests/fixtures')
    args = parser.parse_args()
    torch.set_num_threads(1)
    manifest, rows = [], []
    for name, make_model, make_input, opsets, options in families():
        for opset in opsets:
            with_gradient = opset == max(opsets) or not options.get('grad_newest_only')
            folder, ops, sizes = export(name, make_model, make_input, options, opset, with_gradient, args.out)
            manifest.append({'fixture': os.path.basename(folder), 'family': name, 'opset': opset})
            rows.append((os.path.basename(folder), ops, sizes))
    with open(os.path.join(args.out, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
    print_table(rows)
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(args.out) for f in fs)
    print(f'total size of {args.out}: {total / 2 ** 20:.2f} MiB')


def print_table(rows):
    """fixture, file sizes (KiB), op types."""
    names = ['model.onnx', 'input.npy', 'output.npy', 'grad_input.npy', 'grad_embedding.npy']
    short = ['model', 'input', 'output', 'grad_in', 'grad_emb']
    print(f'{"fixture":34s}' + ''.join(f'{n:>9s}' for n in short) + '  ops')
    for fixture, ops, sizes in rows:
        cells = ''.join(f'{sizes[n] / 1024:9.1f}' if n in sizes else f'{"-":>9s}' for n in names)
        print(f'{fixture:34s}{cells}  {" ".join(ops)}')


if __name__ == '__main__':
    main()
