#!/usr/bin/env python3
"""The same networks, loss and update as FaceSieve's DJL benchmark, in PyTorch.

Usage: torch_train.py backbone NAME CLASSES BATCH WARMUP STEPS
       torch_train.py head CLASSES BATCH SAMPLE_RATE WARMUP STEPS
Prints one JSON line. Threads = os.cpu_count(), like the JVM side.
"""
import json
import math
import os
import resource
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F

torch.set_num_threads(os.cpu_count())
torch.manual_seed(1)


def conv(cin, cout, k=3, s=1, groups=1):
    return nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False)


def embed_head(channels, d):
    return [nn.BatchNorm2d(channels, eps=1e-5), nn.Dropout(0.0), nn.Flatten(),
            nn.Linear(channels * 7 * 7, d), nn.BatchNorm1d(d, eps=1e-5)]


def small(d):
    layers, cin = [], 3
    for i, w in enumerate([32, 48, 96, 128]):
        layers += [conv(cin, w, 3, 2), nn.BatchNorm2d(w), nn.PReLU(w)]
        if i > 0:
            layers += [conv(w, w), nn.BatchNorm2d(w), nn.PReLU(w)]
        cin = w
    return nn.Sequential(*layers, *embed_head(128, d))


class IBasicBlock(nn.Module):
    """insightface iresnet.py: BN-Conv-BN-PReLU-Conv(stride)-BN (+ projection)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(nn.BatchNorm2d(cin), conv(cin, cout), nn.BatchNorm2d(cout),
                                  nn.PReLU(cout), conv(cout, cout, 3, stride), nn.BatchNorm2d(cout))
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                      nn.BatchNorm2d(cout))

    def forward(self, x):
        return self.body(x) + (x if self.down is None else self.down(x))


def iresnet(layers, d):
    mods, cin = [conv(3, 64), nn.BatchNorm2d(64), nn.PReLU(64)], 64
    for n, planes in zip(layers, [64, 128, 256, 512]):
        for i in range(n):
            mods.append(IBasicBlock(cin, planes, 2 if i == 0 else 1))
            cin = planes
    return nn.Sequential(*mods, *embed_head(512, d))


NETS = {"small": small, "iresnet50": lambda d: iresnet([3, 4, 14, 3], d),
        "iresnet18": lambda d: iresnet([2, 2, 2, 2], d)}


def subcenter_arcface_loss(x, w, labels, k, s=64.0, m=0.5):
    """Sub-center ArcFace: cos = max_k <x, W_ck>, target cos(theta+m) with the th/mm fallback."""
    cos = F.linear(F.normalize(x), F.normalize(w)).view(x.shape[0], -1, k).max(dim=2).values
    cos = cos.clamp(-1, 1)
    sin = (1 - cos * cos).clamp(1e-12, 1).sqrt()
    phi = cos * math.cos(m) - sin * math.sin(m)
    phi = torch.where(cos > math.cos(math.pi - m), phi, cos - math.sin(math.pi - m) * m)
    onehot = F.one_hot(labels, cos.shape[1]).to(cos.dtype)
    logits = s * (onehot * phi + (1 - onehot) * cos)
    return F.cross_entropy(logits, labels)


def main(a):
    head = a[0] == "head"
    name = "head-only" if head else a[1]
    o = 1 if head else 2
    classes, batch = int(a[o]), int(a[o + 1])
    rate = float(a[o + 2]) if head else 1.0
    warm, steps = (int(a[o + 3]), int(a[o + 4])) if head else (int(a[o + 2]), int(a[o + 3]))
    d, k = 512, 3
    net = None if head else NETS[name](d)
    w = nn.Parameter(torch.randn(classes * k, d) * 0.01)
    # as FaceSieve's trainer does: under Partial FC the head is updated row-sparse (only the
    # sampled rows and their momentum), otherwise with the other parameters by torch's SGD
    sparse = rate < 1
    params = ([] if head else list(net.parameters())) + ([] if sparse else [w])
    opt = torch.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=5e-4) if params else None
    w_velocity = torch.zeros_like(w) if sparse else None
    g = torch.Generator().manual_seed(7)
    # KEEP_ACTIVATIONS=1: hold every module's output until the step ends, as DJL's per-step
    # NDManager holds every array a step creates; tests whether that explains DJL's peak memory
    kept = []
    keep = os.environ.get("KEEP_ACTIVATIONS") == "1"
    if net is not None and keep:
        for mod in net.modules():
            mod.register_forward_hook(lambda _m, _i, out: kept.append(out))
    t0 = 0.0
    for step in range(warm + steps):
        if step == warm:
            t0 = time.perf_counter()
        x = torch.randn(batch, d) if head else torch.randn(batch, 3, 112, 112)
        labels = torch.randint(0, classes, (batch,), generator=g)
        weight = w
        if rate < 1:
            pos = torch.unique(labels)
            n = max(int(math.ceil(rate * classes)), len(pos))
            mask = torch.ones(classes, dtype=torch.bool)
            mask[pos] = False
            neg = torch.nonzero(mask).flatten()
            neg = neg[torch.randperm(len(neg), generator=g)[: n - len(pos)]]
            subset = torch.sort(torch.cat([pos, neg])).values
            labels = torch.searchsorted(subset, labels)
            rows = (subset.view(-1, 1) * k + torch.arange(k).view(1, -1)).flatten()
            weight = w.detach()[rows].requires_grad_()
        f = x if head else net(x)
        loss = subcenter_arcface_loss(f, weight, labels, k)
        if opt is not None:
            opt.zero_grad()
        loss.backward()
        if opt is not None:
            opt.step()
        if sparse:
            with torch.no_grad():
                v = w_velocity[rows] * 0.9 + weight.grad + 5e-4 * weight
                w_velocity[rows] = v
                w[rows] = weight - 0.01 * v
        kept.clear()
    secs = time.perf_counter() - t0
    impl = "pytorch-" + torch.__version__ + (" (outputs kept)" if keep else "")
    print(json.dumps({"impl": impl, "net": name, "classes": classes,
                      "batch": batch, "sample_rate": rate, "steps": steps,
                      "images_per_s": round(steps * batch / secs, 2),
                      "steps_per_s": round(steps / secs, 3),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main(sys.argv[1:])
