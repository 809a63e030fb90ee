"""A step-noise source for sampler parity tests: hands out prescribed noises in order, so a project sampler
and a literal transcription of k-diffusion's see the same draws."""

from __future__ import annotations

import torch


class ListNoise:
    def __init__(self, noises: list[torch.Tensor]):
        self.noises, self.i = noises, 0

    def __call__(self, shape, generator, dtype=torch.float32) -> torch.Tensor:
        self.i += 1
        return self.noises[self.i - 1]
