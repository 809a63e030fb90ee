"""The space and schedule of a GUD network: `gud.learned_gud` fitted on the network's finite training data set.
Training (training/gud.py, from its preset) and sampling (sampling/threads.py, from the weights' sidecar) both
build it here, so a network is sampled in the space it was trained in; fitted once per data set and settings (a
PCA of the 9,000 MNIST training digits takes seconds)."""

from __future__ import annotations

from typing import Any

from ..caching import frozen_cache
from ..gud.learned import EDM_P_MEAN, EDM_P_STD, LearnedGUD, learned_gud
from ..validation import InputError
from .datasets import DATASETS

# learned_gud's settings, in the order both builders pass them (the keywords' order is part of the cache key)
SETTINGS = ("basis", "r", "a", "prediction", "gamma_noise", "time_sampling", "p_mean", "p_std")


@frozen_cache(maxsize=4)
def fitted_gud(dataset: str, **settings: Any) -> LearnedGUD:
    """learned_gud(data=the items of a finite data set of models/datasets.py, **settings); cached by data set and
    settings (passed in SETTINGS' order)."""
    items = DATASETS[dataset].items
    if items is None:
        raise InputError(f"data set {dataset} is endless; a GUD space needs a finite one")
    return learned_gud(data=items(), **settings)


def sidecar_gud(side: dict) -> LearnedGUD:
    """A trained network's space and schedule, rebuilt from its sidecar: the data set and the `gud` settings
    (training/gud.py's gud_record; gamma_noise is the band's noise end)."""
    g = side["gud"]
    return fitted_gud(
        side["dataset"],
        basis=g["basis"],
        r=float(g["r"]),
        a=float(g["a"]),
        prediction=g.get("prediction", "eps"),
        gamma_noise=float(g["band"][1]),
        time_sampling=g.get("time_sampling", "uniform"),
        p_mean=float(g.get("p_mean", EDM_P_MEAN)),
        p_std=float(g.get("p_std", EDM_P_STD)),
    )
