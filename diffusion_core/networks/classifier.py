"""A small MNIST classifier, the yardstick of the digit-quality metrics (evaluation/metrics.py).

    conv 3x3 (1 -> 32), SiLU, max-pool 2      [B, 32, 14, 14]
    conv 3x3 (32 -> 64), SiLU, max-pool 2     [B, 64, 7, 7]
    flatten, linear (3136 -> 64), SiLU        [B, 64]    the features of the Frechet distance
    linear (64 -> 10)                         [B, 10]    logits

Trained once on the 9,000-digit training split (`train_classifier`, seeded; random shifts of up to
2 pixels), weights in models/weights/classifier/mnist-cnn.safetensors with a JSON sidecar holding
their sha256 and the held-out accuracy. Loading checks the hash and never unpickles.
"""

from __future__ import annotations

import json
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from .. import data
from .weights import read_weights, sha256_of, write_weights

Tensor = torch.Tensor
CLASSIFIER_DIR = Path(__file__).resolve().parents[1] / "models" / "weights" / "classifier"  # package data
NAME = "mnist-cnn"
FEATURES = 64


class DigitNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(1, 32, 3, padding=1)
        self.c2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc = nn.Linear(64 * 7 * 7, FEATURES)
        self.head = nn.Linear(FEATURES, 10)

    def features(self, x: Tensor) -> Tensor:
        """Penultimate features [B, 64] of digits x [B, 1, 28, 28] in [-1, 1]."""
        h = F.max_pool2d(F.silu(self.c1(x)), 2)
        h = F.max_pool2d(F.silu(self.c2(h)), 2)
        return F.silu(self.fc(h.flatten(1)))

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x))


def random_shift(x: Tensor, g: torch.Generator, pad: int = 2) -> Tensor:
    """Each image shifted by up to `pad` pixels in x and y (background -1 fills in)."""
    b, _, h, w = x.shape
    xp = F.pad(x, (pad, pad, pad, pad), value=-1.0)
    dx, dy = torch.randint(0, 2 * pad + 1, (2, b), generator=g)
    return torch.stack([xp[i, :, dy[i] : dy[i] + h, dx[i] : dx[i] + w] for i in range(b)])


@torch.no_grad()
def accuracy(net: DigitNet, x: Tensor, y: Tensor) -> float:
    return float((net.eval()(x).argmax(1) == y).float().mean())


def train_classifier(
    epochs: int = 15, batch: int = 128, lr: float = 2e-3, seed: int = 0
) -> tuple[DigitNet, dict[str, Any]]:
    """Adam with a linear decay to 0 over `epochs` passes of the training split; returns (net, numbers).

    The initial weights come from torch.manual_seed(seed) inside a fork_rng (the global state is untouched)."""
    x, y = data.load_mnist("train")
    g = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        net = DigitNet()
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    steps, t0, step = epochs * (len(x) // batch), time.perf_counter(), 0
    for _ in range(epochs):
        perm = torch.randperm(len(x), generator=g)
        for i in range(len(x) // batch):
            idx = perm[i * batch : (i + 1) * batch]
            for group in opt.param_groups:
                group["lr"] = lr * (1.0 - step / steps)
            loss = F.cross_entropy(net.train()(random_shift(x[idx], g)), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
    xh, yh = data.load_mnist("heldout")
    run = {
        "epochs": epochs,
        "batch_size": batch,
        "lr": lr,
        "seed": seed,
        "steps": steps,
        "train_time": round(time.perf_counter() - t0, 1),
        "train_accuracy": round(accuracy(net, x, y), 4),
        "heldout_accuracy": round(accuracy(net, xh, yh), 4),
    }
    return net.eval(), run


def save_classifier(net: DigitNet, run: dict[str, Any], out_dir: Path = CLASSIFIER_DIR) -> dict[str, Any]:
    path = write_weights(net, out_dir, NAME)
    side = {
        "name": NAME,
        "kind": "classifier",
        "dataset": "mnist (training split, 9,000)",
        "weights": path.name,
        "sha256": sha256_of(path),
        "params": sum(p.numel() for p in net.parameters()),
        **run,
    }
    (out_dir / f"{NAME}.json").write_text(json.dumps(side, indent=1) + "\n")
    return side


@lru_cache(maxsize=1)
def load_classifier(weights_dir: Path = CLASSIFIER_DIR) -> DigitNet:
    """The shipped classifier, sha256 checked against its sidecar, then safetensors (never pickle)."""
    side = json.loads((weights_dir / f"{NAME}.json").read_text())
    state = read_weights(weights_dir / f"{NAME}.safetensors", side["sha256"], "classifier weights have", "sidecar")
    net = DigitNet()
    net.load_state_dict(state, strict=True)
    return net.eval()


if __name__ == "__main__":  # python -m diffusion_core.networks.classifier
    torch.set_num_threads(1)  # the shipped weights were trained with one thread
    trained, numbers = train_classifier()
    print(json.dumps(save_classifier(trained, numbers), indent=1))
