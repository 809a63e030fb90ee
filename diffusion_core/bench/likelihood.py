"""`difflab bench likelihood --model NAME [--n 1000] [--steps 50] [--pair PAIR] --json`: the negative ELBO of a
pair network's N-step chain on the held-out MNIST digits, in bits per dimension (nonnormal/likelihood.py)."""

from __future__ import annotations

import math
import time
from typing import Any

import torch

from ..data import load_mnist
from ..models.registry import get_model
from ..nonnormal.likelihood import DELTA, bootstrap_ci, chain_nll
from ..nonnormal.losses import PAIRS
from ..validation import InputError, check_choice, check_int

BATCH = 100


def run(
    quick: bool,
    device: torch.device | str = "cpu",
    model: str = "mnist-li-gaussian-gaussian-unet2d",
    n: int = 1000,
    steps: int = 50,
    pair: str | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """bpd (mean over n held-out digits), its bootstrap 95 % interval, and the terms of the bound in bits/dim."""
    m = get_model(model, device)
    pair = pair or m.spec.pair
    if pair is None:
        raise InputError(
            f"model {model!r} was not trained with an increment pair; give --pair (one of {', '.join(PAIRS)})"
        )
    check_choice("pair", pair, PAIRS)
    n = check_int("n", 16 if quick else n, 1, 1000)
    steps = check_int("steps", 4 if quick else steps, 2, 1000)
    x, _ = load_mnist("heldout")
    if tuple(x.shape[1:]) != tuple(m.spec.shape):
        raise InputError(f"model {model!r} is not an MNIST network (shape {list(m.spec.shape)})")
    g = torch.Generator().manual_seed(seed)
    t0 = time.perf_counter()
    parts = [chain_nll(m.denoiser, x[i : i + BATCH].to(m.device), pair, steps, g) for i in range(0, n, BATCH)]
    bpd = torch.cat([p.bpd for p in parts]).cpu().numpy()
    dims, ln2 = parts[0].dims, 0.6931471805599453
    term = lambda f: float(torch.cat([f(p) for p in parts]).mean()) / (dims * ln2)  # noqa: E731
    return {
        "model": model,
        "pair": pair,
        "bpd": float(bpd.mean()),
        "bpd_ci": list(bootstrap_ci(bpd, seed)),
        "n": n,
        "steps": steps,
        "seed": seed,
        "dequantisation": f"uniform, bin {DELTA:.6g}",
        "terms_bpd": {
            "prior": term(lambda p: p.prior),
            "steps_kl": term(lambda p: p.steps_kl),
            "decoder": term(lambda p: p.decoder),
            "bins": math.log2(1 / DELTA),
        },
        "seconds": time.perf_counter() - t0,
    }
