#!/usr/bin/env python3
"""Optional side-by-side timing: the same classifier training step as bench_classifier_step, in PyTorch.

Nothing in the build or tests depends on this script (DESIGN.md allows this one exception). It needs
Debian's python3-torch (PyTorch 1.13 with oneDNN) and runs on the CPU with 2 threads:

    /usr/bin/python3 bench/pytorch_classifier_step.py [--seconds 3] [--repetitions 1]
    /usr/bin/python3 bench/pytorch_classifier_step.py --whole-run   # as bench_classifier_step's BM_ClassifierRun

One step = forward in training mode (batch norm, dropout 0.5), cross-entropy, backward, Adam
(lr 1e-3); batch 32 of fixed random 1x64x64 images, 22 classes. The network mirrors
nets/classifier.cpp: per width 32, 64, 128, 256 two bias-free 3x3 convolutions each followed by
batch norm and ReLU, then 2x2 max pooling; global average pooling, dropout, a linear head.
Also the eval-mode forward (prediction). Prints the median ms per step of each repetition.

--whole-run: a whole short training run as BM_ClassifierRun makes it (nets/classifier_trainer.cpp,
files aside): 3 epochs over 32 random images of each class (704) with 8 of each (176) for
validation; each epoch 22 shuffled steps, StepLR (7 epochs, 0.1), then the precise batch-norm pass
(the running statistics as the average over the training images in batches of 32), validation in
eval mode (loss, accuracy) and a copy of the best epoch's state; prints training images/s.
"""
import argparse
import copy
import math
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


def random_set(per_class, generator):
    count = per_class * CLASSES
    images = torch.randint(0, 256, (count, CHANNELS, RESOLUTION, RESOLUTION), dtype=torch.uint8, generator=generator)
    return images, torch.arange(count) % CLASSES


def whole_run():
    epochs, norm_images = 3, 2048
    generator = torch.Generator().manual_seed(4)
    train_x, train_y = random_set(32, generator)
    val_x, val_y = random_set(8, generator)
    model = Classifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    schedule = torch.optim.lr_scheduler.StepLR(optimizer, 7, 0.1)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    as_float = lambda x: x.float() / 127.5 - 1  # the loader's bytes to [-1, 1]
    start = time.perf_counter()
    best, images = None, 0
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(train_y), generator=generator)
        loss_sum, correct = 0.0, 0
        for step in range(math.ceil(len(train_y) / BATCH)):
            rows = order[step * BATCH:(step + 1) * BATCH]
            optimizer.zero_grad()
            logits = model(as_float(train_x[rows]))
            loss = F.cross_entropy(logits, train_y[rows])
            loss.backward()
            optimizer.step()
            loss_sum += loss.item()
            correct += (logits.argmax(1) == train_y[rows]).sum().item()
            images += len(rows)
        schedule.step()
        with torch.no_grad():  # precise batch norm: a cumulative average over the sample
            sample = torch.randperm(len(train_y), generator=generator)[:norm_images]
            for bn in norms:
                bn.reset_running_stats()
                bn.momentum = None
            for k in range(0, len(sample), BATCH):
                model(as_float(train_x[sample[k:k + BATCH]]))
            for bn in norms:
                bn.momentum = 0.1
            model.eval()
            val_loss, val_correct = 0.0, 0
            for k in range(0, len(val_y), BATCH):
                logits = model(as_float(val_x[k:k + BATCH]))
                val_loss += F.cross_entropy(logits, val_y[k:k + BATCH], reduction="sum").item()
                val_correct += (logits.argmax(1) == val_y[k:k + BATCH]).sum().item()
        key = (val_correct, -val_loss)
        if best is None or key > best[0]:
            best = (key, copy.deepcopy(model.state_dict()))
    model.load_state_dict(best[1])
    seconds = time.perf_counter() - start
    print(f"whole run: {images} training images in {seconds:.1f} s, {images / seconds:.1f} images/s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time spent per measurement")
    parser.add_argument("--repetitions", type=int, default=1, help="measurements of each")
    parser.add_argument("--whole-run", action="store_true", help="time a whole short training run instead")
    args = parser.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(1)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, oneDNN {torch.backends.mkldnn.is_available()}")
    if args.whole_run:
        whole_run()
        return
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
