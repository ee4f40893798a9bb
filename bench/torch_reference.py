#!/usr/bin/python3
"""PyTorch reference for bench/train.ts: the same Fixup ResNet (ml/model.ts) trained with the
same step (SGD momentum + weight decay, lr/10 for bias/scale, cross-entropy) on random data.

Prints one JSON line: {"torch": version, "threads": n, "train_samples_per_s": ..., "infer_samples_per_s": ...,
"other_cores": CPU cores used by other processes meanwhile (from /proc/stat; contention makes 2 threads slow)}.
Run with Debian's python3-torch: /usr/bin/python3 bench/torch_reference.py --batch 128 --threads 2
"""
import argparse
import json
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride, num_blocks):
        super().__init__()
        self.bias1a = nn.Parameter(torch.zeros(1))
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bias1b = nn.Parameter(torch.zeros(1))
        self.bias2a = nn.Parameter(torch.zeros(1))
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.scale = nn.Parameter(torch.ones(1))
        self.bias2b = nn.Parameter(torch.zeros(1))
        self.downsample = nn.Conv2d(cin, cout, 1, stride, 0, bias=False) if stride != 1 or cin != cout else None
        fan = cout * 9
        nn.init.normal_(self.conv1.weight, 0, (2 / fan) ** 0.5 * num_blocks ** -0.5)
        nn.init.zeros_(self.conv2.weight)
        if self.downsample is not None:
            nn.init.normal_(self.downsample.weight, 0, (2 / cout) ** 0.5)

    def forward(self, x):
        xin = x + self.bias1a
        out = F.relu(self.conv1(xin) + self.bias1b)
        out = self.conv2(out + self.bias2a) * self.scale + self.bias2b
        shortcut = self.downsample(xin) if self.downsample is not None else x
        return F.relu(out + shortcut)


class FixupResNet(nn.Module):
    def __init__(self, channels, classes, widths, blocks, stem):
        super().__init__()
        self.conv = nn.Conv2d(channels, stem, 3, 1, 1, bias=False)
        self.bias = nn.Parameter(torch.zeros(1))
        total = sum(blocks)
        layers, cin = [], stem
        for s, (w, n) in enumerate(zip(widths, blocks)):
            for b in range(n):
                layers.append(Block(cin, w, 2 if s > 0 and b == 0 else 1, total))
                cin = w
        self.layers = nn.Sequential(*layers)
        self.bias_in = nn.Parameter(torch.zeros(1))
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = F.relu(self.conv(x) + self.bias)
        x = self.layers(x)
        x = x.mean((2, 3))
        return self.fc(x + self.bias_in)


def busy_seconds():
    """CPU time (s) all processes spent since boot, or None without /proc/stat."""
    try:
        with open('/proc/stat') as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return (sum(v) - v[3] - v[4]) / os.sysconf('SC_CLK_TCK')
    except OSError:
        return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--batch', type=int, default=128)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--height', type=int, default=32)
    p.add_argument('--width', type=int, default=32)
    p.add_argument('--channels', type=int, default=3)
    p.add_argument('--classes', type=int, default=10)
    p.add_argument('--widths', default='16,32,64')
    p.add_argument('--blocks', default='1,1,1')
    p.add_argument('--seconds', type=float, default=8.0, help='measuring time per phase')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    widths = [int(v) for v in a.widths.split(',')]
    blocks = [int(v) for v in a.blocks.split(',')]
    model = FixupResNet(a.channels, a.classes, widths, blocks, widths[0])
    small = [p for n, p in model.named_parameters() if 'bias' in n or 'scale' in n]
    large = [p for n, p in model.named_parameters() if not ('bias' in n or 'scale' in n)]
    opt = torch.optim.SGD([{'params': large}, {'params': small, 'lr': 0.01}], lr=0.1, momentum=0.9, weight_decay=1e-4)
    x = torch.randn(a.batch, a.channels, a.height, a.width)
    y = torch.randint(0, a.classes, (a.batch,))

    def train_step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    def infer_step():
        with torch.no_grad():
            model(x)

    result = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'batch': a.batch}
    other, wall = 0.0, 0.0
    for name, step in (('train', train_step), ('infer', infer_step)):
        for _ in range(3):
            step()
        busy0, cpu0 = busy_seconds(), time.process_time()
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < a.seconds:
            step()
            n += 1
        elapsed = time.perf_counter() - t0
        result[f'{name}_samples_per_s'] = n * a.batch / elapsed
        if busy0 is not None:
            other += busy_seconds() - busy0 - (time.process_time() - cpu0)
            wall += elapsed
    result['other_cores'] = max(0.0, other / wall) if wall else None
    print(json.dumps(result))


if __name__ == '__main__':
    main()
