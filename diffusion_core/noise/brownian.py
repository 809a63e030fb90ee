"""Brownian-tree noise: the same Brownian path W(sigma) whatever the step count (k-diffusion's
BrownianTreeNoiseSampler convention: noise(sigma, sigma_next) = (W(sigma_next) - W(sigma)) / sqrt|sigma_next - sigma|).

W on [sigma_lo, sigma_hi] is built by Brownian-bridge bisection with a seed per tree node (numpy SeedSequence), so a query at
any sigma gives the same value for a given seed: W(a) = 0, W(b) = sqrt(b - a) z_root, each midpoint
W(m) = (W(l) + W(r)) / 2 + sqrt((r - l) / 4) z_node, down to DEPTH levels, linear inside a leaf
(leaf width (b - a) / 2^depth, depth = DEPTH or more so that a leaf is at most MIN_LEAF wide: a flow
schedule's t = 1, sigma = 2^24 - 1, gets 42 levels). Increments over the steps of N = 10 and of N = 20 then come from one path,
so a comparison across N is not a comparison of different noise.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ..protocols import NoiseSampler
from ..validation import InputError

Tensor = torch.Tensor
DEPTH = 24
MIN_LEAF = 80.0 / 2**DEPTH  # the leaf width of a tree over [0, 80] (EDM's sigma_max)


class BrownianTree:
    """W(sigma) of shape `shape` on [sigma_lo, sigma_hi], deterministic in `seed`."""

    def __init__(self, shape: tuple[int, ...], sigma_lo: float, sigma_hi: float, seed: int = 0) -> None:
        if not (0 <= sigma_lo < sigma_hi and math.isfinite(sigma_hi)):
            raise InputError(f"Brownian tree needs 0 <= sigma_lo < sigma_hi < inf, got {sigma_lo:g}, {sigma_hi:g}")
        if int(seed) < 0:
            raise InputError(f"Brownian tree seed must be >= 0, got {seed}")
        self.shape, self.a, self.b, self.seed = tuple(shape), float(sigma_lo), float(sigma_hi), int(seed)
        self.depth = max(DEPTH, math.ceil(math.log2((self.b - self.a) / MIN_LEAF)))

    def _z(self, node: int) -> Tensor:
        """N(0, 1) of node `node`, from numpy's SeedSequence((seed, node)): every node its own stream (torch's
        mt19937 keeps only 32 bits of a seed, so node numbers past 2^32 in deep trees would repeat draws)."""
        return torch.from_numpy(np.random.default_rng((self.seed, node)).standard_normal(self.shape))

    def __call__(self, sigma: float) -> Tensor:
        """W(sigma) (sigma clipped to the tree's interval)."""
        s = min(max(float(sigma), self.a), self.b)
        lo, hi, w_lo, w_hi, node = self.a, self.b, torch.zeros(self.shape, dtype=torch.float64), None, 1
        w_hi = math.sqrt(self.b - self.a) * self._z(node)
        for _ in range(self.depth):
            mid = 0.5 * (lo + hi)
            w_mid = 0.5 * (w_lo + w_hi) + math.sqrt((hi - lo) / 4) * self._z(2 * node)
            if s <= mid:
                hi, w_hi, node = mid, w_mid, 2 * node
            else:
                lo, w_lo, node = mid, w_mid, 2 * node + 1
        frac = (s - lo) / (hi - lo) if hi > lo else 0.0
        return (1 - frac) * w_lo + frac * w_hi

    def increment(self, sigma: float, sigma_next: float) -> Tensor:
        """(W(sigma_next) - W(sigma)) / sqrt|sigma_next - sigma|: N(0, 1) per element."""
        return (self(sigma_next) - self(sigma)) / math.sqrt(abs(sigma_next - sigma))


def brownian_noise(sigmas: Tensor, seed: int = 0) -> NoiseSampler:
    """A NoiseSampler for one sampler run over `sigmas`: its k-th call returns the tree increment of step k
    (sigmas[k] -> sigmas[k + 1]); the tree spans [0, sigmas[0]] and depends only on the seed and sigmas[0]."""
    sig = [float(s) for s in sigmas]
    state = {"k": 0, "tree": None}

    def sample(shape, generator, dtype=torch.float32):
        k = state["k"]
        if state["tree"] is None or state["tree"].shape != tuple(shape):
            state["tree"] = BrownianTree(tuple(shape), 0.0, sig[0], seed)
        if k >= len(sig) - 1:
            raise InputError(f"brownian_noise was called {k + 1} times for {len(sig) - 1} steps")
        state["k"] = k + 1
        return state["tree"].increment(sig[k], sig[k + 1]).to(dtype)

    return sample
