"""One module per `difflab` command; each exposes `register(subparsers)`."""
