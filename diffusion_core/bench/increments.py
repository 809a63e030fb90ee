"""Increments benchmark: moment and kurtosis tables of the reference VP walk for every law.

`difflab bench increments [--quick] --json`, or write the markdown tables:
    python -m diffusion_core.bench.increments --out benchmarks/increments.md
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

import torch

from ..denoisers.mixture import mixture_1d
from ..nonnormal.laws import (
    LAWS,
    get_law,
    ks_to_gaussian,
    kurtosis_stderr,
    noise_sampler,
    sample_excess_kurtosis,
    var_stderr,
)
from ..nonnormal.walks import exact_moments, expected_excess_kurtosis, reverse_vp_walk, simulate_walk
from ..progress import track

HEADER = """# Increments: moments and kurtosis of the reference VP walk

Produced by `python -m diffusion_core.bench.increments --out benchmarks/increments.md`
(`difflab bench increments --json` gives the same numbers as JSON). Student-t uses nu = 10 (kappa4 = 1).
Exact values: Theorem 3.1 (appendix variance, Eq. 43) and kappa4(z) sum c_j^4 / (sum c_j^2)^2.
Euler form x + f dt + g sqrt(dt) z; DDPM form sqrt(1 - b) x + sqrt(b) z with b = min(beta dt, 1).
Left grid: beta read at t_k = k/N; right grid: at (k+1)/N. The Euler form is unstable for N <~ 10.
Within a cell all laws share one uniform stream (coupled inverse-CDF noise), so their Monte Carlo errors are
correlated: the means agree with each other more closely than with the exact value.

"""

STEPS = (1, 2, 5, 10, 25, 50, 200)
EXACT_STEPS = (1, 2, 5, 10, 25, 50, 100, 200, 1000, 10_000)
FORMS = (("euler", "left"), ("euler", "right"), ("ddpm", "right"))


def _row(law: str, n: int, form: str, grid: str, paths: int, seed: int) -> dict[str, Any]:
    """One (law, N, form, grid) cell: simulated vs exact mean, var, excess kurtosis, KS."""
    the_law = get_law(law)
    ex = exact_moments(n, form, grid)  # type: ignore[arg-type]
    sim = simulate_walk(the_law, n, paths, torch.Generator().manual_seed(seed), form, grid)  # type: ignore[arg-type]
    mean, var = float(ex.mean[-1]), float(ex.var[-1])
    kurt = expected_excess_kurtosis(the_law.excess_kurtosis, ex.coefficients)
    return {
        "law": law,
        "steps": n,
        "form": form,
        "grid": grid,
        "paths": paths,
        "expected_mean": mean,
        "mean": float(sim.x.mean()),
        "mean_se": math.sqrt(var / paths),
        "expected_var": var,
        "var": float(sim.x.var()),
        "var_se": var_stderr(sim.x),
        "expected_excess_kurtosis": kurt,
        "excess_kurtosis": sample_excess_kurtosis(sim.x),
        "kurtosis_se": kurtosis_stderr(sim.x),
        "ks_to_gaussian": ks_to_gaussian(sim.x, mean, var),
    }


def reverse_rows(quick: bool) -> list[dict[str, Any]]:
    """Check N5: reverse VP SDE (Euler-Maruyama, exact score) on 1/2 N(-2, 0.3^2) + 1/2 N(2, 0.3^2)."""
    m, rows, threads = (4_000 if quick else 20_000), [], torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: extra threads only thrash
    for n in (10, 50) if quick else (10, 20, 50, 200, 1000):
        for law in LAWS:
            gen = torch.Generator().manual_seed(100 + n)
            x = (
                reverse_vp_walk(
                    mixture_1d(),
                    torch.randn(m, 1, generator=gen, dtype=torch.float64),
                    n,
                    noise=noise_sampler(law),
                    generator=gen,
                )
                .squeeze(1)
                .numpy()
            )
            pos = x > 0
            rows.append(
                {
                    "law": law,
                    "steps": n,
                    "paths": m,
                    "mode_fraction": float(pos.mean()),
                    "within_mode_std": 0.5 * float(x[pos].std() + x[~pos].std()),
                }
            )
    torch.set_num_threads(threads)
    return rows


def run(quick: bool = False) -> dict[str, Any]:
    """All laws x forms x N; quick: 20k paths and N <= 50, else 200k paths."""
    paths = 20_000 if quick else 200_000
    steps = tuple(n for n in STEPS if n <= 50) if quick else STEPS
    t0 = time.perf_counter()
    cells = [(form, grid, n, law) for form, grid in FORMS for n in steps for law in LAWS]
    rows = [
        _row(law, n, form, grid, paths, seed=17 + n) for form, grid, n, law in track(cells, "increments", unit="cell")
    ]
    worst = max(abs(r["excess_kurtosis"] - r["expected_excess_kurtosis"]) / max(r["kurtosis_se"], 1e-12) for r in rows)
    worst_var = max(abs(r["var"] - r["expected_var"]) / max(r["var_se"], 1e-12) for r in rows)
    laplace = [
        {
            "steps": n,
            **{
                f"{f}-{g}": expected_excess_kurtosis(3.0, exact_moments(n, f, g).coefficients)  # type: ignore[arg-type]
                for f, g in FORMS
            },
        }
        for n in EXACT_STEPS
    ]
    return {
        "rows": rows,
        "laplace_exact": laplace,
        "reverse": reverse_rows(quick),
        "paths": paths,
        "max_kurtosis_z": worst,
        "max_var_z": worst_var,
        "seconds": time.perf_counter() - t0,
    }


# ----------------------------------------------------------------------------
# Markdown tables.


def _fmt(x: float) -> str:
    return f"{x:.4g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.3e}"


def to_markdown(res: dict[str, Any]) -> str:
    """Moment table (per form/grid, worst law) and kurtosis table (per law), as markdown."""
    out = [
        f"Paths per cell: {res['paths']:,}; x0 = 1; beta(t) = 0.1 + 19.9 t. Max |MC - exact| / MC error: "
        f"variance {res['max_var_z']:.2f}, excess kurtosis {res['max_kurtosis_z']:.2f}. "
        f"Run time {res['seconds']:.0f} s.",
        "",
    ]
    out += [
        "### Laplace excess kurtosis of x_N, exact (N x kurtosis tends to a constant: 1/N decay)",
        "",
        "| N | " + " | ".join(f"{f} {g}" for f, g in FORMS) + " | N x (ddpm right) |",
        "|---|---|---|---|---|",
    ]
    for r in res["laplace_exact"]:
        out.append(
            f"| {r['steps']} | "
            + " | ".join(f"{r[f'{f}-{g}']:.4f}" for f, g in FORMS)
            + f" | {r['steps'] * r['ddpm-right']:.2f} |"
        )
    out.append("")
    rev = res.get("reverse", [])
    if rev:
        out += [
            f"### Reverse invariance (N5): within-mode std (target 0.30) / mode fraction (target 0.5), "
            f"{rev[0]['paths']:,} samples",
            "",
            "| N | " + " | ".join(LAWS) + " |",
            "|---|" + "---|" * len(LAWS),
        ]
        for n in sorted({r["steps"] for r in rev}):
            cells = {r["law"]: r for r in rev if r["steps"] == n}
            out.append(
                f"| {n} | "
                + " | ".join(f"{cells[l]['within_mode_std']:.3f} / {cells[l]['mode_fraction']:.3f}" for l in LAWS)
                + " |"
            )
        out.append("")
    for form, grid in FORMS:
        rows = [r for r in res["rows"] if r["form"] == form and r["grid"] == grid]
        out += [
            f"### Moments of x_N: {form} form, {grid} grid (every law)",
            "",
            "| N | exact mean | exact var | " + " | ".join(f"{law} mean / var" for law in LAWS) + " |",
            "|---|---|---|" + "---|" * len(LAWS),
        ]
        for n in sorted({r["steps"] for r in rows}):
            cells = {r["law"]: r for r in rows if r["steps"] == n}
            r0 = cells[LAWS[0]]
            out.append(
                f"| {n} | {_fmt(r0['expected_mean'])} | {_fmt(r0['expected_var'])} | "
                + " | ".join(f"{_fmt(cells[l]['mean'])} / {_fmt(cells[l]['var'])}" for l in LAWS)
                + " |"
            )
        out += [
            "",
            f"### Excess kurtosis of x_N: {form} form, {grid} grid (exact / Monte Carlo ± error; KS)",
            "",
            "| N | " + " | ".join(LAWS) + " |",
            "|---|" + "---|" * len(LAWS),
        ]
        for n in sorted({r["steps"] for r in rows}):
            cells = {r["law"]: r for r in rows if r["steps"] == n}
            out.append(
                f"| {n} | "
                + " | ".join(
                    f"{cells[l]['expected_excess_kurtosis']:.3f} / {cells[l]['excess_kurtosis']:.3f} ± "
                    f"{cells[l]['kurtosis_se']:.3f}; {cells[l]['ks_to_gaussian']:.3f}"
                    for l in LAWS
                )
                + " |"
            )
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=None, help="write markdown here (else print)")
    a = ap.parse_args()
    text = to_markdown(run(a.quick))
    if a.out:
        with open(a.out, "w") as fh:
            fh.write(HEADER + text)
    else:
        print(text)
