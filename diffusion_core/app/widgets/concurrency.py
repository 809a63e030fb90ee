"""Two concurrency groups for the queue (issue 25): sampling runs and light views wait in separate queues with
their own limits, so a class moving sliders cannot starve a sampling run and four sampling runs cannot stall
everyone's views.

- `SAMPLING`: every event that runs a reverse process (a sampler, the scale-space or GUD reverse chain, Li's
  reverse walks): the Samplers tab, its exports and trajectory, the pair grid, the reverse panels of the
  Increments, Bases and Scale space tabs. Each such event is registered with `concurrency_id=SAMPLING` and
  `show_progress="full"` (gradio's status then shows the waiting student the queue position and an estimate).
  tests/app/test_concurrency_groups.py finds every event that reaches a sampler and checks it is in the group.
- `LIGHT`: every other queued event (views, their releases, exports that do not sample, the workshop).

The limits are the number of events of a group that run at once: `Limits` (defaults by core count, else
$DIFFLAB_SAMPLING_LIMIT and $DIFFLAB_LIGHT_LIMIT, else `serve(..., limits=...)`), set on the built Blocks by
`apply_limits`. A slider's live move (widgets/live.py) is a direct POST outside the queue, one in flight per
slider and page, so it is in neither group.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import gradio as gr

SAMPLING = "sampling"
LIGHT = "light"
ENV_SAMPLING = "DIFFLAB_SAMPLING_LIMIT"
ENV_LIGHT = "DIFFLAB_LIGHT_LIMIT"


def _cores() -> int:
    return os.cpu_count() or 2


@dataclass(frozen=True)
class Limits:
    """How many events of each group run at once. Defaults: half the cores for sampling (1 on a 2-core laptop:
    a second run waits instead of halving the first one's speed), and max(4, cores) for the light views."""

    sampling: int = max(1, _cores() // 2)
    light: int = max(4, _cores())

    def __post_init__(self) -> None:
        for name, value in (("sampling", self.sampling), ("light", self.light)):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
                raise ValueError(f"the {name} concurrency limit must be a whole number from 1 to 64, not {value!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The defaults, each overridden by its environment variable when set."""
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            sampling=_env_int(env, ENV_SAMPLING, defaults.sampling), light=_env_int(env, ENV_LIGHT, defaults.light)
        )


def _env_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"${name} must be a whole number (a concurrency limit), not {raw!r}") from None


def apply_limits(demo: gr.Blocks, limits: Limits) -> None:
    """Every event of the built app into its group with that group's limit: the events registered with
    `concurrency_id=SAMPLING` keep it, every other event joins LIGHT (gradio limits a group by the lowest limit of
    its events, so all of a group's events get the same one)."""
    for fn in demo.fns.values():
        if fn.concurrency_id == SAMPLING:
            fn.concurrency_limit = limits.sampling
        else:
            fn.concurrency_id, fn.concurrency_limit = LIGHT, limits.light
