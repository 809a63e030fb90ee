"""A registered model autoguided by a weaker one (denoisers/autoguidance.py), as one `Model` every sampler runs."""

from __future__ import annotations

import dataclasses

from ..denoisers.autoguidance import AutoGuided
from ..validation import InputError
from .registry import Model


def guided(main: Model, weak: Model, w: float) -> Model:
    """`main` with its denoiser autoguided by `weak`'s (both loaded on one device, same data shape). Its exact
    law, if any, becomes the reference the samples are scored against: the closed-form output covariance is
    that of the unguided denoiser."""
    if weak.spec.shape != main.spec.shape:
        raise InputError(
            f"guide model {weak.spec.name} has shape {list(weak.spec.shape)}, the model "
            f"{list(main.spec.shape)}: guide by a model of the same data"
        )
    return dataclasses.replace(main, denoiser=AutoGuided(main.denoiser, weak.denoiser, w), truth=main.truth.guided())


def evaluations(model: Model) -> int:
    """Network evaluations per denoiser call: 2 for an autoguided model (both networks), else 1."""
    return 2 if isinstance(model.denoiser, AutoGuided) else 1
