#!/usr/bin/env python3
"""Times one training step of the CDEP MNIST CNN at batch 64 with Adam in PyTorch, for comparison with
`candor bench train`. Same network, same batch, same loss: forward, cross-entropy, backward, Adam step.
Run: /usr/bin/python3 tests/python/bench_train_step.py [--iterations 50]
"""
import argparse
import os
import time

import torch
import torch.nn.functional as F

from make_fixtures import MnistFunctional


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--iterations', type=int, default=50)
    parser.add_argument('--warmup', type=int, default=10)
    parser.add_argument('--threads', type=int, default=os.cpu_count(),
                        help='intra-op threads (default: every core, as Candor uses)')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = MnistFunctional()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    x = torch.randn(64, 1, 28, 28)
    y = torch.randint(0, 10, (64,))
    times = []
    for i in range(args.warmup + args.iterations):
        start = time.perf_counter()
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
        if i >= args.warmup:
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f'pytorch {torch.__version__} threads {torch.get_num_threads()}: '
          f'median training step {times[len(times) // 2]:.2f} ms (batch 64, Adam)')


if __name__ == '__main__':
    main()
