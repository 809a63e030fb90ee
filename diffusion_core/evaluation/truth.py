"""What a model's samples are scored against: one `truth` object per model, one frozen `Score` per run.

  GaussianTruth    the exact Gaussian data law and denoiser: the output covariance of a linear sampler is
                   computed exactly (evaluation/exact.py), metric cov_rel_fro
  ReferenceTruth   a network (or an autoguided exact model) whose data law is an exact Gaussian: the sample
                   covariance error of the draws next to what the exact denoiser would score, sample_cov_rel_fro
  EmpiricalTruth   the training set of the empirical optimal denoiser: the memorisation rate
  MixtureTruth     an exact Gaussian mixture: the TV distance of the sampled mode weights, mode_tv
  DigitTruth       MNIST digits, via the project's classifier (evaluation/metrics.py): the share confident and real
  NoTruth          nothing to score against (a foreign network of unknown data)

Every truth answers the same calls: `score(sampler, sigmas, x, noise)` -> Score (its JSON, a caption, a table
row), `exact_error(...)` (a number without sampling, Gaussian only), `sweep_point(...)` (one point of a
quality-vs-NFE sweep), `head` (the table's header) and `explain(...)` (the paragraph that reads the numbers).
Callers never ask which kind of truth they hold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import torch

from ..denoisers.gaussian import GaussianDenoiser
from ..denoisers.mixture import GaussianMixture
from ..nonnormal.controls import SamplingNoise
from .exact import WHITE, exact_cov_error, mode_ratio_range, output_covariance
from .metrics import (
    FD_MIN_N,
    FEATURES,
    MEMO_TOL,
    cov_rel_fro,
    digit_quality,
    mc_expected_rel_fro,
    memorisation,
    mode_weights_tv,
    real_floor,
    sample_cov_rel_fro,
)

Tensor = torch.Tensor
Draw = Callable[[int], "Score"]


@dataclass(frozen=True)
class Score:
    """One run's score: the metric, its value, the details (JSON), a caption tail, the table cells after
    sampler and NFE, and the extra numbers of a sweep point."""

    metric: str | None
    value: float | None
    exact: bool
    details: Mapping[str, Any] = field(default_factory=dict)
    tail: str = ""  # caption after "sampler · NFE n"
    cells: tuple[str, ...] = ()  # table cells after | sampler | NFE |
    sweep: Mapping[str, Any] = field(default_factory=dict)
    timed: bool = False  # the table ends with the run's wall time

    def to_json(self) -> dict[str, Any]:
        return {"metric": self.metric, "value": self.value, "exact": self.exact, **self.details}

    def caption(self, sampler: str, nfe: int) -> str:
        return f"{sampler} · NFE {nfe}" + (f" · {self.tail}" if self.tail else "")

    def row(self, sampler: str, nfe: int, seconds: float = 0.0) -> str:
        cells = [sampler, str(nfe), *self.cells, *([f"{seconds:.2f} s"] if self.timed else [])]
        return "| " + " | ".join(cells) + " |\n"


class Truth:
    """No exact answer and no classifier: samples are not scored."""

    metric: str | None = None
    sweep_nfes: tuple[int, ...] = (4, 8, 16, 32, 64)
    slow = False  # scoring needs sampling at every sweep point (seconds)
    head = "| sampler | NFE |\n|---|---|\n"

    def score(self, sampler: str, sigmas: Tensor, x: Tensor, noise: SamplingNoise = WHITE) -> Score:
        return Score(None, None, False)

    def exact_error(self, sampler: str, sigmas: Tensor, noise: SamplingNoise = WHITE) -> float | None:
        """The score without drawing samples, where there is one (Gaussian truth); else None."""
        return None

    def sweep_n(self, n: int) -> int:
        """Samples per sweep point for a view of n samples."""
        return n

    def sweep_point(self, sampler: str, sigmas: Tensor, noise: SamplingNoise, n: int, draw: Draw) -> dict[str, Any]:
        """{"value", ...extras} of one sweep point; `draw(k)` samples k and scores them."""
        exact = self.exact_error(sampler, sigmas, noise)
        if exact is not None:
            return {"value": exact}
        s = draw(self.sweep_n(n))
        return {"value": s.value, **s.sweep}

    def guided(self) -> Truth:
        """The truth of this model autoguided by another (the same, except where it needs the exact denoiser)."""
        return self

    def explain(self, n: int, numbers: Mapping[str, Mapping[str, Any]], device: Any) -> str:
        return ""


NoTruth = Truth


@dataclass(frozen=True, eq=False)
class GaussianTruth(Truth):
    """Exact Gaussian data law N(decode(mean), decode diag(v) encode) and its exact denoiser `g`."""

    g: GaussianDenoiser
    shape: tuple[int, ...]  # [C, H, W] of the images
    metric = "cov_rel_fro"
    sweep_nfes = (4, 6, 8, 12, 16, 24, 32, 48, 64)
    head = (
        "| sampler | NFE | covariance error (exact) | sample-cov. error of these draws | mode variance ratio |\n"
        "|---|---|---|---|---|\n"
    )

    def score(self, sampler: str, sigmas: Tensor, x: Tensor, noise: SamplingNoise = WHITE) -> Score:
        v = self.g.variances.to(torch.float64)
        c = output_covariance(sampler, self.g, tuple(self.shape), sigmas, noise)
        lo, hi = mode_ratio_range(c, v)
        value, scs, expected = cov_rel_fro(c, v), sample_cov_rel_fro(self.g, x), mc_expected_rel_fro(c, v, x.shape[0])
        d = {
            "sample_cov_rel_fro": scs,
            "sample_cov_rel_fro_expected": expected,
            "mode_var_ratio_min": lo,
            "mode_var_ratio_max": hi,
        }
        return Score(
            self.metric,
            value,
            True,
            d,
            f"cov. error {100 * value:.2f}%",
            (f"**{100 * value:.2f}%**", f"{100 * scs:.0f}% (expected {100 * expected:.0f}%)", f"{lo:.3f} – {hi:.3f}"),
        )

    def exact_error(self, sampler: str, sigmas: Tensor, noise: SamplingNoise = WHITE) -> float | None:
        return exact_cov_error(self.g, sampler, sigmas, noise, tuple(self.shape))

    def guided(self) -> Truth:
        return ReferenceTruth(self.g, self.shape)

    def explain(self, n: int, numbers: Mapping[str, Mapping[str, Any]], device: Any) -> str:
        best = min(numbers, key=lambda s: numbers[s]["value"])
        q = numbers[best]
        v = self.g.variances.to(torch.float64)
        floor = mc_expected_rel_fro(v, v, n)
        return (
            f"The data are Gaussian and the denoiser is exact, so every sampler's output is Gaussian with a "
            f"covariance we compute **exactly** (no Monte Carlo). Lowest error here: **{best}**, "
            f"{100 * q['value']:.2f}% at NFE {q['nfe']}. {n} draws are far too few to see this by eye: "
            f"even perfect draws would have a sample-covariance error of about {100 * floor:.0f}%; the exact "
            "number and the sweep resolve it. Second moments do not depend on the noise law; the pixels do."
        )


@dataclass(frozen=True, eq=False)
class ReferenceTruth(Truth):
    """A network's (or autoguided model's) samples against the exact Gaussian law `ref` of its data."""

    ref: GaussianDenoiser
    shape: tuple[int, ...]
    metric = "sample_cov_rel_fro"
    head = (
        "| sampler | NFE | sample-cov. error of these draws | same, exact denoiser (expected) | per-mode power "
        "error |\n|---|---|---|---|---|\n"
    )

    def score(self, sampler: str, sigmas: Tensor, x: Tensor, noise: SamplingNoise = WHITE) -> Score:
        """The sample-covariance error, next to what the exact denoiser with the same sampler, sigmas and controls
        would score on average (exact bias + Monte Carlo term)."""
        v = self.ref.variances.to(torch.float64)
        c_exact = output_covariance(sampler, self.ref, tuple(self.shape), sigmas, noise)
        power = self.ref.encode(x.to(torch.float64)).abs().pow(2).mean(0)  # per-mode power of the draws
        value, expected = sample_cov_rel_fro(self.ref, x), mc_expected_rel_fro(c_exact, v, x.shape[0])
        rel = float((power.reshape(-1) - v.reshape(-1)).norm() / v.norm())
        d = {
            "sample_cov_rel_fro_expected": expected,
            "exact_denoiser_cov_rel_fro": cov_rel_fro(c_exact, v),
            "mode_power_rel": rel,
        }
        return Score(
            self.metric,
            value,
            False,
            d,
            f"sample-cov. error {100 * value:.0f}%",
            (f"**{100 * value:.0f}%**", f"{100 * expected:.0f}%", f"{100 * rel:.0f}%"),
            {"perfect": expected},
        )

    def explain(self, n: int, numbers: Mapping[str, Mapping[str, Any]], device: Any) -> str:
        return (
            f"A trained network, scored against the exact law of its training data: the sample-covariance "
            f"error of these {n} draws next to what the exact denoiser would score with the same sampler "
            "and n (Monte Carlo dominates at small n; the description above gives the large-n numbers)."
        )


@dataclass(frozen=True, eq=False)
class EmpiricalTruth(Truth):
    """The training set [N, C, H, W] of the empirical optimal denoiser: samples should be copies of it."""

    train: Tensor
    metric = "memorisation_rate"
    head = (
        "| sampler | NFE | memorisation rate | mean distance to nearest digit (RMS) | distinct digits copied |\n"
        "|---|---|---|---|---|\n"
    )

    def score(self, sampler: str, sigmas: Tensor, x: Tensor, noise: SamplingNoise = WHITE) -> Score:
        m = memorisation(x, self.train)
        value = m["memorisation_rate"]
        return Score(
            self.metric,
            value,
            False,
            m,
            f"{100 * value:.0f}% copies",
            (f"**{100 * value:.0f}%**", f"{m['mean_nn_rms']:.4f}", f"{m['distinct_copies']}"),
            {"distinct": m["distinct_copies"] / x.shape[0]},
        )

    def explain(self, n: int, numbers: Mapping[str, Mapping[str, Any]], device: Any) -> str:
        rates = ", ".join(f"{s} {100 * q['value']:.0f}%" for s, q in numbers.items())
        return (
            f"The empirical optimal denoiser is the exact posterior mean over the training digits, so an exact "
            f"sampler can only reproduce training images: memorisation rate {rates} (a sample counts as a "
            f"copy within RMS {MEMO_TOL:.4f} of a training digit). This is the ideal a network would learn "
            "if it fitted its training set perfectly."
        )


@dataclass(frozen=True, eq=False)
class MixtureTruth(Truth):
    """An exact Gaussian mixture and a way to draw from it ([n, C, H, W])."""

    mixture: GaussianMixture
    draw: Callable[[int, torch.Generator], Tensor]
    metric = "mode_tv"
    sweep_nfes = (4, 8, 16, 32)
    head = (
        "| sampler | NFE | mode-weight TV distance | TV of a perfect sampler (same n) | mean log-likelihood |\n"
        "|---|---|---|---|---|\n"
    )
    SWEEP_N = 256

    def score(self, sampler: str, sigmas: Tensor, x: Tensor, noise: SamplingNoise = WHITE) -> Score:
        m = mode_weights_tv(x, self.mixture)
        value = m["mode_tv"]
        return Score(
            self.metric,
            value,
            False,
            m,
            f"mode TV {value:.2f}",
            (f"**{value:.3f}**", f"{m['tv_perfect']:.3f}", f"{m['mean_loglik']:.1f}"),
            {"perfect": m["tv_perfect"]},
        )

    def sweep_n(self, n: int) -> int:
        return self.SWEEP_N

    def explain(self, n: int, numbers: Mapping[str, Mapping[str, Any]], device: Any) -> str:
        best = min(numbers, key=lambda s: numbers[s]["value"])
        tvs = ", ".join(f"{s} {q['value']:.3f}" for s, q in numbers.items())
        ll = float(self.mixture.log_prob(self.draw(512, torch.Generator().manual_seed(1)).reshape(512, -1)).mean())
        return (
            f"The data are a 10-component Gaussian mixture (one Gaussian per digit class) and the denoiser is its "
            f"exact posterior mean, which is nonlinear: samplers can put the wrong mass on each mode. Mode-weight "
            f"TV distance (each sample assigned to its most likely component): {tvs}; a perfect sampler scores "
            f"about {numbers[best]['tv_perfect']:.3f} at n = {n} (Monte Carlo only). Mean log-likelihood "
            f"of true samples ≈ {ll:.1f}: higher means the sampler is too concentrated, lower too spread."
        )


@lru_cache(maxsize=8)
def digit_floor(n: int) -> dict[str, float]:
    """The real-vs-real floors of the digit metrics at n samples (remembered)."""
    return real_floor(n)


class DigitTruth(Truth):
    """MNIST digits [n, 1, 28, 28]: the project classifier's metrics (evaluation/metrics.py), value = the share of
    samples classified with confidence >= 0.9 AND real-looking (features inside the real digits' range), so pure
    noise, which the classifier calls an "8" with confidence, scores 0."""

    metric = "confident"
    sweep_nfes = (4, 10, 20)
    slow = True
    head = (
        "| sampler | NFE | confident ≥ 0.9 and real-looking (confident alone) | class TV to uniform | Fréchet distance (real-vs-real "
        "floor) | nearest-train RMS (held-out digits) | wall time |\n|---|---|---|---|---|---|---|\n"
    )

    def score(self, sampler: str, sigmas: Tensor, x: Tensor, noise: SamplingNoise = WHITE) -> Score:
        return self.score_samples(x)

    def score_samples(self, x: Tensor) -> Score:
        """The classifier metrics (confident share, class TV, Frechet distance with its real-vs-real floor at the
        same n, nearest-train RMS); value = the share confident and real."""
        q = digit_quality(x, digit_floor(int(x.shape[0])))
        value = q["confident_real"]
        return Score(
            self.metric,
            value,
            False,
            q,
            f"{100 * value:.0f}% confident and real",
            (
                f"**{100 * value:.0f}%** ({100 * q['confident']:.0f}%)",
                f"{q['class_tv']:.2f}",
                f"{q['fd']:.1f} ({q['fd_floor']:.1f})" if len(x) >= FD_MIN_N else f"— (n < {FD_MIN_N})",
                f"{q['nn_train']:.3f} ({q['nn_heldout']:.3f})",
            ),
            {"class_tv": q["class_tv"], "fd": q["fd"], "fd_floor": q["fd_floor"]},
            timed=True,
        )

    def explain(self, n: int, numbers: Mapping[str, Mapping[str, Any]], device: Any) -> str:
        first = next(iter(numbers.values()))
        return (
            f"A trained network with no exact answer, so the project's MNIST classifier scores its {n} "
            "samples per sampler: the share it classifies with confidence ≥ 0.9 whose features also lie within the "
            "range of real digits (in brackets: confident alone; pure noise is confident but not real), the total variation of the "
            "predicted classes to uniform, the Fréchet distance of its features to the 1,000 held-out digits "
            + (
                f"(in brackets: {n} real training digits against the same set, the floor at this count) and the "
                if n >= FD_MIN_N
                else f"(not shown at n = {n}: its {FEATURES} features need n ≥ {FD_MIN_N} samples for a covariance "
                "estimate; below that the distance and its real-vs-real floor mostly measure n, and a sampler can "
                f"score below the floor; raise n to {FD_MIN_N} to see it) and the "
            )
            + "mean RMS distance to the nearest training digit (in brackets: held-out digits; much lower means "
            f"copies). Wall time: {first['all_seconds']:.2f} s for all samplers and their "
            f"numbers on {device} ({first['workers']} running at once; the "
            "table's time is each sampler's own)."
        )
