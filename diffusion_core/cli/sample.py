"""`difflab sample --model NAME|PATH --sampler NAME --steps N --seed S --n K --out F.png|F.npy
[--schedule NAME] [--noise-law LAW] [--device auto|cpu|cuda|mps] [--json]`.

Draws K samples from a registered model (models/registry.py), a model folder (the project's export or a
diffusers `DDPMPipeline.save_pretrained` folder; models/folders.py) or a hub id when online, with any
sampler and schedule, writes
them (.npy: float32 [K, C, H, W] clipped to [-1, 1]; .png: a grid) and prints a summary with the
NFE and a quality number against the model's exact answer (models/quality.py).
"""
from __future__ import annotations

import argparse
from typing import Any

from ..nonnormal.laws import LAWS
from ..models import quality as Q
from ..models import sampling as S
from ..models.folders import load_model_ref
from ..models.registry import SPECS
from ..noise.samplers import SAMPLERS
from ..progress import bar
from .stdio import STDIO, output_path, summary_stream
from ..devices import resolve_device


def sample_report(model: str, sampler: str, steps: int, seed: int, n: int, out: str,
                  schedule: str = "karras", noise_law: str = "gaussian", device: str = "auto") -> dict[str, Any]:
    """Validate everything first, sample, save, and return the `sample` JSON."""
    steps, n, seed = S.check_run(sampler, schedule, steps, n, seed, noise_law)
    path = S.check_out_path(out)
    m = load_model_ref(model, resolve_device(device), allow_paths=True)
    sigmas = S.model_sigmas(m, schedule, steps)
    with bar(steps, f"sample {sampler}", unit="step") as b:
        x = S.run_sampler(m, sampler, sigmas, n, seed, noise_law, callback=lambda _: b.update(1))   # [n, C, H, W]
    S.save_samples(x, path)
    q = Q.score(m, sampler, sigmas, x)
    return {"model": m.spec.name, "kind": m.spec.kind, "sampler": sampler, "schedule": schedule, "steps": steps,
            "nfe": S.nfe_of(sampler, steps), "seed": seed, "n": n, "noise_law": noise_law, "out": str(path),
            "device": str(m.device), "dtype": str(S.DTYPE).removeprefix("torch."),
            "shape": [n, *m.spec.shape], "sigma_max": float(sigmas[0]), "sigma_min": float(sigmas[-2]),
            "clipped_fraction": float((x.abs() > 1).double().mean()),
            "quality_metric": q["metric"], "quality": q["value"], "quality_details": q}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sample", help="draw samples from a registered model with any sampler and schedule")
    p.add_argument("--model", required=True, help=f"model name ({', '.join(SPECS)}; see `difflab models`), a model "
                                                  "folder (exported, or diffusers DDPMPipeline.save_pretrained), "
                                                  "or a hub id when online")
    p.add_argument("--sampler", required=True, help=f"sampler: {', '.join(SAMPLERS)}")
    p.add_argument("--steps", required=True, help=f"sampling steps N, 1..{S.MAX_STEPS}")
    p.add_argument("--seed", required=True, help="torch.Generator seed, >= 0 (same seed, same pixels)")
    p.add_argument("--n", required=True, help=f"number of samples K, 1..{S.MAX_N}")
    p.add_argument("--out", required=True, help="output file: .png (grid) or .npy (float32 [K, C, H, W] in [-1, 1]); - writes the PNG grid to stdout")
    p.add_argument("--schedule", default="karras", help="schedule family (default karras, over the model's sigma range)")
    p.add_argument("--noise-law", default="gaussian", help=f"law of the injected noise: {'|'.join(LAWS)}")
    p.add_argument("--device", default="auto", help="auto|cpu|cuda|mps: where the network runs (auto: cuda, mps, "
                                                    "then cpu; exact denoisers always run on the cpu)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .main import emit
    with output_path(args.out, ".png") as out:
        report = sample_report(args.model, args.sampler, args.steps, args.seed, args.n, str(out), args.schedule,
                               args.noise_law, args.device)
    if args.out == STDIO:
        report["out"] = STDIO
    emit(report, args.json, summary_stream(args.out))
    return 0
