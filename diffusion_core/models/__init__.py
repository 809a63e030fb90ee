"""Models: named denoisers (exact and trained networks), how to sample them, and scores.

Exact models: field-beta2-32 and digits-pca-gaussian (analytic Gaussian), digits-empirical (empirical
optimal, memorises), digits-gmm10 (10-component Gaussian mixture, nonlinear exact denoiser).
Trained models (kind "trained"): UNets from `difflab train presets/train/*.toml`, read from the JSON
sidecars in models/weights/ (field-beta2-32-unet, field-beta2-32-unet-marginal-laplace[-mse]: Laplace noise
added to the marginal; mnist-li-<pair>: Li's construction per increment pair on MNIST, models/vp_chain.py).

- `registry`: ModelSpec / Model, `SPECS`, `get_model(name)`, `list_models()`.
- `sampling`: model sigmas, seeded initial noise, one sampler run, image grids.
- `quality`: exact and Monte Carlo scores of samples against the model's exact answer.
- `unet`: the small EDM-preconditioned UNet and its Denoiser wrapper; `datasets`: training data sets.
- `evaluate`: a trained denoiser against the exact Wiener filter; `report`: benchmarks/models.md.
"""
from .registry import SPECS, Model, ModelSpec, get_model, list_models

__all__ = ["SPECS", "Model", "ModelSpec", "get_model", "list_models"]
