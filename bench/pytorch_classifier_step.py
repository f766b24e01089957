#!/usr/bin/env python3
"""Optional side-by-side timing: the same classifier training step as bench_classifier_step, in PyTorch.

Nothing in the build or tests depends on this script (DESIGN.md allows this one exception). It needs
Debian's python3-torch (PyTorch 1.13 with oneDNN) and runs on the CPU with 2 threads:

    /usr/bin/python3 bench/pytorch_classifier_step.py [--seconds 3] [--repetitions 1]

One step = forward in training mode (batch norm, dropout 0.5), cross-entropy, backward, Adam
(lr 1e-3); batch 32 of fixed random 1x64x64 images, 22 classes. The network mirrors
nets/classifier.cpp: per width 32, 64, 128, 256 two bias-free 3x3 convolutions each followed by
batch norm and ReLU, then 2x2 max pooling; global average pooling, dropout, a linear head.
Also the eval-mode forward (prediction). Prints the median ms per step of each repetition.
"""
import argparse
import sys
import time

import torch
import torch.nn.functional as F

BATCH, RESOLUTION, CHANNELS, CLASSES, WIDTHS, DROPOUT = 32, 64, 1, 22, (32, 64, 128, 256), 0.5


class Classifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        layers, cin = [], CHANNELS
        for w in WIDTHS:
            layers += [torch.nn.Conv2d(cin, w, 3, padding=1, bias=False), torch.nn.BatchNorm2d(w), torch.nn.ReLU(),
                       torch.nn.Conv2d(w, w, 3, padding=1, bias=False), torch.nn.BatchNorm2d(w), torch.nn.ReLU(),
                       torch.nn.MaxPool2d(2)]
            cin = w
        self.features = torch.nn.Sequential(*layers)
        self.head = torch.nn.Linear(cin, CLASSES)

    def forward(self, x):
        h = self.features(x).mean(dim=(2, 3))  # global average pool
        return self.head(F.dropout(h, DROPOUT, self.training))


def median_ms(fn, seconds):
    fn()  # warm-up: allocations, Adam's state, oneDNN primitives
    times = []
    while sum(times) < seconds or len(times) < 3:
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return 1000 * times[len(times) // 2], len(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time spent per measurement")
    parser.add_argument("--repetitions", type=int, default=1, help="measurements of each")
    args = parser.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(1)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, oneDNN {torch.backends.mkldnn.is_available()}")
    model = Classifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    images = torch.rand(BATCH, CHANNELS, RESOLUTION, RESOLUTION) * 2 - 1
    labels = torch.arange(BATCH) % CLASSES
    print(f"{sum(p.numel() for p in model.parameters())} parameters")

    def train_step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()

    def predict():
        with torch.no_grad():
            model(images)

    for r in range(args.repetitions):
        model.train()
        ms, n = median_ms(train_step, args.seconds)
        print(f"train step: {ms:8.1f} ms/step (median of {n})")
        model.eval()
        ms, n = median_ms(predict, args.seconds)
        print(f"predict:    {ms:8.1f} ms/batch (median of {n})")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
