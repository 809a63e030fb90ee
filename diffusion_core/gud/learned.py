"""GUD with a network: the trained counterpart of `gud.process` (reference gud.md, Secs. 2, 3, 8).

Space and schedule of a trained network are fixed by its training data and three settings (basis, prior
exponent r, inverse softness a): chi_hat = S^-1 U (x - mean) (gud.process.make_space), variance ordering
l_i = -log Sigma_i of the data variances, gamma_i(t) the soft-conditioning line (gud.schedules).

    chi_hat_i(t) = alpha_i(t) chi_hat_i(0) + sigma_i(t) eps_i,  alpha_i^2 = sigmoid(-gamma_i), sigma_i^2 = sigmoid(gamma_i)

The network reads and writes `data_white` images phi_hat = U^T chi_hat [B, C, H, W] (U orthonormal, so white
noise stays white and ||.|| is the same in both), conditioned on t alone (t fixes the whole vector gamma(t)
for one schedule). Two output parameterisations, t stratified over the batch:
  eps  the tutorial's default eps_hat = F(phi_hat_t, 2t - 1) + phi_hat_t, loss E ||eps_hat - eps||^2;
  v    v_hat = F, v = alpha eps - sigma chi_hat(0) per component, loss E ||v_hat - v||^2; then
       eps_hat = sigma chi_hat_t + alpha v_hat and chi_hat(0)_hat = alpha chi_hat_t - sigma v_hat. This is EDM's
       preconditioning per component with sigma_data = 1 (c_in y = chi_hat_t, c_skip y = alpha chi_hat_t,
       c_out = sigma, weight 1 / c_out^2), and F = 0 is the exact denoiser of N(0, I) components. Sampling: deterministic DDIM per component,
chi_hat(t') = (alpha'/alpha) (chi_hat(t) - sigma eps_hat) + sigma' eps_hat, from chi_hat(1) ~ N(0, I); the
last step returns the denoised chi_hat(0) = (chi_hat - sigma eps_hat) / alpha. NFE = steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from ..bases import make_basis
from ..validation import check_choice, check_int, check_range
from .orderings import ScheduleSpec, build_schedule
from .process import GAMMA_CAP, GUDSpace, from_white, make_space, to_white, working_variances
from .schedules import GAMMA_NOISE, ComponentSchedule, gamma

Tensor = torch.Tensor
LEARNED_BASES = ("pixel", "pca", "dct")
PREDICTIONS = ("eps", "v")
TIME_SAMPLINGS = ("uniform", "edm-variance")
GAMMA_NOISE_RANGE = (-6.9, 20.0)  # the band's noise end: above its clean end (-7)
EDM_P_MEAN, EDM_P_STD = -1.2, 1.2  # EDM's training ln(sigma) ~ N(P_mean, P_std^2)
EpsFn = Callable[[Tensor, Tensor], Tensor]  # (phi_hat_t [B, C, H, W] float32, t [B]) -> eps_hat, same shape


@dataclass(frozen=True)
class LearnedGUD:
    """A trained GUD network's space and schedule: basis, prior exponent r, inverse softness a."""

    space: GUDSpace
    schedule: ComponentSchedule
    basis: str
    r: float
    a: float
    prediction: str = "eps"  # the network's output: PREDICTIONS
    time_sampling: str = "uniform"  # training times: TIME_SAMPLINGS (see train_times)
    p_mean: float = EDM_P_MEAN  # edm-variance: ln sigma ~ N(p_mean, p_std^2)
    p_std: float = EDM_P_STD


def learned_gud(
    basis: str,
    r: float,
    a: float,
    data: Tensor,
    prediction: str = "eps",
    gamma_noise: float = GAMMA_NOISE,
    time_sampling: str = "uniform",
    p_mean: float = EDM_P_MEAN,
    p_std: float = EDM_P_STD,
) -> LearnedGUD:
    """The space (fitted on data [N, C, H, W]) and variance-ordered soft-conditioning schedule of a network.

    gamma_noise: the band's noise end in true gamma (the official code's 3.0 by default)."""
    check_choice("basis", basis, LEARNED_BASES)
    check_range("r", r, 0.0, 1.0)
    check_range("a", a, 0.0, 100.0)
    check_choice("prediction", prediction, PREDICTIONS)
    check_range("gamma_noise", gamma_noise, *GAMMA_NOISE_RANGE)
    check_choice("time_sampling", time_sampling, TIME_SAMPLINGS)
    shape = tuple(data.shape[1:])
    b = make_basis(basis, shape, data=data) if basis == "pca" else make_basis(basis, shape)  # type: ignore[arg-type]
    space = make_space(b, data, r)
    labels = space.basis.labels() if hasattr(space.basis, "labels") else {}
    spec = ScheduleSpec(a=a, gamma_noise=gamma_noise)
    sched = build_schedule(spec, labels, space.variances, working_variances(space), basis)
    return LearnedGUD(space, sched, basis, r, a, prediction, time_sampling, p_mean, p_std)


def train_times(g: LearnedGUD, b: int, gen: torch.Generator) -> Tensor:
    """Training times t [B] (float64).

    uniform       t_b = (b + u_b) / B, stratified (the tutorial's default);
    edm-variance  a component i drawn with probability Sigma_i / sum Sigma (its data variance) gets its
                  process gamma from EDM's training law, gamma = 2 ln sigma, ln sigma ~ N(P_mean, P_std^2);
                  t = (gamma - gamma0_i) / slope, clipped to [0, 1]. With one gamma(t) for all components
                  (a = 1 in an unwhitened basis) this is EDM's sigma distribution; with staggered windows it
                  trains most where the components that carry the variance are half noised."""
    if g.time_sampling == "uniform":
        return (torch.arange(b, dtype=torch.float64) + torch.rand(b, generator=gen, dtype=torch.float64)) / b
    s = g.schedule
    i = torch.multinomial(g.space.variances.to(torch.float64), b, replacement=True, generator=gen)  # [B]
    ln_sigma = g.p_mean + g.p_std * torch.randn(b, generator=gen, dtype=torch.float64)
    return ((2.0 * ln_sigma - s.gamma0[i]) / s.slope).clamp(0.0, 1.0)


def alpha_sigma_at(s: ComponentSchedule, t: Tensor) -> tuple[Tensor, Tensor]:
    """alpha_i(t_b), sigma_i(t_b) for times t [B]: each [B, D] float64."""
    g = gamma(s, t).clamp(-GAMMA_CAP, GAMMA_CAP)
    return torch.sigmoid(-g).sqrt(), torch.sigmoid(g).sqrt()


def to_image(g: LearnedGUD, z: Tensor) -> Tensor:
    """phi_hat = U^T chi_hat: whitened components [B, D] -> the network's image [B, C, H, W] (float32)."""
    return g.space.basis.decode(z).to(torch.float32)


def from_image(g: LearnedGUD, img: Tensor) -> Tensor:
    """chi_hat = U phi_hat: [B, C, H, W] -> [B, D] (float64)."""
    return g.space.basis.encode(img.to(torch.float64))


def eps_hat(net: nn.Module, img: Tensor, t: Tensor) -> Tensor:
    """eps_hat = F(phi_hat_t, 2t - 1) + phi_hat_t (the tutorial's `gaussian_default`). [B, C, H, W]"""
    c = (2.0 * t - 1.0).to(img.device, torch.float32).reshape(-1)
    return net(img, c) + img


def v_eps_hat(net: nn.Module, g: LearnedGUD, img: Tensor, t: Tensor) -> Tensor:
    """eps_hat = sigma chi_hat_t + alpha v_hat of a v-predicting network, as an image. [B, C, H, W]"""
    c = (2.0 * t - 1.0).to(img.device, torch.float32).reshape(-1)
    v = from_image(g, net(img, c).cpu())
    a, s = alpha_sigma_at(g.schedule, t.detach().cpu().to(torch.float64).reshape(-1))
    return to_image(g, s * from_image(g, img.cpu()) + a * v).to(img.device)


def eps_function(net: nn.Module, g: LearnedGUD) -> EpsFn:
    """The network as eps_hat(phi_hat_t, t), whatever it predicts."""
    if g.prediction == "v":
        return lambda img, t: v_eps_hat(net, g, img, t)
    return lambda img, t: eps_hat(net, img, t)


def gud_loss(net: nn.Module, g: LearnedGUD, x0: Tensor, gen: torch.Generator) -> Tensor:
    """E ||eps_hat - eps||^2 (or ||v_hat - v||^2) over a batch x0 [B, C, H, W], times from train_times."""
    t = train_times(g, x0.shape[0], gen)  # [B]
    z0 = to_white(g.space, x0)  # [B, D]
    eps = torch.randn(z0.shape, generator=gen, dtype=torch.float64)
    a, s = alpha_sigma_at(g.schedule, t)
    dev = next(net.parameters()).device
    img = to_image(g, a * z0 + s * eps).to(dev)
    if g.prediction == "v":
        c = (2.0 * t - 1.0).to(dev, torch.float32)
        return (net(img, c) - to_image(g, a * eps - s * z0).to(dev)).pow(2).mean()
    return (eps_hat(net, img, t.to(dev)) - to_image(g, eps).to(dev)).pow(2).mean()


@torch.no_grad()
def ddim_sample(
    eps_fn: EpsFn,
    g: LearnedGUD,
    n: int,
    steps: int,
    generator: torch.Generator,
    callback: Callable[[dict[str, Tensor]], None] | None = None,
) -> Tensor:
    """n samples in data space [n, C, H, W] (float32, not clipped) by component-wise DDIM over t_i = 1 - i / steps.

    callback({"i", "t", "z", "denoised", "image"}) after each evaluation: z and denoised in whitened components
    [n, D], image = the denoised estimate in data space [n, C, H, W]."""
    n = check_int("n", n, 1, 4096)
    steps = check_int("steps", steps, 1, 1000)
    d = g.space.variances.numel()
    z = torch.randn(n, d, generator=generator, dtype=torch.float64)  # chi_hat(1) ~ N(0, I)
    ts = torch.linspace(1.0, 0.0, steps + 1, dtype=torch.float64)
    for i in range(steps):
        t = ts[i].expand(n)
        a, s = alpha_sigma_at(g.schedule, t)
        e = from_image(g, eps_fn(to_image(g, z), t))  # [n, D]
        x0 = (z - s * e) / a
        if callback is not None:
            callback({"i": torch.tensor(i), "t": ts[i], "z": z, "denoised": x0, "image": from_white(g.space, x0)})
        if i + 1 < steps:
            a2, s2 = alpha_sigma_at(g.schedule, ts[i + 1].expand(n))
            z = (a2 / a) * (z - s * e) + s2 * e
        else:
            z = x0
    return from_white(g.space, z).to(torch.float32)
