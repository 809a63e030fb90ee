"""Li's construction (arXiv 2412.07935, sections 5-7 of reference/non-normal-increments.md) on a network.

The forward marginal stays Gaussian: x_t = alpha_t x0 + sigma_t eps, eps ~ N(0, I), on the reference VP
process beta(t) = 0.1 + 19.9 t (nonnormal/walks.py). In the project's VE state x = x_t / alpha_t = x0 + s eps,
s = sigma_t / alpha_t, so one network D(x; s) (EDM-preconditioned UNet, networks/unet.py) serves every
sampler, and its eps-prediction is eps_theta = (x - D(x; s)) / s. Every per-step loss is a function of
r = eps - eps_theta = (D - x0) / s (nonnormal/losses.py), with the weights of a discrete chain of N steps:

    w(t) = beta(t) dt / (2 sigma_t^2),  v(t) = sqrt(2 w(t)),  dt = 1 / N          (reference section 6)

Per training sample (s drawn log-normal as in EDM, t = t(s) on the VP process):

    loss = (1 + s^2 / s_data^2) * (KL_pair(r; v(t)) - KL_pair(0; v(t))) / (w(t) D)

KL_pair is the per-step KL of the (q, p) pair from nonnormal/losses.py (summed over the D pixels; its value at
r = 0, the law mismatch of uniform-laplace (kl_at_zero), carries no gradient and is left out); dividing by
w(t) leaves Gaussian-Gaussian as the plain eps-MSE, and the factor 1 + s^2 / s_data^2 = lambda_EDM s^2
makes it exactly EDM's loss (Karras et al. 2022, the training the paper used unchanged for its FIDs).
The per-step minimiser of each pair is untouched by that k-weighting; only the shape of the loss in r
(quadratic, soft-L1, Huber with its kink at v|r| = sqrt 3: the KL of the unit-variance laws sampled) comes from the pair and from N.
"""

from __future__ import annotations

import torch

from ..nonnormal.losses import PAIR_LAWS, kl_at_zero, loss_gauss_gauss, loss_laplace_laplace, loss_uniform_laplace
from ..nonnormal.walks import BETA_MAX, BETA_MIN, beta_vp
from ..validation import check_choice

Tensor = torch.Tensor
TRAINED_PAIRS = ("gaussian-gaussian", "laplace-laplace", "uniform-laplace")
STEP_NOISES = ("p", "q")
# The step noise of each pair's generative chain: p's law, the model's (Li's chain draws its increments from
# p_theta: Gaussian for uniform-gaussian, Laplace for uniform-laplace). Q_LAW, the true reverse increment law,
# drives the network with another law than the one it models: a labelled alternative, never the default.
STEP_LAW = {pair: laws[1] for pair, laws in PAIR_LAWS.items()}
Q_LAW = {pair: laws[0] for pair, laws in PAIR_LAWS.items()}
# uniform-gaussian's loss is gaussian-gaussian's plus the constant C = 0.1765: the same trained network.
MODEL_PAIR = {
    "gaussian-gaussian": "gaussian-gaussian",
    "laplace-laplace": "laplace-laplace",
    "uniform-gaussian": "gaussian-gaussian",
    "uniform-laplace": "uniform-laplace",
}
# The network that serves each pair in the pair table and grid: the UNet2DModel networks trained with the KL of the
# sampled laws (presets/train/mnist-li-*-unet2d.toml); uniform-gaussian's is the gaussian-gaussian one.
PAIR_NETWORK = {pair: f"mnist-li-{trained}-unet2d" for pair, trained in MODEL_PAIR.items()}


def step_law(pair: str, noise: str = "p") -> str:
    """The law of the step noise of `pair`'s chain: p's (the model's, default) or q's (labelled alternative)."""
    check_choice("step noise", noise, STEP_NOISES)
    return (STEP_LAW if noise == "p" else Q_LAW)[check_choice("pair", pair, tuple(PAIR_LAWS))]


def vp_time(s: Tensor) -> Tensor:
    """t with sigma_t / alpha_t = s on the VP process: B(t) = log(1 + s^2), B(t) = 0.1 t + 9.95 t^2."""
    b = torch.log1p(s**2)
    a = 0.5 * (BETA_MAX - BETA_MIN)
    return (-BETA_MIN + torch.sqrt(BETA_MIN**2 + 4.0 * a * b)) / (2.0 * a)


def chain_v(s: Tensor, steps: int) -> Tensor:
    """v(t(s)) = g(t) sqrt(1/N) / sigma_t for VE noise level s (sigma_t^2 = s^2 / (1 + s^2))."""
    t = vp_time(s).clamp(max=1.0)
    sigma_vp = s / torch.sqrt(1.0 + s**2)
    return torch.sqrt(beta_vp(t) / steps) / sigma_vp


def pair_loss_over_w(pair: str, r: Tensor, v: Tensor, form: str = "coordinate") -> Tensor:
    """(KL_pair(r; v) - KL_pair(0; v)) / w, w = v^2 / 2, per sample: r [B, D], v [B] -> [B] (sum over D).

    KL_pair(0; v) is 0 except for uniform-laplace (kl_at_zero per coordinate: the law mismatch, no gradient)."""
    if pair == "gaussian-gaussian":
        return loss_gauss_gauss(r, 1.0)  # w ||r||^2 / w
    vv = v.reshape(-1, 1)  # [B, 1]
    if pair == "laplace-laplace":
        kl = loss_laplace_laplace(r, vv, form)  # type: ignore[arg-type]
    else:
        kl = loss_uniform_laplace(r, vv, form) - kl_at_zero(pair, form) * r.shape[1]  # type: ignore[arg-type]
    return kl * 2.0 / v**2


def li_loss(
    d: Tensor, x0: Tensor, s: Tensor, pair: str, steps: int, sigma_data: float, form: str = "coordinate"
) -> Tensor:
    """Batch loss of Li's construction for denoised d, data x0 [B, C, H, W] at VE levels s [B]."""
    r = ((d - x0) / s.reshape(-1, 1, 1, 1)).flatten(1)  # eps - eps_theta, [B, D]
    per = pair_loss_over_w(pair, r, chain_v(s, steps), form) / r.shape[1]  # [B]
    return ((1.0 + s**2 / sigma_data**2) * per).mean()


def describe_v(steps: int) -> str:
    """v at a few noise levels, for the sidecar / docs."""
    s = torch.tensor([0.02, 0.1, 0.5, 2.0, 10.0], dtype=torch.float64)
    return ", ".join(f"s={a:g}: v={b:.2f}" for a, b in zip(s.tolist(), chain_v(s, steps).tolist()))
