#!/usr/bin/env python3
"""The reference study's training step in PyTorch (CPU), for comparison with
`graphcam bench resnet50-modified --train`.

ResNet50 (Keras layout: stride on the first 1x1 conv of each stage, BN epsilon 1.001e-5)
+ global average pooling + Dense(2), input 112x112, batch 16, Adam (Keras defaults),
categorical cross-entropy. Recipe `last10+bn`: only conv5_block3 (its three convs and
BNs), every BN's gamma/beta and the head are trainable; BN layers whose gamma/beta train
run in training mode (batch statistics), as in Keras.

Not a CI dependency: needs `pip install torch==2.13.0+cpu` in some venv.

Usage: torch_train_step.py [--batch 16] [--size 112] [--threads 2] [--steps 10] [--freeze last10+bn|head|none] [--json]
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn


class Bottleneck(nn.Module):
    def __init__(self, cin, filters, stride, shortcut):
        super().__init__()
        eps = 1.001e-5
        self.shortcut = None
        if shortcut:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, 4 * filters, 1, stride),
                                          nn.BatchNorm2d(4 * filters, eps=eps, momentum=0.01))
        self.conv1 = nn.Conv2d(cin, filters, 1, stride)
        self.bn1 = nn.BatchNorm2d(filters, eps=eps, momentum=0.01)
        self.conv2 = nn.Conv2d(filters, filters, 3, 1, padding=1)
        self.bn2 = nn.BatchNorm2d(filters, eps=eps, momentum=0.01)
        self.conv3 = nn.Conv2d(filters, 4 * filters, 1)
        self.bn3 = nn.BatchNorm2d(4 * filters, eps=eps, momentum=0.01)

    def forward(self, x):
        s = x if self.shortcut is None else self.shortcut(x)
        y = torch.relu(self.bn1(self.conv1(x)))
        y = torch.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return torch.relu(y + s)


class ResNet50Modified(nn.Module):
    def __init__(self, classes=2):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, padding=3)
        self.bn1 = nn.BatchNorm2d(64, eps=1.001e-5, momentum=0.01)
        self.pool = nn.MaxPool2d(3, 2, padding=1)
        blocks, cin = [], 64
        for filters, count, stride in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]:
            for i in range(count):
                blocks.append(Bottleneck(cin, filters, stride if i == 0 else 1, i == 0))
                cin = 4 * filters
        self.blocks = nn.ModuleList(blocks)
        self.head = nn.Linear(2048, classes)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))
        for b in self.blocks:
            x = b(x)
        return self.head(x.mean(dim=(2, 3)))


def apply_recipe(model, recipe):
    for p in model.parameters():
        p.requires_grad = recipe == "none"
    if recipe == "none":
        return
    for p in model.head.parameters():
        p.requires_grad = True
    if recipe == "last10+bn":
        last = model.blocks[-1]
        for m in (last.conv1, last.conv2, last.conv3):  # conv5_block3_{1,2,3}_conv
            for p in m.parameters():
                p.requires_grad = True
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                for p in m.parameters():
                    p.requires_grad = True
    # Keras 2+: a BN layer whose weights are frozen runs in inference mode.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.train(any(p.requires_grad for p in m.parameters()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--size", type=int, default=112)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--freeze", default="last10+bn", choices=["last10+bn", "head", "none"])
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = ResNet50Modified()
    model.train()
    apply_recipe(model, a.freeze)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    x = torch.randn(a.batch, 3, a.size, a.size)
    y = torch.randint(0, 2, (a.batch,))
    loss_fn = nn.CrossEntropyLoss()
    times = []
    for step in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        t = time.perf_counter() - t0
        if step >= a.warmup:
            times.append(t)
    times.sort()
    median = times[len(times) // 2]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {"framework": f"pytorch {torch.__version__}", "batch": a.batch, "size": a.size,
              "threads": a.threads, "freeze": a.freeze, "seconds_per_step": median,
              "min_seconds_per_step": times[0], "images_per_second": a.batch / median,
              "trainable_parameters": sum(p.numel() for p in params), "peak_rss_mb": rss_mb}
    if a.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    main()
