"""Small PyTorch models exported with torch.onnx.export, the fixtures of test/onnx-torch.test.ts and
test/onnx-torch-recurrent.test.ts (batch_first LSTM, GRU, RNN, bidirectional, two layers).

Run with Debian's python3-torch: /usr/bin/python3 scripts/torch-onnx-fixtures.py
Each model is written to test/fixtures/onnx/<name>.onnx beside <name>.json, which holds a seeded input batch and
PyTorch's output for it (the test compares semiflow's imported model with these).
"""
import json
import os

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'onnx')


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 6, 3, stride=2), nn.ReLU(), nn.AvgPool2d(2),
        )
        self.head = nn.Linear(6 * 3 * 3, 5)

    def forward(self, x):
        return torch.softmax(self.head(torch.flatten(self.features(x), 1)), dim=1)


class PatternCnn(nn.Module):
    """The activations PyTorch writes as patterns (GELU as Erf, tanh-GELU, SiLU, Mish, Hardswish, Hardsigmoid), both
    AvgPool2d padding forms, Dropout, BatchNorm1d after a Linear and LayerNorm."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.GELU(), nn.AvgPool2d(2, padding=1),
            nn.Conv2d(4, 6, 3, stride=2), nn.SiLU(), nn.Mish(),
            nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False), nn.Hardswish(), nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(6 * 3 * 3, 12), nn.BatchNorm1d(12), nn.GELU(approximate='tanh'), nn.Dropout(0.3),
            nn.Linear(12, 8), nn.LayerNorm(8), nn.Hardsigmoid(), nn.Linear(8, 4),
        )

    def forward(self, x):
        return self.head(self.features(x))


class ViewCnn(nn.Module):
    """Flattens with x.view(x.size(0), -1) and x.view(n, c * h * w): shapes computed by Shape, Gather, Mul, Concat."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 5, stride=4)
        self.fc = nn.Linear(3 * 6 * 6, 4)

    def forward(self, x):
        h = torch.relu(self.conv(x))
        flat = h.view(h.size(0), h.size(1) * h.size(2) * h.size(3))
        return self.fc(flat.view(flat.size(0), -1))


class LastStep(nn.Module):
    """A recurrent layer (batch_first) read at its last step, out[:, -1], then a Linear."""

    def __init__(self, rnn, features):
        super().__init__()
        self.rnn, self.head = rnn, nn.Linear(features, 3)

    def forward(self, x):
        return self.head(self.rnn(x)[0][:, -1])


class FinalState(nn.Module):
    """A classifier on the last layer's final hidden state, h_n[-1]."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn, self.head = rnn, nn.Linear(rnn.hidden_size, 2)

    def forward(self, x):
        h = self.rnn(x)[1]
        return self.head((h[0] if isinstance(h, tuple) else h)[-1])


class Sequence(nn.Module):
    """The whole output sequence, optionally through a Linear at every step."""

    def __init__(self, rnn, head=None):
        super().__init__()
        self.rnn, self.head = rnn, head

    def forward(self, x):
        out = self.rnn(x)[0]
        return out if self.head is None else self.head(out)


def recurrent_models():
    return [
        ('torch-lstm-last', LastStep(nn.LSTM(4, 6, batch_first=True), 6), (3, 5, 4)),
        ('torch-gru-seq', Sequence(nn.GRU(3, 5, batch_first=True)), (2, 6, 3)),
        ('torch-gru-hn', FinalState(nn.GRU(4, 5, batch_first=True)), (3, 5, 4)),
        ('torch-lstm-hn', FinalState(nn.LSTM(4, 5, batch_first=True)), (3, 5, 4)),
        ('torch-bilstm-seq', Sequence(nn.LSTM(3, 4, batch_first=True, bidirectional=True), nn.Linear(8, 2)), (2, 5, 3)),
        ('torch-bilstm-last', LastStep(nn.LSTM(3, 4, batch_first=True, bidirectional=True), 8), (2, 5, 3)),
        ('torch-lstm2-last', LastStep(nn.LSTM(3, 4, num_layers=2, batch_first=True), 4), (2, 5, 3)),
        ('torch-gru2-hn', FinalState(nn.GRU(3, 4, num_layers=2, batch_first=True)), (2, 5, 3)),
        ('torch-rnn-last', LastStep(nn.RNN(3, 4, batch_first=True), 4), (2, 5, 3)),
    ]


def models():
    mlp = nn.Sequential(nn.Linear(12, 16), nn.Tanh(), nn.Linear(16, 8), nn.Sigmoid(), nn.Linear(8, 3))
    return [('torch-mlp', mlp, (6, 12)), ('torch-cnn', Cnn(), (2, 1, 28, 28))]


def pattern_models():
    return [('torch-patterns', PatternCnn(), (3, 1, 28, 28))]


def shape_models():
    return [('torch-view', ViewCnn(), (2, 1, 28, 28))]


def write(name, model, shape):
    """Seeded statistics for the normalizations, a seeded input, PyTorch's output, and the export."""
    model.eval()
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.uniform_(-0.3, 0.3)
            m.running_var.uniform_(0.5, 1.5)
        if isinstance(m, nn.LayerNorm):
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.3, 0.3)
    x = torch.rand(shape) * 2 - 1
    with torch.no_grad():
        y = model(x)
    path = os.path.join(OUT, f'{name}.onnx')
    torch.onnx.export(model, x, path, input_names=['x'], output_names=['y'], opset_version=17,
                      dynamic_axes={'x': {0: 'batch'}, 'y': {0: 'batch'}})
    with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
        json.dump({'xShape': list(shape), 'x': x.flatten().tolist(), 'y': y.flatten().tolist(), 'yShape': list(y.shape)}, f)
    print(name, os.path.getsize(path), 'bytes')


def main():
    os.makedirs(OUT, exist_ok=True)
    # One seed per group, so that adding a group leaves the fixtures of the others as they were.
    for seed, group in [(0, models), (1, pattern_models), (2, shape_models), (3, recurrent_models)]:
        torch.manual_seed(seed)
        for name, model, shape in group():
            write(name, model, shape)


if __name__ == '__main__':
    main()
