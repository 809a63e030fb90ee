"""Where tensors live: `--device auto|cpu|cuda|mps` and the app's device dropdown, resolved once.

auto picks CUDA when torch sees a GPU, then Apple's MPS, then the CPU. Asking for a device this
machine does not have is a one-line `InputError`, never a silent fallback. Under torchrun each rank
takes the GPU of its LOCAL_RANK (`rank_device`), and the process group uses nccl on CUDA, gloo on
the CPU (`dist_backend`).

What moves: networks (the project's UNets and wrapped diffusers UNets) and every sampler state
and denoiser output. What stays on the CPU: the seeded generator and the noise it draws (the
initial z and each injection are drawn there and copied over), so the same seed gives the same
pixels on every device; and the exact denoisers (Gaussian, empirical, mixture), which are the
float64 ground truth the tests compare against (MPS has no float64).
"""

from __future__ import annotations

import os

import torch

from .validation import InputError, check_choice

DEVICES = ("auto", "cpu", "cuda", "mps")


def mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def available() -> list[str]:
    """The concrete devices torch can use here, best first (the app's dropdown offers these + auto)."""
    return [d for d, ok in (("cuda", torch.cuda.is_available()), ("mps", mps_available()), ("cpu", True)) if ok]


def resolve_device(name: str | torch.device | None = "auto") -> torch.device:
    """auto -> cuda, else mps, else cpu; an explicit device must exist on this machine."""
    if isinstance(name, torch.device):
        name = name.type if name.index is None else f"{name.type}:{name.index}"
    name = "auto" if name is None else str(name).strip().lower()
    base, _, index = name.partition(":")
    check_choice("device", base, DEVICES)
    if base == "auto":
        return torch.device(available()[0])
    if base == "cuda" and not torch.cuda.is_available():
        raise InputError("device cuda: torch sees no CUDA GPU on this machine (use --device auto or cpu)")
    if base == "mps" and not mps_available():
        raise InputError("device mps: torch sees no Apple MPS device on this machine (use --device auto or cpu)")
    if index:
        if base != "cuda" or not index.isdigit() or int(index) >= torch.cuda.device_count():
            raise InputError(f"device {name}: only cuda:N with N < {torch.cuda.device_count()} takes an index")
        return torch.device(name)
    return torch.device(base)


def rank_device(name: str | None, local_rank: int) -> torch.device:
    """The device of one torchrun rank: cuda:LOCAL_RANK on CUDA (one GPU per rank), else the resolved device."""
    dev = resolve_device(name)
    if dev.type != "cuda":
        return dev
    if local_rank >= torch.cuda.device_count():
        raise InputError(f"rank with LOCAL_RANK {local_rank} has no GPU: only {torch.cuda.device_count()} visible")
    return torch.device("cuda", local_rank)


def local_rank() -> int:
    """torchrun's LOCAL_RANK (0 outside torchrun)."""
    return int(os.environ.get("LOCAL_RANK", "0"))


def dist_backend(device: torch.device) -> str:
    """nccl for CUDA tensors, gloo otherwise (gloo is the CPU backend)."""
    return "nccl" if device.type == "cuda" else "gloo"


def describe(device: torch.device) -> str:
    """One line for logs and JSON: 'cuda:0 (NVIDIA ...)', 'mps', 'cpu (2 threads)'."""
    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    if device.type == "cpu":
        return f"cpu ({torch.get_num_threads()} threads)"
    return str(device)
