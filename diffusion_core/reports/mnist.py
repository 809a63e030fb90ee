"""The MNIST pair models in words and tables, written from benchmarks/mnist_models.json (what
`python -m diffusion_core.bench.mnist_models` measures), the models' sidecars and the classifier's sidecar:
the "mnist-pairs" block of docs/models.md (training budget, quality table, ranking, targets, one line per
study) and the whole of benchmarks/mnist_models.md, so no number in either can go stale."""

from __future__ import annotations

from typing import Any

from ..training.vp_chain import PAIR_NETWORK
from . import pair_seeds
from .pair_seeds import SHORT

TARGET_CONFIDENT, TARGET_FD_RATIO = 0.9, 2.0


def heun_rows(res: dict[str, Any], budget: int) -> dict[str, dict[str, Any]]:
    """pair -> its Heun row at NFE budget `budget`."""
    return {r["pair"]: r for r in res["rows"] if r["sampler"] == "heun" and r["nfe_budget"] == budget}


def nfe_spread(res: dict[str, Any]) -> float:
    """Largest change of one model's Heun Frechet distance between NFE 25 and 50: the noise of a ranking."""
    a, b = heun_rows(res, 25), heun_rows(res, 50)
    return max(abs(a[p]["fd"] - b[p]["fd"]) for p in a if p in b)


def ranking(res: dict[str, Any]) -> dict[str, Any]:
    """The pairs' networks ordered by Heun NFE-25 Frechet distance and what that order says: whether the
    Gaussian-p pairs come first, whether the networks fall in the paper's CIFAR-10 order, and whether every
    gap between neighbours is larger than one model's spread between NFE 25 and 50 (resolved)."""
    rows, paper = heun_rows(res, 25), res["paper_cifar10_fid"]
    nets = sorted((p for p in rows if p != "uniform-gaussian"), key=lambda p: rows[p]["fd"])  # UG = GG's network
    theirs = sorted(paper, key=lambda p: paper[p])
    gaps = [rows[b]["fd"] - rows[a]["fd"] for a, b in zip(nets, nets[1:])]
    spread = nfe_spread(res)
    return {
        "nets": nets,
        "paper": theirs,
        "gaps": gaps,
        "spread": spread,
        "gaussian_first": all(
            rows[p]["fd"] <= rows[q]["fd"]
            for p in ("gaussian-gaussian", "uniform-gaussian")
            for q in ("laplace-laplace", "uniform-laplace")
        ),
        "paper_order": [p for p in theirs if p in nets] == nets,
        "resolved": min(gaps) > spread,
    }


def ranking_sentence(res: dict[str, Any]) -> str:
    """The pairs ordered by Heun NFE-25 Frechet distance, against the paper's CIFAR-10 order."""
    rows, paper, r = heun_rows(res, 25), res["paper_cifar10_fid"], ranking(res)
    nets, theirs, gaps, spread = r["nets"], r["paper"], r["gaps"], r["spread"]
    order = " < ".join(f"{SHORT[p]}{' = UG' if p == 'gaussian-gaussian' else ''} {rows[p]['fd']:.1f}" for p in nets)
    verdict = (
        "the Gaussian-p pairs come first, as on CIFAR-10"
        if r["gaussian_first"]
        else "the Gaussian-p pairs do not both come first, unlike on CIFAR-10"
    )
    verdict += (
        " and the three networks fall in the paper's order"
        if r["paper_order"]
        else ", but the three networks do not fall in the paper's order"
    )
    resolved = (
        "every gap between neighbours is larger than"
        if r["resolved"]
        else f"the gaps between neighbours (smallest {min(gaps):.1f}) are not all larger than"
    )
    return (
        f"Order by Fréchet distance at Heun NFE 25 here (Heun injects no noise, so UG is GG's network): "
        f"{order}; on CIFAR-10 (Li, Table 2): "
        + " < ".join(f"{SHORT[p]} {paper[p]}" for p in theirs)
        + f". So {verdict}; {resolved} the spread of one "
        f"model between NFE 25 and 50 ({spread:.1f}), "
        + (
            "so the ranking is resolved at this sample count."
            if r["resolved"]
            else "so the order within them is not resolved at this sample count (256, one seed)."
        )
    )


def budget_sentence(sides: dict[str, dict[str, Any]], preset: dict[str, Any]) -> str:
    """Steps, batch, optimiser and each model's training time from the sidecars and the preset."""
    g = sides[PAIR_NETWORK["gaussian-gaussian"]]
    trained = ("gaussian-gaussian", "laplace-laplace", "uniform-laplace")
    seeds = [("", 0)] + [(f"-seed{k}", k) for k in (1,) if f"{PAIR_NETWORK[trained[0]]}-seed{k}" in sides]
    times = "; ".join(
        f"seed {k}: "
        + " / ".join(f"{sides[PAIR_NETWORK[p] + suffix]['train_time'] / 60:.0f}" for p in trained)
        + " min"
        for suffix, k in seeds
    )
    return (
        f"The pair networks: diffusers `UNet2DModel`s ({g['params']:,} parameters) trained with each pair's per-step "
        "KL of the unit-variance laws the chain samples, and sampled with p's law. "
        f"Same data order and budget per training seed ({' and '.join(str(k) for _, k in seeds)}; the seed sets "
        f"the initialisation and the data order): {g['steps']:,} steps × {g['batch_size']}, Adam {preset['lr']:g} "
        f"({preset['warmup']} warm-up, cosine to {preset['lr'] / 20:g}), EMA {preset['ema']:g}, "
        f"{g['world_size']} process{'es' * (g['world_size'] > 1)} × {preset['threads']} thread; {times} "
        "(gaussian–gaussian / laplace–laplace / uniform–laplace) on the 2-core CPU, shared with the session's other "
        "work (seed 0) or with the two other seed-1 runs (seed 1)."
    )


def quality_intro(res: dict[str, Any], classifier: dict[str, Any]) -> str:
    """What the pair table's numbers are: the classifier, the real digits' score, where the full cells are."""
    real = res.get("real_heldout")
    real_text = f"; real held-out digits: {100 * real['confident']:.1f}% confident" if real else ""
    return (
        f"Quality (`evaluation/metrics.py`, the project's classifier `networks/classifier.py`: "
        f"{classifier['params'] / 1000:.0f}k parameters, {classifier['heldout_accuracy']:.3f} held-out accuracy"
        f"{real_text}) of the pair networks at both training seeds (`python -m diffusion_core.bench.pair_seeds`); "
        "every sampler × NFE cell of the seed-0 networks (n = "
        f"{res['n']}, with class TV and nearest-train distances) is in "
        "[benchmarks/mnist_models.md](benchmarks/mnist_models.md)."
    )


def ode_sentence(likelihood: dict[str, Any] | None) -> str:
    """The Gaussian network's probability-flow ODE likelihood, the continuous-time reference ("" if not measured)."""
    ode = (likelihood or {}).get("ode")
    if not ode:
        return ""
    lo, hi = ode["bpd_ci"]
    return (
        f"The gaussian–gaussian network's (training seed 0) probability-flow ODE likelihood (the continuous-time "
        f"reference: Heun on {ode['steps']} karras steps, Hutchinson's trace estimator with one Rademacher draw per "
        f"image and step, per-image spread {ode['per_image_std']:.2f} bits/dim) is {ode['bpd']:.2f} [{lo:.2f}, "
        f"{hi:.2f}] bits/dim on the first {ode['n']} held-out digits: the N = 50 chain's bound above is looser by the "
        "discretisation of its chain and its decoder."
    )


def targets(res: dict[str, Any]) -> dict[str, Any]:
    """The issue's targets for the Gaussian model at NFE <= 50 at its best cells: (best confident cell, met),
    (best Frechet cell, its ratio to the floor, met)."""
    gg = [r for r in res["rows"] if r["pair"] == "gaussian-gaussian"]
    best_c = max(gg, key=lambda r: r["confident"])
    best_f = min(gg, key=lambda r: r["fd"])
    ratio = best_f["fd"] / res["floor"]["fd_floor"]
    return {
        "best_confident": best_c,
        "confident_met": best_c["confident"] >= TARGET_CONFIDENT,
        "best_fd": best_f,
        "fd_ratio": ratio,
        "fd_met": ratio <= TARGET_FD_RATIO,
    }


def targets_sentence(res: dict[str, Any]) -> str:
    """The issue's targets for the Gaussian model at NFE <= 50, met or not, at its best cell."""
    t = targets(res)
    best_c, best_f, ratio = t["best_confident"], t["best_fd"], t["fd_ratio"]
    return (
        f"Targets for the Gaussian model at NFE ≤ 50: confident ≥ {100 * TARGET_CONFIDENT:.0f}%: best "
        f"{100 * best_c['confident']:.1f}% ({best_c['sampler']}, NFE {best_c['nfe']}), "
        + ("met" if t["confident_met"] else "not met")
        + f"; Fréchet ≤ {TARGET_FD_RATIO:g}× floor: best {ratio:.2f}× ({best_f['sampler']}, NFE {best_f['nfe']}), "
        + ("met." if t["fd_met"] else "not met.")
    )


def unguided_twin(res: dict[str, Any], study: dict[str, Any]) -> dict[str, Any] | None:
    """The study of a guided study's main network on its own (same network, no guide), if measured."""
    return next((st for st in res.get("studies", []) if st["model"] == study["model"] and not st.get("guide")), None)


def same_cell(rows: list[dict[str, Any]], like: dict[str, Any]) -> dict[str, Any]:
    """The row of `rows` with `like`'s sampler and NFE budget (the like-for-like cell)."""
    return next(r for r in rows if r["sampler"] == like["sampler"] and r["nfe_budget"] == like["nfe_budget"])


def guided_comparison(res: dict[str, Any], study: dict[str, Any]) -> dict[str, Any] | None:
    """A guided study against the same main network unguided at equal NFE budget (Heun 50, and the best cell)."""
    twin = unguided_twin(res, study)
    if twin is None:
        return None
    heun = next(r for r in study["rows"] if r["sampler"] == "heun" and r["nfe_budget"] == 50)
    best = max(study["rows"], key=lambda r: r["confident"])
    return {
        "params": twin["params"],  # the main network's, without the guide
        "heun": heun,
        "heun_alone": same_cell(twin["rows"], heun),
        "best": best,
        "best_alone": same_cell(twin["rows"], best),
    }


def guided_sentence(res: dict[str, Any], study: dict[str, Any]) -> str:
    """A guided study, compared like for like: the same main network unguided in the same cell (sampler, NFE
    budget), and what the guide changes against the main network (Karras et al.'s differs only in capacity and
    training length)."""
    c = guided_comparison(res, study)
    best_f = min(study["rows"], key=lambda r: r["fd"])
    head = (
        f"With {study['change']} (`{study['model']}`, {study['train_time'] / 60:.0f} min on the 2-core CPU "
        "shared with the session's other work), "
    )
    if c is None:
        g = next(r for r in study["rows"] if r["sampler"] == "heun" and r["nfe_budget"] == 50)
        body = (
            f"the guided network scores {100 * g['confident']:.1f}% confident and Fréchet {g['fd']:.1f} at Heun NFE "
            f"{g['nfe']} (the same network unguided was not measured)"
        )
    else:
        g, u, b, bu = c["heun"], c["heun_alone"], c["best"], c["best_alone"]
        body = (
            f"the guided network scores {100 * g['confident']:.1f}% confident and Fréchet {g['fd']:.1f} at Heun NFE "
            f"{g['nfe']}, against {100 * u['confident']:.1f}% and Fréchet {u['fd']:.1f} for the same network "
            f"unguided at equal NFE (Heun NFE {u['nfe']}); its best guided cell reaches {100 * b['confident']:.1f}% "
            f"({b['sampler']}, NFE {b['nfe']}) against {100 * bu['confident']:.1f}% (Fréchet {b['fd']:.1f} vs "
            f"{bu['fd']:.1f}) for the same network unguided in that cell"
        )
    best_c = max(study["rows"], key=lambda r: r["confident"])
    guide = study.get("guide_change")
    tail = (
        f" The guide differs from the main network in more than capacity and training length ({guide}), where "
        "Karras et al.'s guide differs only in those two."
        if guide
        else ""
    )
    return (
        head
        + body
        + f"; so the ≥ {100 * TARGET_CONFIDENT:.0f}% target is "
        + ("met" if best_c["confident"] >= TARGET_CONFIDENT else "still not met")
        + f" with guidance; best Fréchet {best_f['fd'] / res['floor']['fd_floor']:.2f}× floor."
        + tail
    )


def study_sentence(res: dict[str, Any], study: dict[str, Any]) -> str:
    """What one study network (bench.mnist_models --budget: more steps, another architecture) scores, against
    the baseline it was measured with (the pre-issue-22 pair-table network, same metric, named as a different
    network); a guided study against its own network unguided."""
    if study.get("guide"):
        return guided_sentence(res, study)
    budget = 25
    base = next(r for r in res["baseline"]["rows"] if r["sampler"] == "heun" and r["nfe_budget"] == budget)
    row = next(r for r in study["rows"] if r["sampler"] == "heun" and r["nfe_budget"] == budget)
    best_c = max(study["rows"], key=lambda r: r["confident"])
    best_f = min(study["rows"], key=lambda r: r["fd"])
    return (
        f"With {study['change']} (`{study['model']}`, {study['train_time'] / 60:.0f} min on the 2-core CPU "
        f"shared with the session's other work), the Gaussian network scores "
        f"{100 * row['confident']:.1f}% confident and Fréchet {row['fd']:.1f} at Heun NFE {row['nfe']} (the "
        f"baseline `{res['baseline']['model']}`, trained without this change and scored with the same metric, at NFE "
        f"{base['nfe']}: {100 * base['confident']:.1f}%, {base['fd']:.1f}); its best cell reaches "
        f"{100 * best_c['confident']:.1f}% ({best_c['sampler']}, NFE {best_c['nfe']}), so the "
        f"≥ {100 * TARGET_CONFIDENT:.0f}% target is "
        + ("met" if best_c["confident"] >= TARGET_CONFIDENT else "still not met")
        + f" with it; best Fréchet {best_f['fd'] / res['floor']['fd_floor']:.2f}× floor."
    )


def studies_sentence(res: dict[str, Any]) -> str:
    """One sentence per study network, in the order they were measured ("" if none)."""
    return " ".join(study_sentence(res, st) for st in res.get("studies", []))


def studies_list(res: dict[str, Any]) -> str:
    """One bullet per study network, in the order they were measured ("" if none)."""
    return "\n".join(f"- {study_sentence(res, st)}" for st in res.get("studies", []))


def block(
    res: dict[str, Any],
    sides: dict[str, dict[str, Any]],
    preset: dict[str, Any],
    classifier: dict[str, Any],
    likelihood: dict[str, Any] | None,
    seeds: dict[str, Any],
) -> str:
    """The generated "mnist-pairs" block of docs/models.md (markers excluded): budget, the two-seed table with
    intervals, the seed spread, the ranking the intervals resolve, the ODE likelihood, targets, then one bullet
    per study."""
    parts = [
        budget_sentence(sides, preset),
        quality_intro(res, classifier) + " " + pair_seeds.table(seeds).rstrip("\n"),
        pair_seeds.seed_spread(seeds) + " " + pair_seeds.ranking_sentence(seeds),
        ode_sentence(likelihood),
        targets_sentence(res),
    ]
    studies = studies_list(res)
    if studies:
        parts.append(
            "The studies (`bench.mnist_models --budget NAME`; measured before issue 22 and 24: their confident share is "
            "the classifier's alone, without the real-looking gate, and their ancestral sampler injects q's law, "
            "which for these Gaussian networks is p's; full rows in "
            "[benchmarks/mnist_models.md](benchmarks/mnist_models.md)):\n\n" + studies
        )
    return "\n\n".join(p for p in parts if p)


# --- benchmarks/mnist_models.md (the report layer writes the text; bench/mnist_models.py measures)


def best_per_pair(res: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The cell with the lowest Frechet distance of each pair."""
    out: dict[str, dict[str, Any]] = {}
    for r in res["rows"]:
        if r["pair"] not in out or r["fd"] < out[r["pair"]]["fd"]:
            out[r["pair"]] = r
    return out


def study_title(study: dict[str, Any]) -> str:
    if study.get("guide"):
        return f"autoguided: `{study['model']}` by `{study['guide']}`, w = {study['w']:g}"
    return f"another budget or architecture: `{study['model']}`"


def reading(res: dict[str, Any]) -> str:
    """The paragraph under the comparison: ranking, targets and the studies' sentences."""
    return " ".join(filter(None, ["**Reading.**", ranking_sentence(res), targets_sentence(res), studies_sentence(res)]))


def markdown(res: dict[str, Any]) -> str:
    """The whole benchmarks/mnist_models.md from mnist_models.json."""
    fl = res["floor"]
    head = (
        "| pair (q–p) | model | sampler | NFE | confident ≥ 0.9 | class TV | Fréchet (floor "
        f"{fl['fd_floor']:.1f}) | FD / floor | nearest-train RMS (held-out {fl['nn_heldout']:.3f}) | wall s (shared CPU) |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
    )
    body = "".join(
        f"| {r['pair']} | {r['model']} | {r['sampler']} | {r['nfe']} | {100 * r['confident']:.1f}% | "
        f"{r['class_tv']:.3f} | {r['fd']:.1f} | {r['fd'] / fl['fd_floor']:.2f} | {r['nn_train']:.3f} | "
        f"{r['seconds']} |\n"
        for r in res["rows"]
    )
    best = best_per_pair(res)
    cmp = (
        "| pair | CIFAR-10 FID (Li, Table 2) | MNIST here: best Fréchet (sampler, NFE) | confident |\n"
        "|---|---|---|---|\n"
        + "".join(
            f"| {p} | {res['paper_cifar10_fid'][p]} | {b['fd']:.1f} ({b['sampler']}, {b['nfe']}) | "
            f"{100 * b['confident']:.1f}% |\n"
            for p, b in best.items()
        )
    )
    extra = "".join(
        f"\n## The Gaussian network, {study_title(study)}\n\n{study['preset']}: "
        f"{study['change']}; {study['steps']:,} steps × {study['batch_size']}, {study['train_time'] / 60:.0f} min, "
        f"final loss {study['final_loss']:.4f}. The baseline `mnist-li-gaussian-gaussian` (the pre-issue-22 pair-table network) has one smaller budget and "
        "architecture.\n\n"
        + head
        + "".join(
            f"| {r['pair']} | {r['model']} | {r['sampler']} | {r['nfe']} | {100 * r['confident']:.1f}% | "
            f"{r['class_tv']:.3f} | {r['fd']:.1f} | {r['fd'] / fl['fd_floor']:.2f} | {r['nn_train']:.3f} | "
            f"{r['seconds']} |\n"
            for r in study["rows"]
        )
        for study in res.get("studies", [])
    )
    return (
        "# MNIST models: the increment pairs side by side\n\n"
        "Measured by `python -m diffusion_core.bench.mnist_models` into mnist_models.json, written from it by "
        "`make readme`. "
        f"{res['n']} samples per cell, seed {res['seed']} (the same initial noise in every cell); metrics from "
        "diffusion_core/metrics.py with the project's classifier (models/classifier.py). Fréchet distance in the "
        f"classifier's 64-d penultimate features to the 1,000 held-out digits; floor = {res['n']} training-split "
        "digits against the same held-out set. Nearest-train RMS: mean RMS pixel distance (range [-1, 1]) of each "
        "sample to its nearest training digit; held-out digits sit at the value in the header.\n\n"
        + head
        + body
        + "\n## Against the paper\n\n"
        + cmp
        + "\n"
        + reading(res)
        + "\n"
        + extra
    )
