# PyTorch peer for bench/softmax-recipe.ts: the codelab's step 1 recipe (784->10 softmax, glorot init, plain SGD
# at 0.01, batch 128, 468 steps x 10 epochs, pixels / 256) over several seeds; prints one JSON line.
import argparse
import json
import os

import numpy as np
import torch
from torch import nn

from torch_train import read_idx


def load(data_dir, kind):
    images = read_idx(os.path.join(data_dir, f"{kind}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, f"{kind}-labels-idx1-ubyte.gz"))
    return torch.from_numpy(images.reshape(-1, 784).astype(np.float32) / 256.0), torch.from_numpy(labels.astype(np.int64))


def train_once(seed, x, y, x_test, y_test, epochs, batch):
    torch.manual_seed(seed)
    model = nn.Linear(784, 10)
    nn.init.xavier_uniform_(model.weight)
    nn.init.zeros_(model.bias)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    steps_per_epoch = len(x) // batch
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for s in range(steps_per_epoch):
            idx = order[s * batch : (s + 1) * batch]
            loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        return (model(x_test).argmax(1) == y_test).float().mean().item()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data-dir", required=True)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    x, y = load(a.data_dir, "train")
    x_test, y_test = load(a.data_dir, "t10k")
    accuracies = [train_once(seed, x, y, x_test, y_test, a.epochs, 128) for seed in range(a.seeds)]
    print(json.dumps({"engine": "pytorch " + torch.__version__, "accuracies": accuracies}))


if __name__ == "__main__":
    main()
