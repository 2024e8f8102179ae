# PyTorch peer for bench/speedrun.ts: the speedrun recipe (the native engine's own layer specs, the per-step learning
# rates, the batch order and augmentation mnist-lab draws) trained from process start, speaking `mnist-lab speedrun`'s
# child protocol: one JSON line when training starts and one per evaluation on the 10k test digits.
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from torch_train import read_idx


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


ACTIVATIONS = {"linear": None, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}


def window(g):
    """TF's pads (top, bottom, left, right) as a ZeroPad2d, or nothing when there are none."""
    pads = (g["padLeft"], g["padRight"], g["padTop"], g["padBottom"])
    return [nn.ZeroPad2d(pads)] if any(pads) else []


def build(layers):
    """nn.Sequential from the native engine's layer specs (src/engine/native/addon.ts LayerSpec), NCHW."""
    modules, image, frozen = [], True, []
    for spec in layers:
        kind = spec["kind"]
        if kind == "conv":
            g = spec["geometry"]
            conv = nn.Conv2d(g["inChannels"], g["outChannels"], (g["filterHeight"], g["filterWidth"]),
                             stride=(g["strideHeight"], g["strideWidth"]), bias=spec["bias"])
            modules += window(g) + [conv]
        elif kind == "dense":
            if image:
                modules.append(nn.Flatten())
                image = False
            modules.append(nn.Linear(spec["inFeatures"], spec["units"], bias=spec["bias"]))
        elif kind in ("maxPool", "avgPool"):
            g = spec["geometry"]
            if any((g["padTop"], g["padBottom"], g["padLeft"], g["padRight"])):
                raise SystemExit("torch_speedrun.py: padded pooling is not mirrored")
            pool = nn.MaxPool2d if kind == "maxPool" else nn.AvgPool2d
            modules.append(pool((g["filterHeight"], g["filterWidth"]), stride=(g["strideHeight"], g["strideWidth"])))
        elif kind == "globalAvgPool":
            modules += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
            image = False
        elif kind == "batchNorm":
            norm = (nn.BatchNorm2d if image else nn.BatchNorm1d)(spec["channels"], eps=spec["epsilon"], momentum=1 - spec["momentum"])
            if not spec["scale"]:
                frozen.append(norm.weight)
            if not spec["center"]:
                frozen.append(norm.bias)
            modules.append(norm)
        elif kind == "dropout":
            modules.append(nn.Dropout(spec["rate"]))
        elif kind != "activation":
            raise SystemExit(f"torch_speedrun.py: no mirror for layer kind {kind}")
        activation = ACTIVATIONS[spec.get("activation", "linear")]
        if activation is not None:
            modules.append(activation())
    model = nn.Sequential(*modules)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)  # TF.js's glorotUniform
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    for p in frozen:
        p.requires_grad_(False)
    return model


def augment(x, transforms):
    """mnist-lab's warp (src/data/augment.ts): sample the source at C + R(-angle)(out - C - d) / zoom, bilinear, 0 outside."""
    dx, dy, angle, zoom = (torch.from_numpy(transforms[:, i].astype(np.float32)) for i in range(4))
    cos = torch.cos(angle * (np.pi / 180)) / zoom
    sin = torch.sin(angle * (np.pi / 180)) / zoom
    centre = 13.5
    theta = torch.stack([
        torch.stack([cos, -sin, -(cos * dx - sin * dy) / centre], 1),
        torch.stack([sin, cos, -(sin * dx + cos * dy) / centre], 1),
    ], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=True)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--recipe", required=True, help="JSON: layers, batchSize, totalSteps, evaluateEvery, lr, labelSmoothing, optimizer")
    p.add_argument("--order", required=True, help="int32 digit indices, batchSize per step")
    p.add_argument("--transforms", help="float64 (dx, dy, angle, zoom) per digit of --order")
    p.add_argument("--data-dir", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    with open(a.recipe) as f:
        recipe = json.load(f)
    images = read_idx(os.path.join(a.data_dir, "train-images-idx3-ubyte.gz"))
    labels = torch.from_numpy(read_idx(os.path.join(a.data_dir, "train-labels-idx1-ubyte.gz")).astype(np.int64))
    train = torch.from_numpy(images.astype(np.float32) / 256.0).reshape(-1, 1, 28, 28)
    test = torch.from_numpy(read_idx(os.path.join(a.data_dir, "t10k-images-idx3-ubyte.gz")).astype(np.float32) / 256.0).reshape(-1, 1, 28, 28)
    test_labels = torch.from_numpy(read_idx(os.path.join(a.data_dir, "t10k-labels-idx1-ubyte.gz")).astype(np.int64))
    batch, total, every = recipe["batchSize"], recipe["totalSteps"], recipe["evaluateEvery"]
    order = np.fromfile(a.order, dtype=np.int32).reshape(total, batch)
    transforms = np.fromfile(a.transforms, dtype=np.float64).reshape(total, batch, 4) if a.transforms else None

    model = build(recipe["layers"])
    o = recipe["optimizer"]
    if o["kind"] != "adam":
        raise SystemExit(f"torch_speedrun.py: optimizer {o['kind']} is not mirrored")
    optimizer = torch.optim.Adam([q for q in model.parameters() if q.requires_grad], lr=recipe["lr"][0],
                                 betas=(o["beta1"], o["beta2"]), eps=o["epsilon"])
    loss_fn = nn.CrossEntropyLoss(label_smoothing=recipe["labelSmoothing"])
    evaluation_ms = 0.0
    send({"type": "start"})
    for step in range(total):
        model.train()
        idx = torch.from_numpy(order[step].astype(np.int64))
        x = train[idx]
        if transforms is not None:
            x = augment(x, transforms[step])
        for group in optimizer.param_groups:
            group["lr"] = recipe["lr"][step]
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(x), labels[idx]).backward()
        optimizer.step()
        if (step + 1) % every == 0 or step + 1 == total:
            t0 = time.perf_counter()
            model.eval()
            with torch.no_grad():
                logits = torch.cat([model(test[s : s + 1000]) for s in range(0, len(test), 1000)])
                loss = float(F.cross_entropy(logits, test_labels))
                accuracy = int((logits.argmax(1) == test_labels).sum()) / len(test_labels)
            evaluation_ms += (time.perf_counter() - t0) * 1000
            send({"type": "evaluation", "step": step + 1, "accuracy": accuracy, "loss": loss, "evaluationMs": evaluation_ms})
    send({"type": "end"})


if __name__ == "__main__":
    main()
