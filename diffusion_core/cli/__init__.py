"""The `difflab` command line: `main` parses, one module per command exposes `register(subparsers)`."""
from .main import main

__all__ = ["main"]
