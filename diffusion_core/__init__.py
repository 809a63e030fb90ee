"""Diffusion Lab's core as a Python API: `import diffusion_core as dl`.

Conventions (the whole package): the one noise variable is the logSNR `lam`; VP alpha^2 = sigmoid(lam),
sigma^2 = sigmoid(-lam); VE sigma = exp(-lam/2). Time runs t = 0 data -> t = 1 noise. Images are float32 in
[-1, 1], shape [B, C, H, W]; FFTs are orthonormal. Randomness is always passed in (torch.Generator).
A denoiser is D(x, lam) -> x0_hat; a schedule cut into N steps is N + 1 descending VE sigmas ending at 0,
and every sampler takes (denoiser, x, sigmas, *, generator, noise, callback).

The names below are loaded on first use (`import diffusion_core` does not import torch); each one is the
core function or class itself, so `help(dl.bounds)` shows its formula. Groups:

- data: PHOTOS, load_photo, load_photos, load_digits, load_upload, gaussian_field, power_law_variance,
  workshop_exercises
- spectrum: radial_psd, fit_power_law, default_fit_band, noise_floor, snr_per_frequency, crossing_frequency,
  snr_classes, add_noise_vp
- bounds and tight schedules: image_spectrum, field_spectrum, bounds, quantization_floor, tight_params,
  tight_lam_fn
- schedules and samplers: SCHEDULES, build_schedule, diffusers_config, sigmas_from_lam, SAMPLERS, get_sampler, nfe,
  exact_output_variance (a linear sampler's output variance on Gaussian data, exactly)
- bases and GUD schedules: BASES, make_basis, basis_images, component_variances, BasesView, gud_setup,
  schedule_table, forward_run, reverse_run
- increment walks and losses: LAWS, get_law, simulate_walk, exact_moments, expected_excess_kurtosis,
  sample_excess_kurtosis, ks_to_gaussian, loss_weights, pair_loss, PAIRS
- scale space: resize, to_size, resolution_schedule, pixel_work_fraction, ddpm_alpha_bar, forward_marginal,
  mi_share_above_nyquist, ExactFieldDenoiser, ssd_sample
- models and sampling: list_models, get_model, model_sigmas, initial_noise, run_sampler, sample_score,
  power_law_denoiser, GaussianDenoiser, EmpiricalDenoiser, GaussianMixture, digit_quality (the MNIST
  classifier's numbers), load_flexi and flexi_schedule (the shipped scale-space networks)
- the trained network of each paper thread: THREADS (the rows: spectral standard/tight/per-instance, GUD pixel and
  PCA soft-conditioning), sample_own (a GUD or per-instance network with its own sampler), draw_row (one row of
  same-seed samples at a chosen NFE)
- model folders, autoguidance and sampling noise: load_model (a registry name, a model folder or a hub id, as
  `difflab sample --model` takes it), autoguided (a model guided by a weaker one, Karras et al. 2024) and its
  denoiser AutoGuided, SamplingNoise (the law, step noise, DDIM eta and EDM churn that run_sampler takes)
- notebooks: show (a plotly figure as interactive JSON plus a static PNG, so it renders offline in JupyterLab
  and in nbconvert HTML, GitHub and nbviewer)
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

# public name -> (module under diffusion_core, attribute there)
_API: dict[str, tuple[str, str]] = {
    # data
    "PHOTOS": ("data", "PHOTOS"),
    "load_photo": ("data", "load_photo"),
    "load_photos": ("data", "load_photos"),
    "load_digits": ("data", "load_digits"),
    "workshop_exercises": ("presets", "workshop_exercises"),
    "load_upload": ("data", "load_upload"),
    "gaussian_field": ("data", "gaussian_field"),
    "power_law_variance": ("data", "power_law_variance"),
    # spectrum
    "radial_psd": ("spectral.spectrum", "radial_psd"),
    "fit_power_law": ("spectral.spectrum", "fit_power_law"),
    "default_fit_band": ("spectral.spectrum", "default_fit_band"),
    "noise_floor": ("spectral.spectrum", "noise_floor"),
    "snr_per_frequency": ("spectral.spectrum", "snr_per_frequency"),
    "crossing_frequency": ("spectral.spectrum", "crossing_frequency"),
    "snr_classes": ("spectral.spectrum", "snr_classes"),
    "add_noise_vp": ("spectral.spectrum", "add_noise_vp"),
    # bounds and tight schedules
    "image_spectrum": ("spectral.tight", "image_spectrum"),
    "bounds": ("spectral.tight", "bounds"),
    "quantization_floor": ("spectral.tight", "quantization_floor"),
    "tight_params": ("spectral.tight", "tight_params"),
    "tight_lam_fn": ("spectral.tight", "tight_lam_fn"),
    "field_spectrum": ("spectral.tight", "field_spectrum"),
    # schedules and samplers
    "SCHEDULES": ("noise.schedules", "FAMILIES"),
    "build_schedule": ("spectral.schedule", "build_schedule"),
    "diffusers_config": ("noise.discretization", "diffusers_config"),
    "sigmas_from_lam": ("noise.discretization", "sigmas_from_lam"),
    "SAMPLERS": ("noise.samplers", "SAMPLERS"),
    "get_sampler": ("noise.samplers", "get_sampler"),
    "nfe": ("noise.samplers", "nfe"),
    "exact_output_variance": ("evaluation.exact", "output_variance"),
    # bases and GUD schedules
    "BASES": ("bases", "BASES"),
    "make_basis": ("bases", "make_basis"),
    "basis_images": ("bases", "basis_images"),
    "component_variances": ("bases", "component_variances"),
    "BasesView": ("gud.setup", "BasesView"),
    "gud_setup": ("gud.setup", "build"),
    "schedule_table": ("gud.view", "schedule_table"),
    "forward_run": ("gud.view", "forward_run"),
    "reverse_run": ("gud.view", "reverse_run"),
    # increment walks and losses
    "LAWS": ("nonnormal.laws", "LAWS"),
    "get_law": ("nonnormal.laws", "get_law"),
    "sample_excess_kurtosis": ("nonnormal.laws", "sample_excess_kurtosis"),
    "ks_to_gaussian": ("nonnormal.laws", "ks_to_gaussian"),
    "simulate_walk": ("nonnormal.walks", "simulate_walk"),
    "exact_moments": ("nonnormal.walks", "exact_moments"),
    "expected_excess_kurtosis": ("nonnormal.walks", "expected_excess_kurtosis"),
    "loss_weights": ("nonnormal.losses", "loss_weights"),
    "pair_loss": ("nonnormal.losses", "pair_loss"),
    "PAIRS": ("nonnormal.losses", "PAIRS"),
    # scale space
    "resize": ("scale_space.ops", "resize"),
    "to_size": ("scale_space.process", "to_size"),
    "resolution_schedule": ("scale_space.ops", "resolution_schedule"),
    "pixel_work_fraction": ("scale_space.ops", "pixel_work_fraction"),
    "ddpm_alpha_bar": ("scale_space.process", "ddpm_alpha_bar"),
    "forward_marginal": ("scale_space.process", "forward_marginal"),
    "mi_share_above_nyquist": ("scale_space.process", "mi_share_above_nyquist"),
    "ExactFieldDenoiser": ("scale_space.sampler", "ExactFieldDenoiser"),
    "ssd_sample": ("scale_space.sampler", "ssd_sample"),
    # models and sampling
    "list_models": ("models.registry", "list_models"),
    "get_model": ("models.registry", "get_model"),
    "model_sigmas": ("sampling.run", "model_sigmas"),
    "initial_noise": ("sampling.run", "initial_noise"),
    "run_sampler": ("sampling.run", "run_sampler"),
    "sample_score": ("sampling.run", "sample_score"),
    "THREADS": ("sampling.threads", "THREADS"),
    "draw_row": ("sampling.threads", "draw_row"),
    "sample_own": ("sampling.threads", "sample_own"),
    "power_law_denoiser": ("denoisers.gaussian", "power_law_denoiser"),
    "GaussianDenoiser": ("denoisers.gaussian", "GaussianDenoiser"),
    "EmpiricalDenoiser": ("denoisers.empirical", "EmpiricalDenoiser"),
    "GaussianMixture": ("denoisers.mixture", "GaussianMixture"),
    "digit_quality": ("evaluation.metrics", "digit_quality"),
    "load_flexi": ("models.registry", "load_flexi"),
    "flexi_schedule": ("training.flexi_quality", "schedule_for"),
    # model folders, autoguidance and sampling noise
    "load_model": ("models.folders", "load_model_ref"),
    "autoguided": ("models.guided", "guided"),
    "AutoGuided": ("denoisers.autoguidance", "AutoGuided"),
    "SamplingNoise": ("nonnormal.controls", "SamplingNoise"),
    # notebooks
    "show": ("plotting.notebook", "show"),
}

__all__ = ["__version__", *_API]


def _version() -> str:
    try:
        return version("diffusion-lab")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    """Import the module that defines `name` on first use and cache the attribute here."""
    if name == "__version__":
        globals()[name] = value = _version()
        return value
    if name not in _API:
        raise AttributeError(f"module 'diffusion_core' has no attribute {name!r}")
    module, attr = _API[name]
    value = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API, "__version__"})


if TYPE_CHECKING:  # static type checkers and IDEs see the real signatures
    from .bases import BASES, basis_images, component_variances, make_basis
    from .data import PHOTOS, gaussian_field, load_digits, load_photo, load_photos, load_upload, power_law_variance
    from .denoisers.autoguidance import AutoGuided
    from .denoisers.empirical import EmpiricalDenoiser
    from .denoisers.gaussian import GaussianDenoiser, power_law_denoiser
    from .denoisers.mixture import GaussianMixture
    from .evaluation.exact import output_variance as exact_output_variance
    from .evaluation.metrics import digit_quality
    from .gud.setup import BasesView
    from .gud.setup import build as gud_setup
    from .gud.view import forward_run, reverse_run, schedule_table
    from .models.folders import load_model_ref as load_model
    from .models.guided import guided as autoguided
    from .models.registry import get_model, list_models, load_flexi
    from .noise.discretization import diffusers_config, sigmas_from_lam
    from .noise.samplers import SAMPLERS, get_sampler, nfe
    from .noise.schedules import FAMILIES as SCHEDULES
    from .nonnormal.controls import SamplingNoise
    from .nonnormal.laws import LAWS, get_law, ks_to_gaussian, sample_excess_kurtosis
    from .nonnormal.losses import PAIRS, loss_weights, pair_loss
    from .nonnormal.walks import exact_moments, expected_excess_kurtosis, simulate_walk
    from .plotting.notebook import show
    from .presets import workshop_exercises
    from .sampling.run import initial_noise, model_sigmas, run_sampler, sample_score
    from .sampling.threads import THREADS, draw_row, sample_own
    from .scale_space.ops import pixel_work_fraction, resize, resolution_schedule
    from .scale_space.process import ddpm_alpha_bar, forward_marginal, mi_share_above_nyquist, to_size
    from .scale_space.sampler import ExactFieldDenoiser, ssd_sample
    from .spectral.schedule import build_schedule
    from .spectral.spectrum import (
        add_noise_vp,
        crossing_frequency,
        default_fit_band,
        fit_power_law,
        noise_floor,
        radial_psd,
        snr_classes,
        snr_per_frequency,
    )
    from .spectral.tight import bounds, field_spectrum, image_spectrum, quantization_floor, tight_lam_fn, tight_params
    from .training.flexi_quality import schedule_for as flexi_schedule
