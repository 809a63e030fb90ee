"""Scale Space Diffusion: diffusion that drops resolution as noise grows
(Mukhopadhyay, Udhayanan, Shrivastava, *Scale Space Diffusion*, CVPR 2026, arXiv 2603.08709).

  ops       resize operators M, their adjoints, level schedules t -> resolution, switch points
  process   forward marginal and transitions, the exact posterior at switches, information measures
  sampler   the scale-space sampler with an exact field denoiser, and its checks
"""

from .ops import (
    FAMILIES,
    ResolutionSchedule,
    adjoint,
    chain_sizes,
    lambda_max_power,
    lanczos_fab,
    pixel_work_fraction,
    resize,
    resize_chain,
    resize_matrix,
    resolution_schedule,
)
from .process import (
    StepCoefficients,
    area_ratio,
    ddpm_alpha_bar,
    fine_band_mask,
    forward_marginal,
    forward_step,
    information_curves,
    lambda_max_mtm,
    logsnr,
    mi_share_above_nyquist,
    mtm_apply,
    mutual_information,
    posterior_cov_dense,
    posterior_mean,
    posterior_noise,
    reverse_step,
    signal_dominated_fraction,
    switch_information,
    to_size,
    to_size_adjoint,
    transition_cov,
)

__all__ = [
    "FAMILIES",
    "ResolutionSchedule",
    "adjoint",
    "chain_sizes",
    "lambda_max_power",
    "lanczos_fab",
    "pixel_work_fraction",
    "resize",
    "resize_chain",
    "resize_matrix",
    "resolution_schedule",
    "StepCoefficients",
    "area_ratio",
    "ddpm_alpha_bar",
    "fine_band_mask",
    "forward_marginal",
    "forward_step",
    "information_curves",
    "lambda_max_mtm",
    "logsnr",
    "mi_share_above_nyquist",
    "mtm_apply",
    "mutual_information",
    "posterior_cov_dense",
    "posterior_mean",
    "posterior_noise",
    "reverse_step",
    "signal_dominated_fraction",
    "switch_information",
    "to_size",
    "to_size_adjoint",
    "transition_cov",
]
