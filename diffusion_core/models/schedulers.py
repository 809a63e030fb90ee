"""A diffusers folder's `scheduler_config.json` read as what it says: the class, the training grid, the sigmas of
`set_timesteps(N)`, the prediction type, the clipping, and the state diffusers starts from.

Eight classes are read. The discrete ones (DDPM, DDIM, Euler, Euler ancestral, DPM-Solver multistep, Heun) wrap
the UNet over the grid alphas_cumprod (VE sigma_k = sqrt((1 - abar_k) / abar_k)); EDMEulerScheduler wraps it
with EDM's preconditioning (c_in, 0.25 log sigma, c_skip, c_out at the config's sigma_data); and
FlowMatchEulerDiscreteScheduler wraps it as a flow (velocity) model at t = sigma / (1 + sigma). The sigmas come
from the project's own discretisations (noise/discretization.py, noise/flow_schedule.py, noise/schedules.py),
and each class names the project sampler that takes the step its `step` takes:

    DDPM -> ddpm_ancestral, DDIM -> ddim, Euler -> euler, Euler ancestral -> euler_ancestral,
    DPM-Solver multistep -> dpmpp_2m, Heun -> heun, EDM Euler -> euler, FlowMatch Euler -> euler.

`init_sigma(sigma_0)` is the scale of the initial state x = init_sigma z in the VE frame: DDPM, DDIM and
DPM-Solver start from the VP state z (x_VE = sqrt(1 + sigma_0^2) z), Euler-type schedulers from
`init_noise_sigma` z (sqrt(sigma_0^2 + 1) with leading spacing, else sigma_0, as diffusers does), EDM Euler
from sqrt(sigma_max^2 + 1) z, and a flow from x_t = z at t = 1 (x_VE = (1 + sigma_0) z).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..noise.discretization import alphas_cumprod, diffusers_timesteps, euler_discrete_sigmas
from ..noise.flow import SCHEDULER_DEFAULTS as FLOW_KEYS
from ..noise.flow_schedule import flow_set_timesteps
from ..noise.schedules import family_params, lam_exponential, lam_karras
from ..validation import InputError, check_int

Tensor = torch.Tensor
SAMPLER_OF = {
    "DDPMScheduler": "ddpm_ancestral",
    "DDIMScheduler": "ddim",
    "EulerDiscreteScheduler": "euler",
    "EulerAncestralDiscreteScheduler": "euler_ancestral",
    "DPMSolverMultistepScheduler": "dpmpp_2m",
    "HeunDiscreteScheduler": "heun",
    "EDMEulerScheduler": "euler",
    "FlowMatchEulerDiscreteScheduler": "euler",
}
VP_START = ("DDPMScheduler", "DDIMScheduler", "DPMSolverMultistepScheduler")
PREDICTIONS = ("epsilon", "v_prediction", "sample")
BETAS = ("linear", "scaled_linear", "squaredcos_cap_v2")


def check_class(cfg: dict[str, Any]) -> str:
    """The config's `_class_name`, if it is one of the supported schedulers; else a one-line error."""
    cls = cfg.get("_class_name")
    if cls not in SAMPLER_OF:
        raise InputError(f"scheduler _class_name {cls!r} is not supported; use one of: {', '.join(SAMPLER_OF)}")
    return str(cls)


def _typed(key: str, text: Any, default: Any) -> Any:
    """A --set value typed like the config's current value (true/false, numbers, null, JSON lists, strings)."""
    if not isinstance(text, str):
        return text
    try:
        value = json.loads(text)
    except ValueError:
        value = text
    if isinstance(default, bool) and not isinstance(value, bool):
        raise InputError(f"--set {key} takes true or false, got {text!r}")
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


@dataclass(frozen=True)
class FolderScheduler:
    """What a folder's scheduler config says, with diffusers' defaults filled in (`config`)."""

    class_name: str
    config: dict[str, Any]

    @property
    def sampler(self) -> str:
        """The project sampler whose step is this scheduler's step."""
        return SAMPLER_OF[self.class_name]

    @property
    def kind(self) -> str:
        return {"EDMEulerScheduler": "edm", "FlowMatchEulerDiscreteScheduler": "flow"}.get(self.class_name, "discrete")

    @property
    def prediction(self) -> str:
        return "flow" if self.kind == "flow" else str(self.config.get("prediction_type") or "epsilon")

    @property
    def T(self) -> int:
        return int(self.config.get("num_train_timesteps", 1000))

    def alphas_cumprod(self) -> Tensor:
        """abar_k, k = 0 .. T-1 (float32, bit for bit diffusers'). [T]"""
        c = self.config
        if c.get("trained_betas") is not None:
            return torch.cumprod(1.0 - torch.tensor(c["trained_betas"], dtype=torch.float32), dim=0)
        if c.get("beta_schedule", "linear") not in BETAS:
            raise InputError(f"beta_schedule {c.get('beta_schedule')!r} is not supported; use {', '.join(BETAS)}")
        rescale = bool(c.get("rescale_betas_zero_snr", False))
        return alphas_cumprod(c.get("beta_schedule", "linear"), self.T, c["beta_start"], c["beta_end"], rescale)

    def train_sigmas(self) -> np.ndarray:
        ac = self.alphas_cumprod().to(torch.float64).clamp(2.0**-24, 1.0)
        return ((1 - ac) / ac).sqrt().numpy()

    def clip(self) -> float | None:
        """|x0_hat| bound where the scheduler clips its x0 prediction (clip_sample), else None."""
        return float(self.config.get("clip_sample_range", 1.0)) if self.config.get("clip_sample") else None

    def threshold(self) -> tuple[float, float] | None:
        """(ratio, max) of dynamic thresholding (Saharia et al. 2022) where the config turns it on."""
        if not self.config.get("thresholding"):
            return None
        return float(self.config["dynamic_thresholding_ratio"]), float(self.config["sample_max_value"])

    def sigmas(self, steps: int) -> Tensor:
        """VE sigmas [steps + 1] (descending, last 0 or the final level) of set_timesteps(steps). float64"""
        n = check_int("steps", steps, 1, 1000)
        c = self.config
        if self.kind == "flow":
            return flow_set_timesteps(n, family_params("flow-match", {k: c[k] for k in FLOW_KEYS if k in c})).ve_sigmas
        if self.kind == "edm":
            t = torch.linspace(1, 0, n, dtype=torch.float64) if n > 1 else torch.ones(1, dtype=torch.float64)
            lo, hi = float(c["sigma_min"]), float(c["sigma_max"])
            lam = (
                lam_karras(t, lo, hi, float(c["rho"]))
                if c["sigma_schedule"] == "karras"
                else lam_exponential(t, lo, hi)
            )
            return torch.cat([torch.exp(-lam / 2), torch.zeros(1, dtype=torch.float64)])
        if self.class_name in ("DDPMScheduler", "DDIMScheduler"):
            ts = diffusers_timesteps(n, self.T, c["timestep_spacing"], int(c["steps_offset"]), integer=True)
            train = self.train_sigmas()
            last = train[0] if self.class_name == "DDIMScheduler" and not c["set_alpha_to_one"] else 0.0
            return torch.from_numpy(np.concatenate([train[ts], [last]]))
        if self.class_name == "DPMSolverMultistepScheduler":
            return self._dpm_sigmas(n)
        final = c.get("final_sigmas_type", "zero") or "zero"
        return euler_discrete_sigmas(
            self.alphas_cumprod(),
            n,
            c["timestep_spacing"],
            int(c["steps_offset"]),
            bool(c.get("use_karras_sigmas", False)),
            final,
            bool(c.get("rescale_betas_zero_snr", False)),
        )[0]

    def _dpm_sigmas(self, n: int) -> Tensor:
        """DPMSolverMultistepScheduler.set_timesteps: N of N + 1 grid points, then sigmas interpolated."""
        c, T = self.config, self.T
        spacing = c["timestep_spacing"]
        if spacing == "linspace":
            ts = np.linspace(0, T - 1, n + 1).round()[::-1][:-1].copy()
        elif spacing == "leading":
            ts = (np.arange(0, n + 1) * (T // (n + 1))).round()[::-1][:-1].copy() + int(c["steps_offset"])
        else:
            ts = np.arange(T, 0, -T / n).round().copy() - 1
        train = self.train_sigmas()
        sig = np.interp(ts, np.arange(0, T), train)
        last = train[0] if c.get("final_sigmas_type", "zero") == "sigma_min" else 0.0
        return torch.from_numpy(np.concatenate([sig, [last]]).astype(np.float32)).to(torch.float64)

    def init_sigma(self, sigma0: float) -> float:
        """Scale of the initial state x = init_sigma z (VE frame) where diffusers starts (module docstring)."""
        if self.kind == "flow":
            return 1.0 + sigma0
        if self.kind == "edm":
            return float((float(self.config["sigma_max"]) ** 2 + 1) ** 0.5)
        if self.class_name in VP_START or self.config.get("timestep_spacing") == "leading":
            return float((sigma0**2 + 1) ** 0.5)
        return sigma0

    def describe(self) -> str:
        extra = {"discrete": f"{self.config.get('beta_schedule', 'trained')} betas", "edm": "EDM", "flow": "flow"}
        return f"{self.class_name} ({self.prediction} prediction, {extra[self.kind]}; sampled with {self.sampler})"


def read_scheduler(cfg: dict[str, Any], overrides: dict[str, Any] | None = None) -> FolderScheduler:
    """The folder's scheduler config, `overrides` (--set key=value) applied and typed, diffusers' defaults filled
    in by the class's own `from_config`; unknown classes, keys and values are one-line errors."""
    cls = check_class(cfg)
    import diffusers

    base = getattr(diffusers, cls).from_config(cfg).config
    over = dict(overrides or {})
    unknown = sorted(set(over) - set(base))
    if unknown:
        raise InputError(f"unknown option(s) {', '.join(unknown)} for {cls}; valid: {', '.join(sorted(base))}")
    merged = {**cfg, **{k: _typed(k, v, base[k]) for k, v in over.items()}}
    try:
        full = dict(getattr(diffusers, cls).from_config(merged).config)
    except (TypeError, ValueError, KeyError, NotImplementedError) as e:
        raise InputError(f"{cls} does not take this config: {str(e)[:120]}") from None
    sched = FolderScheduler(cls, full)
    if sched.kind != "flow" and sched.prediction not in PREDICTIONS:
        raise InputError(f"prediction_type {sched.prediction!r} is not supported; one of: {', '.join(PREDICTIONS)}")
    if sched.kind == "discrete" and full.get("timestep_spacing", "linspace") not in ("linspace", "leading", "trailing"):
        raise InputError(f"timestep_spacing {full['timestep_spacing']!r}: use linspace, leading or trailing")
    if sched.kind == "flow":
        family_params("flow-match", {k: full[k] for k in FLOW_KEYS if k in full})  # the flow options' checks
    return sched
