"""Low-step quality: exact 2-Wasserstein distance of sampler output to the data Gaussian.

Data: zero-mean power-law Gaussian fields (beta = 2, 32 x 32, pixel variance 0.25), denoised by
the exact posterior mean, which is diagonal in the real Fourier basis. Every sampler is then linear
per mode: x_out = g0 x_init + sum_j g_j n_j, so the output is Gaussian with the same eigenbasis and
per-mode variance g0^2 sigma_0^2 + sum_j g_j^2. We get the g's EXACTLY by running the real sampler
code on unit inputs (row 0: x_init = sigma_0, no noise; row j: only the j-th noise injection = 1),
and W2^2 = sum_k (sqrt(v_out,k) - sqrt(v_k))^2 (commuting covariances). No Monte Carlo.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from ..data import power_law_variance
from ..evaluation.exact import output_variance
from ..noise.discretization import build_schedule
from ..noise.samplers import nfe as sampler_nfe
from ..progress import track
from ..spectral.spectrum import fit_power_law
from ..spectral.tight import TightParams, bounds, field_spectrum, fit_band_for, tight_lam_fn

Tensor = torch.Tensor
NFES = (4, 6, 8, 10, 16, 32, 64)
SAMPLER_NAMES = ("euler", "heun", "dpmpp_2m")
CUSTOM_POINTS = "1:-4.5, 0.6:0, 0.3:2.5, 0:5.3"  # typed by hand near the field's tight range [-4.53, 5.33]
CUSTOM_ROW = "custom (typed points)"
FLOW_ROWS = {"flow (shift 1)": "flow-match", "sd3 (shift 3)": "sd3", "flux (mu 1.15)": "flux"}
EDM_RANGE = (0.002, 80.0)  # EDM's sigma_min, sigma_max (Karras et al. 2022)
METHOD = "exact-analytic (per Fourier mode, linear sampler pushed through; no Monte Carlo)"

# ---------------------------------------------------------------------------------------------
# Exact output variance of a linear sampler: evaluation.exact.output_variance (impulse responses of
# the real sampler code, per distinct mode variance).


def w2_gaussian_diag(v_out: Tensor, v_true: Tensor) -> float:
    """W2 between N(0, diag v_out) and N(0, diag v_true): sqrt(sum (sqrt v_out - sqrt v_true)^2)."""
    return float((v_out.reshape(-1).sqrt() - v_true.reshape(-1).sqrt()).pow(2).sum().sqrt())


# ---------------------------------------------------------------------------------------------
# Schedules of the experiment


def field_tight_params(size: int, beta: float, tau_lo: float = 0.1, tau_hi: float = 10.0) -> tuple[TightParams, Any]:
    """Tight-schedule parameters from the field's expected spectrum (DC variance is 0: dc=exclude)."""
    spec = field_spectrum(power_law_variance(size, beta))
    b = bounds(spec, tau_lo, tau_hi, "exclude")
    fit = fit_power_law(spec.freqs, spec.psd, fit_band_for(size))
    return TightParams(fit.beta, b.logsnr_min, b.logsnr_max, size, math.log(fit.amplitude)), b


def experiment_sigmas(size: int, beta: float) -> dict[str, Any]:
    """name -> function(steps) -> sigmas [steps + 1] for every schedule in the experiment."""
    tp, b = field_tight_params(size, beta)
    out: dict[str, Any] = {
        "edm": lambda n: build_schedule("edm", n).sigmas,
        "cosine": lambda n: build_schedule("cosine-continuous", n).sigmas,
        "shifted-cosine": lambda n: build_schedule("shifted-cosine", n, {"image_d": size, "noise_d": 64}).sigmas,
        "karras@bounds": lambda n: (
            build_schedule("karras", n, {"sigma_min": b.sigma_min, "sigma_max": b.sigma_max}).sigmas
        ),
    }
    out[CUSTOM_ROW] = lambda n: build_schedule("custom", n, {"points": CUSTOM_POINTS}).sigmas
    for label, fam in FLOW_ROWS.items():
        out[label] = (lambda f: lambda n: build_schedule(f, n).sigmas)(fam)
    for form, suffix in (("affine", ""), ("crossing", "-crossing")):
        for kind in ("frequency", "power", "mixed"):
            name = f"tight-{kind}{suffix}"
            out[name] = (lambda nm, k, f: lambda n: build_schedule(nm, n, lam_fn=tight_lam_fn(k, tp, f)).sigmas)(
                name, kind, form
            )
    return out


def range_floors(size: int = 32, beta: float = 2.0, steps: int = 512) -> dict[str, Any]:
    """What the tight range alone costs: the exact W2_rel of Heun with `steps` Karras steps (the discretisation
    error gone) on the tight range [sigma_min, sigma_max], starting at its sigma_max only (down to EDM's
    sigma_min) and stopping at its sigma_min only (from EDM's sigma_max), and on EDM's full range."""
    _, b = field_tight_params(size, beta)
    v = power_law_variance(size, beta)
    scale = math.sqrt(float(v.sum()))
    lo, hi = EDM_RANGE
    ranges = {
        "tight_range": (b.sigma_min, b.sigma_max),
        "start_at_sigma_max_only": (lo, b.sigma_max),
        "stop_at_sigma_min_only": (b.sigma_min, hi),
        "edm_range": (lo, hi),
    }
    out: dict[str, Any] = {"sampler": "heun", "steps": steps, "spacing": "karras rho 7"}
    for name, (a, z) in ranges.items():
        sig = build_schedule("karras", steps, {"sigma_min": a, "sigma_max": z}).sigmas
        out[name] = {
            "sigma_min": a,
            "sigma_max": z,
            "w2_rel": w2_gaussian_diag(output_variance("heun", v, sig), v) / scale,
        }
    return out


def steps_for_nfe(sampler: str, nfe: int, flow_start: bool = False) -> int:
    """Largest N whose NFE fits the budget: heun uses 2N - 1 (2N - 2 from a flow schedule's t = 1), the others N."""
    if sampler != "heun":
        return nfe
    return nfe // 2 + 1 if flow_start else (nfe + 1) // 2


# ---------------------------------------------------------------------------------------------
# The benchmark


def quality_table(
    size: int = 32, beta: float = 2.0, nfes: tuple[int, ...] = NFES, samplers: tuple[str, ...] = SAMPLER_NAMES
) -> list[dict[str, Any]]:
    """Rows {sampler, schedule, nfe, steps, w2, w2_rel}; w2_rel = W2 / sqrt(tr Sigma_data)."""
    v = power_law_variance(size, beta)
    scale = math.sqrt(float(v.sum()))
    rows = []
    for sched, make in track(list(experiment_sigmas(size, beta).items()), "quality", unit="schedule"):
        for s in samplers:
            for nfe in nfes:
                n = steps_for_nfe(s, nfe, sched in FLOW_ROWS)
                sig = make(n)
                w2 = w2_gaussian_diag(output_variance(s, v, sig), v)
                rows.append(
                    {
                        "sampler": s,
                        "schedule": sched,
                        "nfe": sampler_nfe(s, n, sig),
                        "nfe_budget": nfe,
                        "steps": n,
                        "w2": w2,
                        "w2_rel": w2 / scale,
                    }
                )
    return rows


def run(quick: bool = False) -> dict[str, Any]:
    """`difflab bench quality`: the W2 table (quick: NFE 4, 10, 64 only)."""
    nfes = (4, 10, 64) if quick else NFES
    tp, b = field_tight_params(32, 2.0)
    rows = quality_table(nfes=nfes)
    floors = {
        sched: w2_gaussian_diag(
            output_variance("heun", power_law_variance(32, 2.0), make(512)), power_law_variance(32, 2.0)
        )
        for sched, make in experiment_sigmas(32, 2.0).items()
    }
    return {
        "method": METHOD,
        "data": "power-law Gaussian field, beta=2, 32x32, pixel variance 0.25",
        "w2_units": "whole-image W2 (data units); w2_rel = W2 / sqrt(trace of data covariance)",
        "tight_bounds": {
            "sigma_min": b.sigma_min,
            "sigma_max": b.sigma_max,
            "beta_fit": tp.beta,
            "tau_lo": 0.1,
            "tau_hi": 10.0,
            "dc": "exclude",
        },
        "floor_heun_1023nfe": floors,
        "range_floors": range_floors(),
        "rows": rows,
    }


# ---------------------------------------------------------------------------------------------
# Report: benchmarks/quality.md and benchmarks/quality.png (`python -m diffusion_core.bench.quality`)


def render_png(result: dict[str, Any], path: str) -> None:
    """W2_rel vs NFE, one panel per sampler, one line per schedule (matplotlib, log-log)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["rows"]
    scheds = list(dict.fromkeys(r["schedule"] for r in rows))
    fig, axes = plt.subplots(1, len(SAMPLER_NAMES), figsize=(15, 4.6), sharey=True)
    for ax, s in zip(axes, SAMPLER_NAMES):
        for k, sc in enumerate(scheds):
            pts = [(r["nfe"], 100 * r["w2_rel"]) for r in rows if r["sampler"] == s and r["schedule"] == sc]
            style = "-" if sc.startswith("tight") else "--"
            ax.plot(*zip(*pts), style, marker="o", ms=3, label=sc, color=f"C{k}")
        ax.set(xscale="log", yscale="log", title=s, xlabel="NFE (denoiser calls)")
        ticks = sorted({r["nfe"] for r in rows if r["sampler"] == s})
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.minorticks_off()
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_ylabel("W2 / sqrt(tr Σ)  [%]  (exact)")
    axes[0].set_ylim(0.1, 3e5)
    axes[0].set_yticks([0.1, 1, 10, 100, 1e3, 1e4, 1e5], ["0.1", "1", "10", "100", "1e3", "1e4", "1e5"])
    axes[-1].legend(fontsize=8, loc="upper right")
    fig.suptitle("Exact W2 to the data Gaussian: power-law field β = 2, 32×32, analytic denoiser")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown_table(result: dict[str, Any], nfe_budget: int) -> str:
    rows = [r for r in result["rows"] if r["nfe_budget"] == nfe_budget]
    scheds = list(dict.fromkeys(r["schedule"] for r in rows))
    head = (
        "| schedule | "
        + " | ".join(f"{s} (NFE {next(r['nfe'] for r in rows if r['sampler'] == s)})" for s in SAMPLER_NAMES)
        + " |"
    )
    lines = [head, "|---" * (len(SAMPLER_NAMES) + 1) + "|"]
    head_nfe = {s: next(r["nfe"] for r in rows if r["sampler"] == s) for s in SAMPLER_NAMES}
    for sc in scheds:
        vals = [next(r for r in rows if r["sampler"] == s and r["schedule"] == sc) for s in SAMPLER_NAMES]
        lines.append(
            f"| {sc} | "
            + " | ".join(
                f"{100 * v['w2_rel']:.2f}% ({v['w2']:.3g})"
                + (f" [NFE {v['nfe']}]" if v["nfe"] != head_nfe[v["sampler"]] else "")
                for v in vals
            )
            + " |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    import json
    import sys

    out = sys.argv[1] if len(sys.argv) > 1 else "benchmarks"
    res = run(quick=False)
    render_png(res, f"{out}/quality.png")
    with open(f"{out}/quality.json", "w") as fh:
        json.dump(res, fh, indent=1)
    for budget in (10, 4, 64):
        print(f"## NFE {budget}\n\n{markdown_table(res, budget)}\n")
