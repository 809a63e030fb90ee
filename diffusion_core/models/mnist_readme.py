"""The README's "MNIST models: Li's increment pairs" numbers, written from benchmarks/mnist_models.json, the
three models' sidecars and the classifier's sidecar (bench/readme.py puts it between its markers), so the
training budget, the quality table and the ranking sentence cannot go stale."""
from __future__ import annotations

from typing import Any

BEGIN, END = "<!-- mnist-pairs:begin (python -m diffusion_core.bench.readme) -->", "<!-- mnist-pairs:end -->"
PAIR_LABEL = {"gaussian-gaussian": "gaussian–gaussian", "laplace-laplace": "laplace–laplace",
              "uniform-gaussian": "uniform–gaussian (same net)", "uniform-laplace": "uniform–laplace"}
SHORT = {"gaussian-gaussian": "GG", "laplace-laplace": "LL", "uniform-gaussian": "UG", "uniform-laplace": "UL"}
TARGET_CONFIDENT, TARGET_FD_RATIO = 0.9, 2.0


def heun_rows(res: dict[str, Any], budget: int) -> dict[str, dict[str, Any]]:
    """pair -> its Heun row at NFE budget `budget`."""
    return {r["pair"]: r for r in res["rows"] if r["sampler"] == "heun" and r["nfe_budget"] == budget}


def nfe_spread(res: dict[str, Any]) -> float:
    """Largest change of one model's Heun Frechet distance between NFE 25 and 50: the noise of a ranking."""
    a, b = heun_rows(res, 25), heun_rows(res, 50)
    return max(abs(a[p]["fd"] - b[p]["fd"]) for p in a if p in b)


def ranking_sentence(res: dict[str, Any]) -> str:
    """The pairs ordered by Heun NFE-25 Frechet distance, against the paper's CIFAR-10 order."""
    rows, paper = heun_rows(res, 25), res["paper_cifar10_fid"]
    nets = sorted((p for p in rows if p != "uniform-gaussian"), key=lambda p: rows[p]["fd"])   # UG = GG's network
    theirs = sorted(paper, key=lambda p: paper[p])
    gaps = [rows[b]["fd"] - rows[a]["fd"] for a, b in zip(nets, nets[1:])]
    spread = nfe_spread(res)
    order = " < ".join(f"{SHORT[p]}{' = UG' if p == 'gaussian-gaussian' else ''} {rows[p]['fd']:.1f}" for p in nets)
    gauss_first = all(rows[p]["fd"] <= rows[q]["fd"] for p in ("gaussian-gaussian", "uniform-gaussian")
                      for q in ("laplace-laplace", "uniform-laplace"))
    verdict = ("the Gaussian-p pairs come first, as on CIFAR-10" if gauss_first
               else "the Gaussian-p pairs do not both come first, unlike on CIFAR-10")
    verdict += (" and the three networks fall in the paper's order" if [p for p in theirs if p in nets] == nets
                else ", but the three networks do not fall in the paper's order")
    resolved = ("every gap between neighbours is larger than" if min(gaps) > spread else
                "the gaps between neighbours (smallest " f"{min(gaps):.1f}) are not all larger than")
    return (f"Order by Fréchet distance at Heun NFE 25 here (Heun injects no noise, so UG is GG's network): "
            f"{order}; on CIFAR-10 (Li, Table 2): "
            + " < ".join(f"{SHORT[p]} {paper[p]}" for p in theirs) + f". So {verdict}; {resolved} the spread of one "
            f"model between NFE 25 and 50 ({spread:.1f}), " + ("so the ranking is resolved at this sample count."
                                                                if min(gaps) > spread else
                                                                "so the order within them is not resolved at this "
                                                                "sample count (256, one seed)."))


def budget_sentence(sides: dict[str, dict[str, Any]], preset: dict[str, Any]) -> str:
    """Steps, batch, optimiser and each model's training time from the sidecars and the preset."""
    g = sides["mnist-li-gaussian-gaussian"]
    times = " / ".join(f"{sides[f'mnist-li-{p}']['train_time'] / 60:.0f}"
                       for p in ("gaussian-gaussian", "laplace-laplace", "uniform-laplace"))
    return (f"Same seed, data order and budget: {g['steps']:,} steps × {g['batch_size']}, Adam {preset['lr']:g} "
            f"({preset['warmup']} warm-up, cosine to {preset['lr'] / 20:g}), EMA {preset['ema']:g}, "
            f"{g['world_size']} process{'es' * (g['world_size'] > 1)} × {preset['threads']} thread; {times} min (gaussian–gaussian / laplace–laplace "
            f"/ uniform–laplace) on the 2-core CPU while the rest of the session's work shared it.")


def table(res: dict[str, Any], classifier: dict[str, Any]) -> str:
    rows, fl = heun_rows(res, 25), res["floor"]
    real = res.get("real_heldout")
    real_text = f"; real held-out digits: {100 * real['confident']:.1f}% confident" if real else ""
    head = (f"Quality (`diffusion_core/metrics.py`, the project's classifier `models/classifier.py`: "
            f"{classifier['params'] / 1000:.0f}k parameters, {classifier['heldout_accuracy']:.3f} held-out accuracy"
            f"{real_text}), {res['n']} samples, "
            "Heun at NFE 25 on karras σ; full table (two samplers × NFE 10/25/50, ancestral with the pair's q as "
            "step noise) in [benchmarks/mnist_models.md](benchmarks/mnist_models.md):\n\n"
            f"| pair (q–p) | CIFAR-10 FID (Li) | confident ≥ 0.9 | class TV | Fréchet (real floor {fl['fd_floor']:.1f}) "
            f"| FD / floor | nearest-train RMS (held-out {fl['nn_heldout']:.3f}) |\n|---|---|---|---|---|---|---|\n")
    body = "".join(f"| {PAIR_LABEL[p]} | {res['paper_cifar10_fid'][p]} | {100 * r['confident']:.1f}% | "
                   f"{r['class_tv']:.3f} | {r['fd']:.1f} | {r['fd'] / fl['fd_floor']:.2f} | {r['nn_train']:.3f} |\n"
                   for p, r in rows.items())
    return head + body


def targets_sentence(res: dict[str, Any]) -> str:
    """The issue's targets for the Gaussian model at NFE <= 50, met or not, at its best cell."""
    gg = [r for r in res["rows"] if r["pair"] == "gaussian-gaussian"]
    best_c = max(gg, key=lambda r: r["confident"])
    best_f = min(gg, key=lambda r: r["fd"])
    ratio = best_f["fd"] / res["floor"]["fd_floor"]
    return (f"Targets for the Gaussian model at NFE ≤ 50: confident ≥ {100 * TARGET_CONFIDENT:.0f}%: best "
            f"{100 * best_c['confident']:.1f}% ({best_c['sampler']}, NFE {best_c['nfe']}), "
            + ("met" if best_c["confident"] >= TARGET_CONFIDENT else "not met")
            + f"; Fréchet ≤ {TARGET_FD_RATIO:g}× floor: best {ratio:.2f}× ({best_f['sampler']}, NFE {best_f['nfe']}), "
            + ("met." if ratio <= TARGET_FD_RATIO else "not met."))


def study_sentence(res: dict[str, Any], study: dict[str, Any]) -> str:
    """What one study network (mnist_report --budget: more steps, another architecture) scores."""
    budget = 50 if study.get("guide") else 25                 # a guided NFE counts both networks: 50 is 25 each
    base = heun_rows(res, budget)["gaussian-gaussian"]
    row = next(r for r in study["rows"] if r["sampler"] == "heun" and r["nfe_budget"] == budget)
    best_c = max(study["rows"], key=lambda r: r["confident"])
    best_f = min(study["rows"], key=lambda r: r["fd"])
    return (f"With {study['change']} (`{study['model']}`, {study['train_time'] / 60:.0f} min on the 2-core CPU "
            f"shared with the session's other work), the Gaussian network scores "
            f"{100 * row['confident']:.1f}% confident and Fréchet {row['fd']:.1f} at Heun NFE {row['nfe']} (the pair "
            f"table's network at NFE {base['nfe']}: {100 * base['confident']:.1f}%, {base['fd']:.1f}); its best cell reaches "
            f"{100 * best_c['confident']:.1f}% ({best_c['sampler']}, NFE {best_c['nfe']}), so the "
            f"≥ {100 * TARGET_CONFIDENT:.0f}% target is " + ("met" if best_c["confident"] >= TARGET_CONFIDENT
                                                          else "still not met")
            + f" with it; best Fréchet {best_f['fd'] / res['floor']['fd_floor']:.2f}× floor.")


def studies_sentence(res: dict[str, Any]) -> str:
    """One sentence per study network, in the order they were measured ("" if none)."""
    return " ".join(study_sentence(res, st) for st in res.get("studies", []))


def block(res: dict[str, Any], sides: dict[str, dict[str, Any]], preset: dict[str, Any],
          classifier: dict[str, Any]) -> str:
    """The generated block, markers included."""
    return "\n\n".join([BEGIN, budget_sentence(sides, preset), table(res, classifier).rstrip("\n"),
                        " ".join(filter(None, [ranking_sentence(res), targets_sentence(res),
                                               studies_sentence(res)])), END])
