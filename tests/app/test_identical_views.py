"""Identical concurrent views are safe (issue 12 item 8): image outputs are written once, atomically,
so a request streaming a cached file never sees it truncated by an identical request."""

import threading
from pathlib import Path

import numpy as np
from gradio import processing_utils as pu
from PIL import Image

from diffusion_core.app.widgets import atomic_cache as atomic_cache


def test_same_image_from_many_threads_is_one_complete_file(tmp_path):
    img = Image.fromarray(np.random.default_rng(0).integers(0, 255, (256, 256, 3), np.uint8))
    want = pu.encode_pil_to_bytes(img, "webp")
    paths, sizes = [], []

    def user():
        for _ in range(10):
            p = atomic_cache.save_pil_to_cache(img, str(tmp_path))
            paths.append(p)
            sizes.append(len(Path(p).read_bytes()))  # a reader never sees a partial file

    threads = [threading.Thread(target=user) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(set(paths)) == 1 and set(sizes) == {len(want)} and Path(paths[0]).read_bytes() == want
    assert [f.name for f in Path(paths[0]).parent.iterdir()] == ["image.webp"]  # no staging files left


def test_the_app_uses_the_atomic_writer(tmp_path):
    atomic_cache.install()
    assert pu.save_pil_to_cache is atomic_cache.save_pil_to_cache
    p = Path(pu.save_img_array_to_cache(np.zeros((8, 8, 3), np.uint8), str(tmp_path)))  # gr.Image's path
    assert p.exists() and p.parent.parent == tmp_path
