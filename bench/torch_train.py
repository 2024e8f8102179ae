# PyTorch peer for bench/train-speed.ts: the same models, init, optimizer and batches; prints one JSON line.
import argparse
import gzip
import json
import os
import resource
import time

import numpy as np
import torch
from torch import nn

POOL_BATCHES = 20  # both engines cycle through the same number of pre-built batches


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def conv_bn():
    """10-conv-bn: TF 'same' padding for these sizes is symmetric (1, 2, 2)."""
    return nn.Sequential(
        nn.Conv2d(1, 12, 3, padding=1, bias=False), nn.BatchNorm2d(12, eps=1e-3, momentum=0.01), nn.ReLU(),
        nn.Conv2d(12, 24, 6, stride=2, padding=2, bias=False), nn.BatchNorm2d(24, eps=1e-3, momentum=0.01), nn.ReLU(),
        nn.Conv2d(24, 32, 6, stride=2, padding=2, bias=False), nn.BatchNorm2d(32, eps=1e-3, momentum=0.01), nn.ReLU(),
        nn.Flatten(),
        nn.Linear(1568, 200, bias=False), nn.BatchNorm1d(200, eps=1e-3, momentum=0.01), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(200, 10),
    )


def relu_dense():
    """03-relu-adam."""
    return nn.Sequential(nn.Linear(784, 200), nn.ReLU(), nn.Linear(200, 60), nn.ReLU(), nn.Linear(60, 10))


def same_conv(cin, cout, k, bias=True):
    """A stride-1 conv with TF's 'same' padding (PyTorch puts the odd pixel after, as TF does)."""
    return nn.Conv2d(cin, cout, k, padding="same", bias=bias)


def codelab_maxpool():
    """The codelab's conv net with 2x2 max-pooling in place of the strides: 28 -> 14 -> 7."""
    return nn.Sequential(
        same_conv(1, 12, 3), nn.ReLU(), same_conv(12, 24, 6), nn.ReLU(), nn.MaxPool2d(2),
        same_conv(24, 32, 6), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1568, 200), nn.ReLU(), nn.Linear(200, 10),
    )


def gap_head():
    """10-conv-bn's conv/BN/relu stack, a 3x3 conv to 10 channels, global average pooling (softmax in the loss)."""
    return nn.Sequential(
        nn.Conv2d(1, 12, 3, padding=1, bias=False), nn.BatchNorm2d(12, eps=1e-3, momentum=0.01), nn.ReLU(),
        nn.Conv2d(12, 24, 6, stride=2, padding=2, bias=False), nn.BatchNorm2d(24, eps=1e-3, momentum=0.01), nn.ReLU(),
        nn.Conv2d(24, 32, 6, stride=2, padding=2, bias=False), nn.BatchNorm2d(32, eps=1e-3, momentum=0.01), nn.ReLU(),
        nn.Conv2d(32, 10, 3, padding=1), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
    )


def small_pool_cnn():
    """The small pooling CNN of issue 10: conv 12, pool, conv 24, pool, dense 200."""
    return nn.Sequential(
        same_conv(1, 12, 3), nn.ReLU(), nn.MaxPool2d(2), same_conv(12, 24, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1176, 200), nn.ReLU(), nn.Linear(200, 10),
    )


MODELS = {
    "10-conv-bn": (conv_bn, 0.01, True),
    "03-relu-adam": (relu_dense, 0.001, False),
    "codelab-maxpool": (codelab_maxpool, 0.01, True),
    "gap-head": (gap_head, 0.01, True),
    "small-pool-cnn": (small_pool_cnn, 0.01, True),
}


def glorot(model):
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True, choices=MODELS)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data-dir", required=True)
    p.add_argument("--mode", choices=["train", "infer"], default="train")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    build, lr, is_conv = MODELS[a.model]
    model = build()
    glorot(model)
    shape = (-1, 1, 28, 28) if is_conv else (-1, 784)
    result = {"engine": "pytorch " + torch.__version__, "model": a.model, "batch": a.batch, "mode": a.mode, "threads": a.threads}

    if a.mode == "train":
        images = read_idx(os.path.join(a.data_dir, "train-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(a.data_dir, "train-labels-idx1-ubyte.gz"))
        pool = [
            (torch.from_numpy(images[i * a.batch : (i + 1) * a.batch].astype(np.float32) / 256.0).reshape(shape),
             torch.from_numpy(labels[i * a.batch : (i + 1) * a.batch].astype(np.int64)))
            for i in range(POOL_BATCHES)
        ]
        opt = torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7)
        loss_fn = nn.CrossEntropyLoss()
        model.train()

        def step(i):
            x, y = pool[i % POOL_BATCHES]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss

        for i in range(a.warmup):
            step(i)
        t0 = time.perf_counter()
        for i in range(a.steps):
            loss = step(i)
        seconds = time.perf_counter() - t0
        result.update(steps=a.steps, seconds=seconds, imagesPerSecond=a.steps * a.batch / seconds, loss=float(loss))
    else:
        images = read_idx(os.path.join(a.data_dir, "t10k-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(a.data_dir, "t10k-labels-idx1-ubyte.gz"))
        x = torch.from_numpy(images.astype(np.float32) / 256.0).reshape(shape)
        model.eval()
        best = float("inf")
        with torch.no_grad():
            for rep in range(a.warmup + 3):
                t0 = time.perf_counter()
                preds = torch.cat([model(x[s : s + a.batch]).argmax(1) for s in range(0, len(x), a.batch)])
                if rep >= a.warmup:
                    best = min(best, time.perf_counter() - t0)
        result.update(count=len(x), seconds=best, imagesPerSecond=len(x) / best, accuracy=float((preds.numpy() == labels).mean()))
    result["peakRssMB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(result))


if __name__ == "__main__":
    main()
