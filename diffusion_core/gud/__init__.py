"""GUD: diffusion in a chosen basis with a prior covariance and component-wise (soft-conditioning)
schedules, from simultaneous through standard diffusion to autoregression
(Gerdes, Welling, Cheng, *GUD: Generation with Unified Diffusion*, arXiv 2410.02667).

  schedules   per-component gamma(t), alpha^2, sigma^2, soft conditioning      (formulas)
  orderings   labels that order the components, ScheduleSpec -> ComponentSchedule, windows
  process     forward / reverse SDE and ODE, exact component-wise denoisers
  setup       a view's basis, data and prior;  view  the figures' data;  extension  image extension
  learned     a trained network's space, loss and DDIM;  learned_view  its reverse run beside the exact Gaussian's
"""

from .orderings import (
    KINDS,
    ORDERINGS,
    ScheduleSpec,
    active,
    build_schedule,
    ordering_labels,
    overlap_fraction,
    threshold_a,
    windows,
)
from .schedules import (
    GAMMA_DENOISE,
    GAMMA_NOISE,
    ComponentSchedule,
    alpha2,
    beta,
    dgamma_dt,
    gamma,
    level_column_labels,
    sequential,
    sigma2,
    soft_conditioning,
    true_logsnr,
    vp_dgamma_dt,
    vp_gamma,
)

__all__ = [
    "ComponentSchedule",
    "ScheduleSpec",
    "ORDERINGS",
    "KINDS",
    "alpha2",
    "sigma2",
    "beta",
    "gamma",
    "dgamma_dt",
    "true_logsnr",
    "vp_gamma",
    "vp_dgamma_dt",
    "ordering_labels",
    "build_schedule",
    "windows",
    "active",
    "overlap_fraction",
    "threshold_a",
    "soft_conditioning",
    "sequential",
    "level_column_labels",
    "GAMMA_DENOISE",
    "GAMMA_NOISE",
]
