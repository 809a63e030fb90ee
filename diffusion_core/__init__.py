"""Diffusion Lab's core: spectra, schedules, bases, increments and scale space, with exact answers."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("diffusion-lab")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
