#!/usr/bin/env python3
"""Times one training step of the CDEP paper's MNIST CNN (batch 64, Adam, lr 1e-3, weight decay 1e-4) the
way the CDEP reference code takes it, for comparison with `candor bench finetune`:

- none, whole network: forward, cross-entropy, backward, Adam step;
- cdep, whole network: the same forward and cross-entropy, then the reference's `cd()` for the MNIST net
  (conv -> pool -> ReLU order, bias split by |contribution| with 1e-19 in the denominator, pooling by
  max_unpool of the total's indices then avg_pool x 4), the penalty softmax(beta, gamma)[beta] averaged
  over samples and logits, one backward of CE + lambda * penalty, Adam step;
- rrr, whole network: as the reference's DecoyMNIST script does it, the forward and cross-entropy, then
  `gradient_sum` (its own forward, the input gradient with create_graph, the masked squares), then
  (lambda * R).backward(), a step, the cross-entropy's backward and a second step (its quirk 2; here
  both backward passes come before the two steps, which newer PyTorch requires);
- eg, whole network: `eg_scores_2d` for each of the 64 images with 200 references from the batch, their
  sum times lambda backward, the cross-entropy's backward, two steps (the same quirk);
- the same with everything up to the flattened features frozen: for none and cdep the classifier trains
  on stored features and CD resumes from stored (beta, gamma) there, as the reference's ISIC code does;
  rrr runs the whole network and steps only the classifier.

The inputs are decoy digits' statistics (values in [-1, 1]) with the four 5x5 corners as the blob.
Run: /usr/bin/python3 tests/python/bench_finetune_step.py [--iterations 40] [--json FILE]
"""
import argparse
import json
import os
import time

import torch
import torch.nn.functional as F

from make_fixtures import MnistFunctional


def conv_linear(rel, irrel, module):
    bias = module(torch.zeros_like(irrel))
    rel = module(rel) - bias
    irrel = module(irrel) - bias
    rel_abs, irrel_abs = rel.abs(), irrel.abs()
    total = rel_abs + irrel_abs + 10e-20
    return rel + rel_abs / total * bias, irrel + irrel_abs / total * bias


def pooling(rel, irrel):
    both, indices = F.max_pool2d(rel + irrel, 2, return_indices=True)
    mask = F.max_unpool2d(torch.ones_like(both), indices, 2, output_size=rel.size())
    return F.avg_pool2d(mask * rel, 2) * 4, F.avg_pool2d(mask * irrel, 2) * 4


def relu(rel, irrel):
    return F.relu(rel), F.relu(rel + irrel) - F.relu(rel)


def cd_features(blob, x, model):
    rel, irrel = blob * x, (1 - blob) * x
    for conv in (model.conv1, model.conv2):
        rel, irrel = relu(*pooling(*conv_linear(rel, irrel, conv)))
    return rel.view(-1, 800), irrel.view(-1, 800)


def cd_classifier(rel, irrel, model):
    rel, irrel = relu(*conv_linear(rel, irrel, model.fc1))
    return conv_linear(rel, irrel, model.fc2)


def gradient_sum(x, y, blob, model):
    x = x.clone().requires_grad_(True)
    grad = torch.autograd.grad(F.cross_entropy(model(x), y), x, create_graph=True)[0]
    return (grad.sum(dim=1).masked_select(blob.bool()) ** 2).sum()


def eg_scores(x, y, j, blob, model, samples):
    refs = x[torch.randint(0, len(x), (samples,))]
    alpha = torch.rand(samples)[:, None, None, None]
    points = (refs * (1 - alpha) + alpha * x[j]).requires_grad_(True)
    out = F.softmax(model(points), dim=1)[:, y[j]]
    grad = torch.autograd.grad(out.abs().sum(), points, create_graph=True)[0].abs()
    return ((grad * (x[j] - refs)).abs().sum(dim=0).sum(dim=0) * blob[0]).sum()


def penalty(rel, irrel):
    return F.softmax(torch.stack((rel, irrel), dim=1), dim=1)[:, 0].mean()


def median_ms(step, warmup, iterations):
    times = []
    for i in range(warmup + iterations):
        start = time.perf_counter()
        step()
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[len(times) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--iterations', type=int, default=40)
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    parser.add_argument('--eg-references', type=int, default=200)
    parser.add_argument('--eg-iterations', type=int, default=3, help='EG steps are slow: time this many')
    parser.add_argument('--json', help='also write the figures here, for candor bench finetune --reference')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = torch.rand(64, 1, 28, 28) * 2 - 1
    y = torch.randint(0, 10, (64,))
    blob = torch.zeros(1, 28, 28)
    for r in (slice(0, 5), slice(23, 28)):
        for c in (slice(0, 5), slice(23, 28)):
            blob[:, r, c] = 1
    lam = 1.0

    def setup(classifier_only=False):
        model = MnistFunctional()
        trained = list(model.fc1.parameters()) + list(model.fc2.parameters()) if classifier_only else model.parameters()
        return model, torch.optim.Adam(trained, lr=1e-3, weight_decay=1e-4)

    def whole(with_cd):
        model, optimizer = setup()

        def step():
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            if with_cd:
                loss = loss + lam * penalty(*cd_classifier(*cd_features(blob, x, model), model))
            loss.backward()
            optimizer.step()
        return step

    def two_steps(classifier_only, input_penalty):
        """The reference's RRR and EG step: the penalty's backward, the loss's, and two optimizer steps.
        The reference steps between the two backward passes; PyTorch since 1.5 refuses a backward through
        weights changed in place, so both backward passes come first: the same work."""
        model, optimizer = setup(classifier_only)

        def step():
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            (lam * input_penalty(model)).backward()
            loss.backward()
            optimizer.step()
            optimizer.step()
        return step

    def rrr(classifier_only):
        return two_steps(classifier_only, lambda model: gradient_sum(x, y, blob, model))

    def eg(classifier_only):
        return two_steps(classifier_only, lambda model: sum(eg_scores(x, y, j, blob, model, args.eg_references)
                                                            for j in range(len(x))))

    def cached(with_cd):
        model, optimizer = setup(classifier_only=True)
        with torch.no_grad():
            rel, irrel = cd_features(blob, x, model)
            flat = rel + irrel

        def step():
            optimizer.zero_grad()
            loss = F.cross_entropy(model.fc2(F.relu(model.fc1(flat))), y)
            if with_cd:
                loss = loss + lam * penalty(*cd_classifier(rel, irrel, model))
            loss.backward()
            optimizer.step()
        return step

    figures = {}
    for name, with_cd in (('none', False), ('cdep', True)):
        figures[name] = {'whole': median_ms(whole(with_cd), args.warmup, args.iterations),
                         'cached': median_ms(cached(with_cd), args.warmup, args.iterations)}
    figures['rrr'] = {'whole': median_ms(rrr(False), args.warmup, args.iterations),
                      'cached': median_ms(rrr(True), args.warmup, args.iterations)}
    figures['eg'] = {'whole': median_ms(eg(False), 1, args.eg_iterations),
                     'cached': median_ms(eg(True), 1, args.eg_iterations)}
    about = f'pytorch {torch.__version__}, {torch.get_num_threads()} threads, the reference code\'s steps'
    figures['about'] = about
    plain = figures['none']['whole']
    print(f'{"penalty":8} {"trains":22} {"step (ms)":>10} {"x plain":>9}')
    for name in ('none', 'cdep', 'rrr', 'eg'):
        for where, label in (('whole', 'whole network'), ('cached', "after 'flatten'")):
            ms = figures[name][where]
            print(f'{name:8} {label:22} {ms:10.2f} {ms / plain:9.2f}')
    print(f'({about}; medians of {args.iterations} steps)')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(figures, f, indent=2)


if __name__ == '__main__':
    main()
