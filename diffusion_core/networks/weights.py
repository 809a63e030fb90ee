"""The one reader and writer of network weights: safetensors (a state dict, never a pickle) and its sha256.

Every load goes through here: the registry's trained networks, the Flexi-UNets, the classifier, exported
model folders and diffusers folders. A hash, when the caller has one, is checked before the file is opened.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from ..validation import InputError

Tensor = torch.Tensor


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def check_sha256(path: Path, want: str, what: str, source: str) -> None:
    """One-line InputError "<what> sha256 <12 hex>..., <source> says <12 hex>..." when the file's hash is not `want`."""
    digest = sha256_of(path)
    if digest != want:
        raise InputError(f"{what} sha256 {digest[:12]}..., {source} says {want[:12]}...")


def read_weights(
    path: Path, sha256: str | None = None, what: str = "weights have", source: str = "sidecar"
) -> dict[str, Tensor]:
    """The tensors of a safetensors file, after the sha256 check when `sha256` is given (never unpickles)."""
    if sha256 is not None:
        check_sha256(path, sha256, what, source)
    return load_file(str(path))


def write_weights(net: nn.Module, out_dir: Path, name: str) -> Path:
    """<out_dir>/<name>.safetensors: the state dict only (never a pickle); returns its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.safetensors"
    save_file({k: v.detach().contiguous().clone() for k, v in net.state_dict().items()}, str(path))
    return path


def load_state_strict(net: nn.Module, path: Path) -> None:
    """Load safetensors into `net`, every tensor's name and shape checked first; one line on a mismatch."""
    try:
        state = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as e:
        raise InputError(f"{path.parent.name}/{path.name} is not a readable safetensors file ({str(e)[:80]})") from None
    want = {k: tuple(v.shape) for k, v in net.state_dict().items()}
    missing, extra = sorted(set(want) - set(state)), sorted(set(state) - set(want))
    bad = [k for k in want if k in state and tuple(state[k].shape) != want[k]]
    if bad:
        k = bad[0]
        raise InputError(
            f"{path.parent.name}/{path.name}: {len(bad)} tensor(s) do not fit the config, e.g. {k} "
            f"is {list(state[k].shape)}, the config needs {list(want[k])}"
        )
    if missing or extra:
        k = (missing or extra)[0]
        raise InputError(
            f"{path.parent.name}/{path.name}: {len(missing)} tensor(s) missing and {len(extra)} unexpected "
            f"for the config, e.g. {k}"
        )
    net.load_state_dict(state, strict=True)


def save_with_sidecar(net: nn.Module, out_dir: Path, head: dict[str, Any], rest: dict[str, Any]) -> dict[str, Any]:
    """Write <name>.safetensors and <name>.json, the sidecar the registry reads: `head` (name, kind, data set,
    label, shape), then weights, sha256 and params, then `rest`; returns the sidecar dict. The one sidecar writer
    of every trainer (training/edm.py, scale_space.py, gud.py)."""
    path = write_weights(net, out_dir, head["name"])
    side = {
        **head,
        "weights": path.name,
        "sha256": sha256_of(path),
        "params": sum(p.numel() for p in net.parameters()),
        **rest,
    }
    (out_dir / f"{head['name']}.json").write_text(json.dumps(side, indent=1) + "\n")
    return side
