"""`python -m diffusion_core ...` is `difflab ...` (cli/main.py; --version and --help load no torch)."""

import sys

from .cli.main import main

sys.exit(main())
