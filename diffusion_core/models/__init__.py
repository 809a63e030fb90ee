"""Models (layer 6): the catalogue of named denoisers, exact and trained, each with the truth its samples are
scored against.

Exact models: field-beta2-32 and digits-pca-gaussian (analytic Gaussian), digits-empirical (empirical
optimal, memorises), digits-gmm10 (10-component Gaussian mixture, nonlinear exact denoiser).
Trained models (kind "trained"): UNets from `difflab train presets/train/*.toml`, read on first use from the
JSON sidecars in models/weights/ (field-beta2-32-unet, field-beta2-32-unet-marginal-laplace[-mse]: Laplace noise
added to the marginal; mnist-li-<pair>: Li's construction per increment pair on MNIST, training/vp_chain.py).

- `registry`: ModelSpec / Model, `SPECS`, `get_model(name)`, `list_models()`; `descriptions`: the listing's prose.
- `datasets`: training data sets and their truth; `folders` / `foreign`: model folders and diffusers folders;
  `guided`: autoguided models.
Sampling is sampling/run.py, scoring evaluation/truth.py, the networks networks/, training training/.
"""

from .registry import SPECS, Model, ModelSpec, get_model, list_models

__all__ = ["SPECS", "Model", "ModelSpec", "get_model", "list_models"]
