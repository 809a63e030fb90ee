"""Identical concurrent views are safe: Gradio writes each image output to a cache file named by the
hash of its bytes with a plain `write_bytes` (truncate, then write). Two users asking for the same view
at once write the same file, and one of them can stream it while the other truncates it ("Too little
data for declared Content-Length" in h11, "peer closed connection" at the client). Here the file is
written once, under a temporary name, and renamed into place; a file that exists is reused as is
(same name = same bytes). Gradio's own `save_file_to_cache` already works this way.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from gradio import processing_utils as pu


def save_pil_to_cache(img, cache_dir: str, name: str = "image", format: str = "webp") -> str:
    """gradio.processing_utils.save_pil_to_cache with an atomic, write-once file."""
    data = pu.encode_pil_to_bytes(img, format)
    folder = Path(cache_dir) / pu.hash_bytes(data)
    folder.mkdir(exist_ok=True, parents=True)
    path = (folder / f"{name}.{format}").resolve()
    if path.exists():
        os.utime(path)  # keep it alive for delete_cache's ageing
        return str(path)
    fd, staging = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    return str(path)


def install() -> None:
    """Use the atomic writer for every image and gallery output (once, when the app is built)."""
    pu.save_pil_to_cache = save_pil_to_cache
