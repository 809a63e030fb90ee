"""Sampling the networks that bring their own noise state (registry OWN_SAMPLER), one run function for both:

- GUD networks (kind "gud"): component-wise DDIM in whitened components (gud/learned.ddim_sample), NFE = steps.
- The per-instance spectral network (kind "spectral-instance"): each sample draws its schedule's spectral
  parameters (beta, lam_lo, lam_hi) from the Gaussian mixture in the sidecar (spectral/tight.sample_tight_params,
  seeded by the run's seed), its own sigma ladder sigma_b,i = exp(-lam_b(t_i) / 2) over t_i = linspace(1, 0, N)
  then 0 (noise/discretization.sigmas_from_lam, the data-set tight network's layout), and the network is
  conditioned on c_b = (lam_b(0), lam_b(1)). Heun (EDM Algorithm 1, Euler on the last step) or Euler per sample:

      d_b = (x_b - D(x_b; sigma_b,i, c_b)) / sigma_b,i,   x_b' = x_b + (sigma_b,i+1 - sigma_b,i) d_b   (+ Heun's correction)

  The initial state is sigma_b,0 z_b with z from torch.Generator(seed), as sampling/run.initial_noise draws it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from ..gud.learned import ddim_sample, eps_function
from ..models.gud_space import sidecar_gud
from ..models.registry import OWN_SAMPLER, SPECS, get_model, load_own
from ..networks.unet import precond
from ..noise.discretization import sigmas_from_lam
from ..spectral.tight import TightParams, instance_condition, sample_tight_params, tight_lam_fn
from ..validation import InputError, check_choice, check_int
from .run import model_sigmas, run_sampler, steps_for_nfe

Tensor = torch.Tensor
SAMPLERS = {"gud": ("ddim",), "spectral-instance": ("heun", "euler")}
DEFAULT_SAMPLER = {"gud": "ddim", "spectral-instance": "heun"}
DEFAULT_STEPS = {"gud": 50, "spectral-instance": 13}  # NFE 50 and 25
TIGHT_NETWORK = "mnist-spectral-tight"
# The rows each thread's question compares, baseline first: (label, model, schedule; None = the model's own sampler)
SPECTRAL = (
    ("standard", "mnist-spectral-standard", "karras"),
    ("schedule alone", "mnist-spectral-standard", "tight-mixed"),
    ("data-set tight", TIGHT_NETWORK, "tight-mixed"),
    ("per-instance", "mnist-spectral-instance", None),
)
GUD = (("pixel, standard (a = 1)", "mnist-gud-pixel-standard", None), ("PCA, soft (a = 2)", "mnist-gud-pca-soft", None))
THREADS = {"spectral": SPECTRAL, "gud": GUD}
# The question each thread's rows answer (bench/thread_networks.py writes it beside the numbers; the app shows it)
QUESTIONS = {
    "spectral": "Do tight schedules, derived from the spectrum, improve generation at low step counts?",
    "gud": "What changes when the network runs in the PCA basis with the data-matched prior and soft conditioning?",
}


class Mixture:
    """The sidecar's Gaussian mixture in the attributes spectral/tight.sample_tight_params reads."""

    def __init__(self, gmm: dict[str, Any]) -> None:
        self.weights_ = np.asarray(gmm["weights"])
        self.means_ = np.asarray(gmm["means"])
        self.covariances_ = np.asarray(gmm["covariances"])


def instance_draws(side: dict[str, Any], n: int, seed: int) -> np.ndarray:
    """n draws of (beta, lam_lo, lam_hi) from the sidecar's mixture. [n, 3]"""
    size = side["shape"][-1]
    tps = sample_tight_params(Mixture(side["gmm"]), n, size, seed)
    return np.array([(t.beta, t.logsnr_min, t.logsnr_max) for t in tps])


def instance_sigmas(params: np.ndarray, steps: int, size: int, kind: str = "mixed") -> Tensor:
    """Each sample's sigma ladder over its own tight schedule: [steps + 1, n] float64, last row 0."""
    cols = [
        sigmas_from_lam(tight_lam_fn(kind, TightParams(float(b), float(lo), float(hi), size)), steps)
        for b, lo, hi in params
    ]
    return torch.stack(cols, dim=1)


def nfe(sampler: str, steps: int) -> int:
    return 2 * steps - 1 if sampler == "heun" else steps


@torch.no_grad()
def instance_sample(
    net: nn.Module,
    sigmas: Tensor,
    cond: Tensor,
    z: Tensor,
    sampler: str = "heun",
    callback: Callable[[dict[str, Any]], None] | None = None,
) -> Tensor:
    """Heun or Euler over per-sample ladders sigmas [N + 1, B] with conditioning cond [B, k], from x = sigma_0 z
    (z [B, C, H, W]). Returns x0 samples [B, C, H, W] float32 (not clipped)."""

    def den(x: Tensor, s: Tensor) -> Tensor:
        return precond(net, x, s, None, cond).to(torch.float64)

    def col(s: Tensor) -> Tensor:
        return s.reshape(-1, 1, 1, 1)  # [B] -> [B, 1, 1, 1]

    x = col(sigmas[0]) * z.to(torch.float64)
    for i in range(len(sigmas) - 1):
        s, s2 = sigmas[i], sigmas[i + 1]
        d0 = den(x, s)
        if callback is not None:
            callback({"i": i, "x": x, "sigma": s, "sigma_next": s2, "denoised": d0})
        d = (x - d0) / col(s)
        x_next = x + d * col(s2 - s)
        if sampler == "heun" and bool((s2 > 0).all()):
            d_next = (x_next - den(x_next, s2)) / col(s2)
            x_next = x + 0.5 * (d + d_next) * col(s2 - s)
        x = x_next
    return x.to(torch.float32)


def sample_own(
    name: str,
    sampler: str | None,
    steps: int | None,
    n: int,
    seed: int,
    callback: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[Tensor, dict[str, Any]]:
    """(samples [n, C, H, W] float32 in data space, not clipped; the run's record) for a GUD or per-instance
    spectral network; sampler and steps default to the model's (DEFAULT_SAMPLER, DEFAULT_STEPS)."""
    check_choice("model", name, OWN_SAMPLER)
    kind = OWN_SAMPLER[name].kind
    sampler = sampler or DEFAULT_SAMPLER[kind]
    if sampler not in SAMPLERS[kind]:
        raise InputError(f"model {name} samples with {' or '.join(SAMPLERS[kind])} (its own sampler), got {sampler!r}")
    steps = check_int("steps", DEFAULT_STEPS[kind] if steps is None else steps, 1, 1000)
    n = check_int("n", n, 1, 4096)
    net, side = load_own(name)
    g = torch.Generator().manual_seed(seed)
    if kind == "gud":
        space = sidecar_gud(side)
        x = ddim_sample(eps_function(net, space), space, n, steps, g, callback)
        return x, {"sampler": "ddim", "steps": steps, "nfe": steps, "schedule": f"gud a={space.a:g} {space.basis}"}
    params = instance_draws(side, n, seed)
    sig = instance_sigmas(params, steps, side["shape"][-1], side["tight"]["kind"])
    z = torch.randn((n, *side["shape"]), generator=g, dtype=torch.float64)
    x = instance_sample(net, sig, instance_condition(params), z, sampler, callback)
    rec = {
        "sampler": sampler,
        "steps": steps,
        "nfe": nfe(sampler, steps),
        "schedule": f"per-instance tight-{side['tight']['kind']}",
        "sigma_max_median": float(sig[0].median()),
        "sigma_min_median": float(sig[-2].median()),
    }
    return x, rec


def draw_row(
    name: str,
    schedule: str | None,
    budget: int,
    n: int,
    seed: int,
    callback: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[Tensor, int]:
    """(samples [n, C, H, W] clipped to [-1, 1], NFE) of one row of THREADS within an NFE budget: Heun (steps =
    the largest count within the budget) for the spectral rows, component-wise DDIM (steps = budget) for GUD. A
    tight schedule on a network not trained on one takes the data-set tight network's (the schedule alone)."""
    if schedule is None:
        steps = budget if OWN_SAMPLER[name].kind == "gud" else steps_for_nfe("heun", budget)
        x, rec = sample_own(name, None, steps, n, seed, callback)
        return x.clamp(-1, 1), rec["nfe"]
    m = get_model(name)
    if schedule.startswith("tight") and m.spec.tight is None:
        m = dataclasses.replace(m, spec=dataclasses.replace(m.spec, tight=SPECS[TIGHT_NETWORK].tight))
    steps = steps_for_nfe("heun", budget)
    x = run_sampler(m, "heun", model_sigmas(m, schedule, steps), n, seed, callback=callback)
    return x.clamp(-1, 1), nfe("heun", steps)
