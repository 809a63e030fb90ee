"""The `difflab` command line: `main(argv) -> int` parses with the light parsers of `parsers.py` and runs the
command's module (main.COMMANDS: `run(args) -> int`), imported only then."""

from .main import main

__all__ = ["main"]
