"""How industrial flow schedules move with resolution, against the spectral law.

A flow shift s moves the whole schedule by a constant logSNR offset, lam' = lam - 2 log s, so each rule
is one number per resolution. The spectral law (spectral-schedules.md, section 5): low-frequency power
grows like R^2, so lam_lo moves by -2 log 2 = -1.386 per doubling of the side.
  sd3        diffusers' SD3 pipelines: shift = 3 at every resolution (offset constant)
  sd3-paper  Esser et al. 2024, sec. 5.3.2: t_m = a t_n / (1 + (a - 1) t_n), a = sqrt(m / n) (pixel counts),
             so shift = 3 side / 1024 around the 1024^2 base (offset -2 log 2 per doubling)
  flux       FluxPipeline: mu = calculate_shift((side / 16)^2) (8x VAE, 2x2 patches), shift = e^mu
"""

from __future__ import annotations

import math

from .flow import calculate_shift

SPECTRAL_PER_DOUBLING = -2 * math.log(2)  # -1.386
RULES = ("sd3", "sd3-paper", "flux")


def flux_image_seq_len(side: int, vae_factor: int = 8, patch: int = 2) -> int:
    """Tokens of a side x side image in Flux: (side / (vae_factor * patch))^2."""
    return (side // (vae_factor * patch)) ** 2


def rule_shift(rule: str, side: int) -> float:
    """The SD3-equivalent shift s a rule uses at image side `side` (pixels)."""
    if rule == "sd3":
        return 3.0
    if rule == "sd3-paper":
        return 3.0 * side / 1024
    if rule == "flux":
        return math.exp(calculate_shift(flux_image_seq_len(side)))
    raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")


def rule_lam_offset(rule: str, side: int) -> float:
    """lam offset of the rule's schedule at `side` relative to the unshifted flow: -2 log s."""
    return -2 * math.log(rule_shift(rule, side))


def per_doubling(rule: str, sides: tuple[int, ...]) -> list[float]:
    """lam offset change from each side to the next (sides should double)."""
    off = [rule_lam_offset(rule, s) for s in sides]
    return [b - a for a, b in zip(off, off[1:])]
