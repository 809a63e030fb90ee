"""A diffusers UNet2DModel as the project's denoiser D(x, lam) -> x0_hat, under what its scheduler config says.

The discrete wrapper follows k-diffusion's `external.DiscreteEpsDDPMDenoiser` / `DiscreteVDDPMDenoiser`: the VE
levels of the training grid sigma_k = sqrt((1 - abar_k) / abar_k), the network seeing the VP state c_in x
(c_in = 1 / sqrt(sigma^2 + 1)) at the fractional timestep t(sigma) (linear in log sigma between neighbouring
levels; within 1e-3 of a level, that level's integer, the timestep diffusers passes), and

    epsilon:       D = x - sigma eps
    v_prediction:  D = x / (sigma^2 + 1) - sigma / sqrt(sigma^2 + 1) v      (c_skip, c_out with sigma_data = 1)
    sample:        D = network output

then clip_sample (D clipped to +-clip_sample_range) or dynamic thresholding (Saharia et al. 2022: s = the
ratio-quantile of |D| per sample, clamped to [1, sample_max_value]; D clipped to +-s and divided by s), as the
scheduler's own step does with its x0 prediction. `x0_eps` returns that x0 with the network's UNCLIPPED eps:
diffusers' DDIMScheduler steps with both (use_clipped_model_output=False), and the ddim sampler asks for them.
EDM (EDMEulerScheduler): D = c_skip x + c_out F(c_in x, 0.25 log sigma) at the config's sigma_data.
Flow (FlowMatchEulerDiscreteScheduler): t = sigma / (1 + sigma), x_t = x / (1 + sigma), v = F(x_t, T t),
D = x_t - t v.
"""

from __future__ import annotations

import copy

import torch

Tensor = torch.Tensor
SNAP = 1e-3  # a fractional timestep this close to an integer is that training level


def ddpm_sigmas(alphas_cumprod: Tensor) -> Tensor:
    """sigma_k = sqrt((1 - alpha_bar_k) / alpha_bar_k): the VE level of each training timestep (ascending)."""
    ac = alphas_cumprod.to(torch.float64).clamp(2.0**-24, 1.0)  # zero-terminal-SNR schedules end at 2^-24
    return ((1 - ac) / ac).sqrt()


class WrappedUNet:
    """Shared plumbing: the UNet, its device, a copy on another device."""

    def __init__(self, unet: torch.nn.Module):
        self.unet = unet.eval()

    @property
    def device(self) -> torch.device:
        return next(self.unet.parameters()).device

    @property
    def net(self) -> torch.nn.Module:
        return self.unet

    @property
    def dtype(self) -> torch.dtype:
        """The network's precision (float32 as loaded; a test may run it in float64)."""
        return next(self.unet.parameters()).dtype

    def to(self, device: torch.device) -> WrappedUNet:
        """A denoiser over a copy of the UNet on `device` (the same schedule and prediction type)."""
        out = copy.copy(self)
        out.unet = copy.deepcopy(self.unet).to(device)
        return out


class DiscreteDDPMDenoiser(WrappedUNet):
    """D(x, lam) of a diffusers UNet2DModel trained on the discrete schedule `alphas_cumprod` [T]."""

    def __init__(
        self,
        unet: torch.nn.Module,
        alphas_cumprod: Tensor,
        prediction_type: str = "epsilon",
        clip: float | None = None,
        threshold: tuple[float, float] | None = None,
    ):
        super().__init__(unet)
        self.prediction_type = prediction_type
        self.clip = clip  # |x0_hat| bound (scheduler clip_sample)
        self.threshold = threshold  # (ratio, sample_max_value) of dynamic thresholding
        self.sigmas = ddpm_sigmas(alphas_cumprod).to(torch.float32)  # [T] ascending in t
        self.log_sigmas = ddpm_sigmas(alphas_cumprod).log()  # float64

    def sigma_to_t(self, sigma: Tensor) -> Tensor:
        """Fractional timestep: linear interpolation in log sigma between training levels (clamped). [B]"""
        ls, log = self.log_sigmas.to(sigma.device), sigma.to(torch.float64).log()
        low = torch.searchsorted(ls, log.contiguous()).sub(1).clamp(0, len(ls) - 2)  # [B]
        w = ((log - ls[low]) / (ls[low + 1] - ls[low])).clamp(0, 1)
        t = low + w
        return torch.where((t - t.round()).abs() < SNAP, t.round(), t).to(torch.float32)

    def process(self, x0: Tensor) -> Tensor:
        """The scheduler's treatment of its x0 prediction: clip_sample or dynamic thresholding. [B, C, H, W]"""
        if self.threshold is not None:
            ratio, max_value = self.threshold
            flat = x0.reshape(x0.shape[0], -1).abs().to(torch.float32)
            s = torch.quantile(flat, ratio, dim=1).clamp(1, max_value).reshape(-1, 1, 1, 1).to(x0.dtype)
            x0 = torch.clamp(x0, -s, s) / s
        if self.clip is not None:
            x0 = x0.clamp(-self.clip, self.clip)
        return x0

    @torch.no_grad()
    def x0_eps(self, x: Tensor, lam: Tensor) -> tuple[Tensor, Tensor]:
        """(processed x0_hat, the network's eps before processing), both on x's device and dtype."""
        dt = torch.float64 if x.dtype == torch.float64 else torch.float32  # the combination in x's precision
        sigma = torch.exp(-torch.as_tensor(lam).to(self.device, torch.float64).reshape(-1) / 2).expand(x.shape[0])
        s = torch.exp(-torch.as_tensor(lam).to(self.device, torch.float64) / 2).to(dt).expand(x.shape[0])
        s = s.reshape(-1, 1, 1, 1)
        xf = x.to(self.device, dt)
        out = self.unet((xf / (s**2 + 1).sqrt()).to(self.dtype), self.sigma_to_t(sigma)).sample.to(dt)
        if self.prediction_type == "epsilon":
            d, eps = xf - s * out, out
        elif self.prediction_type == "v_prediction":
            d = xf / (s**2 + 1) - s / (s**2 + 1).sqrt() * out
            eps = (xf - d) / s
        else:
            d, eps = out, (xf - out) / s
        return self.process(d).to(x.dtype), eps.to(x.dtype)

    def __call__(self, x: Tensor, lam: Tensor) -> Tensor:
        return self.x0_eps(x, lam)[0]


class EDMDenoiser(WrappedUNet):
    """D(x, lam) = c_skip x + c_out F(c_in x, 0.25 log sigma) (Karras et al. 2022, Table 1; diffusers' EDM)."""

    def __init__(self, unet: torch.nn.Module, sigma_data: float = 0.5, prediction_type: str = "epsilon"):
        super().__init__(unet)
        self.sigma_data, self.prediction_type = sigma_data, prediction_type

    @torch.no_grad()
    def __call__(self, x: Tensor, lam: Tensor) -> Tensor:
        dt = torch.float64 if x.dtype == torch.float64 else torch.float32
        sigma = torch.exp(-torch.as_tensor(lam).to(self.device, torch.float64).reshape(-1) / 2).expand(x.shape[0])
        s, sd = sigma.reshape(-1, 1, 1, 1).to(dt), self.sigma_data
        xf = x.to(self.device, dt)
        out = self.unet((xf / (s**2 + sd**2).sqrt()).to(self.dtype), (0.25 * sigma.log()).to(torch.float32)).sample
        c_out = s * sd / (s**2 + sd**2).sqrt()
        sign = -1.0 if self.prediction_type == "v_prediction" else 1.0
        return (sd**2 / (s**2 + sd**2) * xf + sign * c_out * out.to(dt)).to(x.dtype)


class FlowDenoiser(WrappedUNet):
    """D(x, lam) of a velocity network on x_t = (1 - t) x0 + t eps: D = x_t - t v(x_t, T t)."""

    def __init__(self, unet: torch.nn.Module, num_train_timesteps: int = 1000):
        super().__init__(unet)
        self.T = num_train_timesteps

    @torch.no_grad()
    def __call__(self, x: Tensor, lam: Tensor) -> Tensor:
        dt = torch.float64 if x.dtype == torch.float64 else torch.float32
        sigma = torch.exp(-torch.as_tensor(lam).to(self.device, torch.float64).reshape(-1) / 2).expand(x.shape[0])
        t = sigma / (1 + sigma)  # [B] float64
        xt = x.to(self.device, dt) / (1 + sigma).reshape(-1, 1, 1, 1).to(dt)
        v = self.unet(xt.to(self.dtype), (t * self.T).to(torch.float32)).sample.to(dt)
        return (xt - t.reshape(-1, 1, 1, 1).to(dt) * v).to(x.dtype)
