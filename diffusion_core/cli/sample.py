"""`difflab sample --model NAME|PATH [--sampler NAME] [--steps N] --seed S --n K --out F.png|F.npy
[--schedule NAME|scheduler] [--set key=value ...] [--noise-law LAW] [--step-noise white|coloured|brownian] [--noise-slope S] [--eta E]
[--s-churn C --s-tmin A --s-tmax B --s-noise S] [--guide MODEL --guidance W] [--device auto|cpu|cuda|mps] [--json]`.

Draws K samples from a registered model (models/registry.py), a model folder (the project's export or a
diffusers `DDPMPipeline.save_pretrained` folder; models/folders.py) or a hub id when online, with any
sampler and schedule, writes
them (.npy: float32 [K, C, H, W] clipped to [-1, 1]; .png: a grid) and prints a summary with the
NFE and a quality number against the model's truth (evaluation/truth.py), taken under the
sampling-noise controls (nonnormal/controls.py: step noise, DDIM eta, EDM churn; sampling/run.py).
"""

from __future__ import annotations

import argparse
import math
from typing import Any

import torch

from ..denoisers.autoguidance import MAX_W
from ..devices import resolve_device
from ..evaluation.truth import DigitTruth, NoTruth
from ..models.datasets import DATASETS
from ..models.folders import load_model_ref
from ..models.foreign import rescheduled
from ..models.guided import evaluations, guided
from ..models.registry import OWN_SAMPLER, SCALE_SPACE, SIDECARS, load_flexi
from ..nonnormal.controls import CHURN_KEYS, SamplingNoise
from ..progress import bar
from ..sampling import run as S
from ..sampling.threads import sample_own
from ..scale_space.sampler import ssd_sample
from ..training.flexi_quality import crop_to, schedule_for
from ..validation import InputError, check_int, check_range
from .main import emit
from .schedule import parse_sets
from .stdio import STDIO, output_path, summary_stream

SSD = "ssd"  # the scale-space networks' own sampler
AUTO = "auto"  # the sampler a diffusers folder's scheduler steps with (heun for other models)
DEFAULT_NFE = 25  # --steps unset: the largest step count within NFE 25 (heun: 13 steps)
SSD_STEPS = 50  # --steps unset for a scale-space network


def number(name: str, text: Any) -> float:
    """A float from the command line (inf allowed; the controls validate the range)."""
    try:
        return float(text)
    except (TypeError, ValueError):
        raise InputError(f"--{name.replace('_', '-')} must be a number, got {text!r}") from None


def sample_report(
    model: str,
    sampler: str,
    steps: int,
    seed: int,
    n: int,
    out: str,
    schedule: str | None = None,
    noise_law: str = "gaussian",
    device: str = "auto",
    step_noise: str = "white",
    noise_slope: Any = 1.0,
    eta: Any = 0.0,
    s_churn: Any = 0.0,
    s_tmin: Any = 0.0,
    s_tmax: Any = math.inf,
    s_noise: Any = 1.0,
    guide: str | None = None,
    guidance: Any = 1.0,
    sets: list[str] | None = None,
) -> dict[str, Any]:
    """Validate everything first, sample, save, and return the `sample` JSON. With `guide`, the model is
    autoguided by that weaker model at weight `guidance` (denoisers/autoguidance.py; NFE counts both).
    A diffusers folder samples under its own scheduler (schedule None or "scheduler", sampler "auto": the
    scheduler's step), `sets` (KEY=VALUE) overriding that scheduler's options; other models default to karras."""
    overrides = parse_sets(sets or [])
    if str(model).strip() in OWN_SAMPLER:
        return own_report(str(model).strip(), sampler, steps, seed, n, S.check_out_path(out))
    if steps is None:
        ssd = str(model).strip() in SCALE_SPACE
        steps = SSD_STEPS if ssd else S.steps_for_nfe("heun" if sampler == AUTO else sampler, DEFAULT_NFE)
    steps, n, seed = S.check_run(
        "euler" if sampler in (AUTO, SSD) else sampler, schedule or "karras", steps, n, seed, noise_law
    )
    opts = dict(
        zip(("noise_slope", "eta", *CHURN_KEYS), (noise_slope, eta, s_churn, s_tmin, s_tmax, s_noise), strict=True)
    )
    opts = {k: number(k, v) for k, v in opts.items()}
    controls = SamplingNoise(noise_law, step_noise, opts.pop("noise_slope"), **opts)
    path = S.check_out_path(out)
    w = check_range("guidance", number("guidance", guidance), 0.0, MAX_W)
    if str(model).strip() in SCALE_SPACE:
        return scale_space_report(str(model).strip(), sampler, steps, seed, n, path)
    m = load_model_ref(model, resolve_device(device), allow_paths=True)
    if overrides:
        m = rescheduled(m, overrides)
    schedule = schedule or (S.SCHEDULER if m.scheduler is not None else m.spec.default_schedule or "karras")
    if sampler == AUTO:
        sampler = m.scheduler.sampler if m.scheduler is not None else "heun"
    weak = load_model_ref(guide, resolve_device(device), allow_paths=True) if guide else None
    native = m.scheduler if schedule == S.SCHEDULER else None
    if weak is not None:
        m = guided(m, weak, w)
    sigmas = S.model_sigmas(m, schedule, steps)
    init = native.init_sigma(float(sigmas[0])) if native is not None else None
    with bar(steps, f"sample {sampler}", unit="step") as b:
        x = S.run_sampler(m, sampler, sigmas, n, seed, controls, lambda _: b.update(1), init_sigma=init)
    S.save_samples(x, path)
    q = m.truth.score(sampler, sigmas, x, controls).to_json()
    return {
        "model": m.spec.name,
        "kind": m.spec.kind,
        "sampler": sampler,
        "schedule": schedule,
        "scheduler": native.class_name if native is not None else None,
        "scheduler_overrides": overrides,
        "steps": steps,
        "nfe": S.nfe_of(sampler, steps) * evaluations(m),
        "guide": weak.spec.name if weak else None,
        "guidance": w if weak else None,
        "seed": seed,
        "n": n,
        "noise_law": noise_law,
        "step_noise": step_noise,
        "noise_slope": controls.slope,
        "eta": controls.eta,
        "s_churn": controls.s_churn,
        "s_tmin": controls.s_tmin,
        "s_tmax": controls.s_tmax if math.isfinite(controls.s_tmax) else None,
        "s_noise": controls.s_noise,
        "out": str(path),
        "device": str(m.device),
        "dtype": str(S.DTYPE).removeprefix("torch."),
        "shape": [n, *m.spec.shape],
        "sigma_max": float(sigmas[0]),
        "sigma_min": float(sigmas[-2]),
        "clipped_fraction": float((x.abs() > 1).double().mean()),
        "quality_metric": q["metric"],
        "quality": q["value"],
        "quality_details": q,
    }


def own_report(name: str, sampler: str, steps: Any, seed: Any, n: Any, path: Any) -> dict[str, Any]:
    """A GUD or per-instance spectral network sampled by its own sampler (sampling/threads.py), scored by the
    digit classifier."""
    n, seed = check_int("n", n, 1, S.MAX_N), check_int("seed", seed, 0, 2**63 - 1)
    steps = None if steps is None else check_int("steps", steps, 1, S.MAX_STEPS)
    with bar(steps or 50, "sample", unit="step") as b:
        x, rec = sample_own(name, None if sampler == AUTO else sampler, steps, n, seed, lambda _: b.update(1))
    x = x.clamp(-1, 1)
    S.save_samples(x, path)
    q = DATASETS[SIDECARS[name]["dataset"]].truth().score_samples(x).to_json()  # type: ignore[attr-defined]
    return {
        "model": name,
        "kind": OWN_SAMPLER[name].kind,
        **rec,
        "seed": seed,
        "n": n,
        "out": str(path),
        "device": "cpu",
        "shape": list(x.shape),
        "quality_metric": q["metric"],
        "quality": q["value"],
        "quality_details": q,
    }


def scale_space_report(name: str, sampler: str, steps: int, seed: int, n: int, path: Any) -> dict[str, Any]:
    """A scale-space network (Flexi-UNet or its full-resolution baseline) sampled by the SSD sampler it was trained
    for (scale_space/sampler.py, exact transitions), cropped to the data's side, scored by its data set's truth."""
    if sampler not in (AUTO, SSD):
        raise InputError(f"model {name} is a scale-space network, sampled by its own SSD sampler: use --sampler auto")
    if steps < 2:
        raise InputError(f"model {name}: the SSD sampler needs --steps >= 2")
    sched = schedule_for(name)
    with bar(steps, "sample ssd", unit="step") as b:
        x = ssd_sample(load_flexi(name), sched, n, torch.Generator().manual_seed(seed), steps, lambda _: b.update(1))
    ds = DATASETS[SIDECARS[name]["dataset"]]
    x = crop_to(x, ds.shape[-1]).to(torch.float32)  # [n, C, h, w]
    S.save_samples(x, path)
    truth = ds.truth()
    score = truth.score_samples(x) if isinstance(truth, DigitTruth) else NoTruth().score(SSD, torch.zeros(2), x)
    q = score.to_json()
    return {
        "model": name,
        "kind": "scale-space",
        "sampler": SSD,
        "schedule": f"{sched.family} levels {sched.levels}",
        "steps": steps,
        "nfe": steps,
        "seed": seed,
        "n": n,
        "out": str(path),
        "device": "cpu",
        "shape": list(x.shape),
        "clipped_fraction": float((x.abs() > 1).double().mean()),
        "quality_metric": q["metric"],
        "quality": q["value"],
        "quality_details": q,
    }


def run(args: argparse.Namespace) -> int:
    with output_path(args.out, ".png") as out:
        report = sample_report(
            args.model,
            args.sampler,
            args.steps,
            args.seed,
            args.n,
            str(out),
            args.schedule,
            args.noise_law,
            args.device,
            args.step_noise,
            args.noise_slope,
            args.eta,
            args.s_churn,
            args.s_tmin,
            args.s_tmax,
            args.s_noise,
            args.guide,
            args.guidance,
            args.set,
        )
    if args.out == STDIO:
        report["out"] = STDIO
    emit(report, args.json, summary_stream(args.out))
    return 0
