"""The Samplers tab's view: every setting it shows, validated (one-line InputError)."""

from __future__ import annotations

from dataclasses import dataclass

from ...denoisers.autoguidance import MAX_W
from ...devices import DEVICES
from ...models.folders import check_model_ref
from ...models.registry import SPECS
from ...noise.samplers import SAMPLERS
from ...noise.schedules import FAMILIES
from ...nonnormal.controls import SamplingNoise
from ...nonnormal.laws import LAWS
from ...validation import InputError, check_choice, check_int, check_range

DEFAULT_MODEL = "mnist-li-gaussian-gaussian" if "mnist-li-gaussian-gaussian" in SPECS else "field-beta2-32"
DEFAULT_SAMPLERS = (
    ("euler", "dpmpp_2m", "ddpm_ancestral") if DEFAULT_MODEL.startswith("mnist") else ("euler", "heun", "dpmpp_2m")
)
MAX_VIEW_STEPS = 256
MAX_VIEW_N = 64


@dataclass(frozen=True)
class SamplersView:
    """Everything the Samplers tab shows is a function of these settings."""

    model: str = DEFAULT_MODEL  # a registry name or a model folder in folders.MODELS_DIR
    samplers: tuple[str, ...] = DEFAULT_SAMPLERS
    schedule: str = "karras"
    steps: int = 10
    seed: int = 0
    noise_law: str = "gaussian"
    n: int = 16
    device: str = "auto"  # devices.py: auto | cpu | cuda | mps
    step_noise: str = "white"  # noise/controls.py: white | coloured | brownian
    noise_slope: float = 1.0  # coloured: power spectrum ∝ f^-slope (0 white, 1 pink, 2 brown)
    eta: float = 0.0  # DDIM eta (ddim only): 0 deterministic, 1 = DDPM ancestral
    s_churn: float = 0.0  # EDM churn (euler, heun), k-diffusion's names; 0 = off
    s_tmin: float = 0.0
    s_tmax: float = 1000.0  # above every model's sigma_max (80): churn at every sigma >= s_tmin
    s_noise: float = 1.0
    guide: str = ""  # autoguidance: a weaker model of the same data ("" = none)
    guidance: float = 2.5  # its weight w (denoisers/autoguidance.py; 1 = the model alone)

    def __post_init__(self) -> None:
        check_model_ref(self.model)
        if self.guide:
            check_model_ref(self.guide)
        check_range("guidance", self.guidance, 0.0, MAX_W)
        check_choice("device", self.device, DEVICES)
        if not 2 <= len(self.samplers) <= 4:
            raise InputError(f"choose 2 to 4 samplers, got {len(self.samplers)}")
        if len(set(self.samplers)) != len(self.samplers):
            raise InputError(f"samplers must be different, got {', '.join(self.samplers)}")
        for s in self.samplers:
            check_choice("sampler", s, SAMPLERS)
        check_choice("schedule", self.schedule, FAMILIES)
        check_int("steps", self.steps, 1, MAX_VIEW_STEPS)
        check_int("seed", self.seed, 0, 2**31 - 1)
        check_choice("noise law", self.noise_law, LAWS)
        check_int("n", self.n, 1, MAX_VIEW_N)
        self.sampling_noise()

    def sampling_noise(self) -> SamplingNoise:
        """The view's sampling-noise controls (validated: one-line InputError)."""
        return SamplingNoise(
            self.noise_law,
            self.step_noise,
            self.noise_slope,
            self.eta,
            self.s_churn,
            self.s_tmin,
            self.s_tmax,
            self.s_noise,
        )
