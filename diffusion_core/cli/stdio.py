"""`-` on the command line: an image read from standard input, a file written to standard output.

Images on stdin are any format the upload reader takes (detected from the bytes, not a name), with the
same size limit. Output to stdout writes the bytes of the file the command would have written; the
command's summary then goes to standard error so the two never mix.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import overload

from ..uploads import MAX_FILE_BYTES
from ..validation import InputError

STDIO = "-"


@overload
def image_arg(arg: str) -> str: ...
@overload
def image_arg(arg: None) -> None: ...
def image_arg(arg: str | None) -> str | None:
    """`-` -> the bytes on standard input saved to a private temp file (its path); anything else unchanged."""
    if arg != STDIO:
        return arg
    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if not data:
        raise InputError("no image on standard input: pipe one in (difflab spectrum - < photo.png)")
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"standard input holds more than {MAX_FILE_BYTES // 2**20} MB: downscale the image")
    folder = Path(tempfile.mkdtemp(prefix="difflab-stdin-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "stdin"
    path.write_bytes(data)
    return str(path)


@contextmanager
def output_path(out: str, suffix: str) -> Iterator[Path]:
    """Where to write: `out` itself, or for `-` a temp file `x<suffix>` whose bytes go to stdout afterwards."""
    if out != STDIO:
        yield Path(out)
        return
    with tempfile.TemporaryDirectory(prefix="difflab-stdout-") as folder:
        path = Path(folder) / f"out{suffix}"
        yield path
        sys.stdout.flush()
        sys.stdout.buffer.write(path.read_bytes())
        sys.stdout.buffer.flush()


def summary_stream(out: str | None):
    """Standard error when the data itself goes to standard output, else standard output."""
    return sys.stderr if out == STDIO else sys.stdout
