"""The report layer: every README and docs generator (pages.py lists the pages; `make readme` writes them).
It reads results (benchmarks/*.json, sidecars, the argparse parser, the public API) and writes text; it
measures nothing."""
