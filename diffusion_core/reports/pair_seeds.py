"""The pair table of docs/models.md from benchmarks/pair_seeds.json (`python -m diffusion_core.bench.pair_seeds`):
every pair at two training seeds, each number with its 95% interval over samples, and the ranking stated only
where the intervals of both seeds separate."""

from __future__ import annotations

from typing import Any

from ..evaluation.intervals import separated

LABEL = {
    "gaussian-gaussian": "gaussian–gaussian",
    "laplace-laplace": "laplace–laplace",
    "uniform-gaussian": "uniform–gaussian",
    "uniform-laplace": "uniform–laplace",
}
SHORT = {"gaussian-gaussian": "GG", "laplace-laplace": "LL", "uniform-gaussian": "UG", "uniform-laplace": "UL"}
SAMPLER_TEXT = {"heun": "Heun", "ancestral-p": "ancestral, p's law"}
# (metric key, lower is better, how it is written)
METRICS = (("confident_real", False, "confident and real"), ("fd", True, "Fréchet"))


def cells(res: dict[str, Any]) -> list[tuple[str, int]]:
    """The (sampler, NFE budget) cells measured per network."""
    return [(s, int(b)) for s, b in res["cells"]]


def cell(res: dict[str, Any], pair: str, training_seed: int, sampler: str, budget: int) -> dict[str, Any]:
    """One sampling cell; uniform-gaussian's is gaussian-gaussian's (the same network and step law)."""
    net = res["model_pair"][pair]
    return next(
        r
        for r in res["rows"]
        if (r["pair"], r["training_seed"], r["sampler"], r["budget"]) == (net, training_seed, sampler, budget)
    )


def bpd(res: dict[str, Any], pair: str, training_seed: int) -> dict[str, Any]:
    return next(r for r in res["likelihood"]["rows"] if (r["pair"], r["training_seed"]) == (pair, training_seed))


def share(r: dict[str, Any]) -> str:
    lo, hi = r["confident_real_ci"]
    return f"{100 * r['confident_real']:.1f}% [{100 * lo:.1f}, {100 * hi:.1f}]"


def fd(r: dict[str, Any]) -> str:
    lo, hi = r["fd_ci"]
    return f"{r['fd']:.1f} [{lo:.1f}, {hi:.1f}]"


def bits(r: dict[str, Any]) -> str:
    lo, hi = r["bpd_ci"]
    return f"{r['bpd']:.3f} [{lo:.3f}, {hi:.3f}]"


def pairs(res: dict[str, Any]) -> list[str]:
    return list(res["model_pair"])


def table(res: dict[str, Any]) -> str:
    """One row per pair and training seed: both sampling cells (share, Frechet) and the chain's bits/dim."""
    seeds = res["training_seeds"]
    heads = [f"{h} ({SAMPLER_TEXT[s]}, NFE {b})" for s, b in cells(res) for _, _, h in METRICS]
    first = cell(res, "gaussian-gaussian", seeds[0], *cells(res)[0])
    lk = res["likelihood"]
    head = (
        f"{res['n']} samples per cell from the same initial noise (seed {res['seed']}), 95% intervals over samples "
        f"(Wilson for shares, basic bootstrap for Fréchet; real-vs-real Fréchet floor {first['fd_floor']:.1f} at this "
        f"n); bits/dim: the negative ELBO of the N = {lk['steps']} chain on the {lk['n']:,} held-out digits with its "
        "bootstrap interval (it includes the law-mismatch constant of the uniform pairs at every step). "
        "uniform–gaussian's sampling cells are gaussian–gaussian's (the same network, sampled with the same p). "
        "Li's columns are CIFAR-10 values of another network, for orientation only.\n\n"
        "| pair (q–p) | training seed | " + " | ".join(heads) + " | bits/dim | Li CIFAR-10 FID · bits/dim |\n"
        "|---|---|" + "---|" * len(heads) + "---|---|\n"
    )
    body = ""
    for p in pairs(res):
        for ts in seeds:
            row = [cell(res, p, ts, s, b) for s, b in cells(res)]
            nums = " | ".join(share(c) if key == "confident_real" else fd(c) for c in row for key, _, _ in METRICS)
            body += (
                f"| {LABEL[p]} | {ts} | {nums} | {bits(bpd(res, p, ts))} | "
                f"{res['paper_cifar10_fid'][p]} · {res['paper_cifar10_bpd'][p]} |\n"
            )
    return head + body


def intervals(res: dict[str, Any], pair: str, metric: str, where: tuple[str, int] | None) -> list[list[float]]:
    """The metric's interval at every training seed: a sampling cell (where = (sampler, budget)) or bits/dim."""
    seeds = res["training_seeds"]
    if where is None:
        return [bpd(res, pair, ts)["bpd_ci"] for ts in seeds]
    return [cell(res, pair, ts, *where)[f"{metric}_ci"] for ts in seeds]


def resolved(res: dict[str, Any], items: list[str], metric: str, lower: bool, where: tuple[str, int] | None):
    """(better, worse) for every two items whose intervals (both training seeds) separate, and the unresolved."""
    better, open_ = [], []
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            s = separated(intervals(res, a, metric, where), intervals(res, b, metric, where))
            if s == 0:
                open_.append((a, b))
            else:
                first_a = (s < 0) == lower  # a's intervals below b's, and lower is better (or the reverse)
                better.append((a, b) if first_a else (b, a))
    return better, open_


def mean(res: dict[str, Any], pair: str, metric: str, where: tuple[str, int] | None) -> float:
    seeds = res["training_seeds"]
    if where is None:
        return sum(bpd(res, pair, ts)["bpd"] for ts in seeds) / len(seeds)
    return sum(cell(res, pair, ts, *where)[metric] for ts in seeds) / len(seeds)


def chain(res: dict[str, Any], items: list[str], metric: str, lower: bool, where: tuple[str, int] | None) -> str:
    """The items best first by their mean over training seeds, neighbours joined by "<" where their intervals
    separate (better first) and "~" where they do not: "GG < UL ~ LL"."""
    order = sorted(items, key=lambda p: mean(res, p, metric, where), reverse=not lower)
    out = SHORT[order[0]]
    for a, b in zip(order, order[1:]):
        apart = separated(intervals(res, a, metric, where), intervals(res, b, metric, where)) != 0
        out += f" {'<' if apart else '~'} {SHORT[b]}"
    return out


def ranking_sentence(res: dict[str, Any]) -> str:
    """Per number, the networks best first with the neighbours the intervals separate, against Li's order."""
    nets = [p for p in pairs(res) if res["model_pair"][p] == p]  # a network of its own (UG is GG's)
    sampling = [
        (f"{text} ({SAMPLER_TEXT[s]}, NFE {b})", key, lower, (s, b))
        for s, b in cells(res)
        for key, lower, text in METRICS
    ]
    parts = [f"{what} {chain(res, nets, key, lower, where)}" for what, key, lower, where in sampling]
    parts.append(f"bits/dim {chain(res, pairs(res), 'bpd', True, None)}")
    apart = sum(len(resolved(res, nets, key, lower, where)[0]) for _, key, lower, where in sampling)
    verdict = (
        "no sample-quality number separates any two pair networks at this n and two training seeds"
        if apart == 0
        else f"{apart} sample-quality comparisons of pair networks are resolved"
    )
    better, open_ = resolved(res, pairs(res), "bpd", True, None)
    li = res["paper_cifar10_bpd"]
    agree = [(a, b) for a, b in better if li[a] < li[b]]
    return (
        "Best first, by the mean of the two training seeds; “<” where every 95% interval of one (both seeds) lies "
        "apart from every interval of the next, “~” where they overlap (no order resolved): "
        + "; ".join(parts)
        + f". So {verdict}. Of the {len(better)} of {len(better) + len(open_)} bits/dim comparisons the intervals resolve, "
        f"{len(agree)} agree with Li's CIFAR-10 order ("
        + " < ".join(f"{SHORT[p]} {li[p]}" for p in sorted(li, key=lambda p: li[p]))
        + "), a different data set and network."
    )


def seed_spread(res: dict[str, Any]) -> str:
    """How far the two training seeds of one network land apart, next to the sampling interval's half-width."""
    seeds = res["training_seeds"]
    nets = [p for p in pairs(res) if res["model_pair"][p] == p]
    out = []
    for s, b in cells(res):
        for key, _, text in METRICS:
            scale = 100 if key == "confident_real" else 1
            gaps = [abs(cell(res, p, seeds[0], s, b)[key] - cell(res, p, seeds[1], s, b)[key]) * scale for p in nets]
            halves = [
                (c[f"{key}_ci"][1] - c[f"{key}_ci"][0]) / 2 * scale
                for p in nets
                for c in (cell(res, p, ts, s, b) for ts in seeds)
            ]
            unit = " pts" if key == "confident_real" else ""
            out.append(
                f"{text} ({SAMPLER_TEXT[s]}, NFE {b}) {min(gaps):.1f}–{max(gaps):.1f}{unit} "
                f"(interval half-widths {min(halves):.1f}–{max(halves):.1f})"
            )
    gaps = [abs(bpd(res, p, seeds[0])["bpd"] - bpd(res, p, seeds[1])["bpd"]) for p in pairs(res)]
    out.append(f"bits/dim {min(gaps):.3f}–{max(gaps):.3f}")
    return "Training-seed spread (|seed 0 − seed 1| of one network's number): " + "; ".join(out) + "."
