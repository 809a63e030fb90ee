"""Models: named denoisers (exact today, trained networks later), how to sample them, and scores.

Exact models: field-beta2-32 and digits-pca-gaussian (analytic Gaussian), digits-empirical (empirical
optimal, memorises), digits-gmm10 (10-component Gaussian mixture, nonlinear exact denoiser).

- `registry`: ModelSpec / Model, `SPECS`, `get_model(name)`, `list_models()`.
- `sampling`: model sigmas, seeded initial noise, one sampler run, image grids.
- `quality`: exact and Monte Carlo scores of samples against the model's exact answer.
"""
from .registry import SPECS, Model, ModelSpec, get_model, list_models

__all__ = ["SPECS", "Model", "ModelSpec", "get_model", "list_models"]
