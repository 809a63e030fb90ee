"""Two concurrency groups for the queue (issue 25): sampling runs and light views wait in separate queues with
their own limits, so a class moving sliders cannot starve a sampling run and four sampling runs cannot stall
everyone's views.

- `SAMPLING`: every event that runs a reverse process (a sampler, the scale-space or GUD reverse chain, Li's
  reverse walks): the Samplers tab, its exports and trajectory, the pair grid, the reverse panels of the
  Increments, Bases and Scale space tabs. Each such event is registered with `concurrency_id=SAMPLING` and
  `show_progress="full"` (gradio's status then shows the waiting student the queue position and an estimate).
  tests/app/test_concurrency_groups.py finds every event that reaches a sampler and checks it is in the group.
- `LIGHT`: every other queued event (views, their releases, exports that do not sample, the workshop).

A sampling run also yields the CPU: it runs in a thread of its own at niceness +10 (`yielding`, Linux), so when a
class's light views and a sampling run want the same cores the kernel gives them to the views first (a 10-nice
thread weighs ~1/9 of a normal one) and the run takes what they leave; on an idle machine it runs at full speed.
Measured in benchmarks/load_room.py (2 workers, 60 students, 4 sampling runs): see docs/classroom.md.

The limits are the number of events of a group that run at once: `Limits` (defaults by core count, else
$DIFFLAB_SAMPLING_LIMIT and $DIFFLAB_LIGHT_LIMIT, else `serve(..., limits=...)`), set on the built Blocks by
`apply_limits`. A slider's live move (widgets/live.py) is a direct POST outside the queue, one in flight per
slider and page, so it is in neither group.
"""

from __future__ import annotations

import contextvars
import functools
import os
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import gradio as gr

SAMPLING = "sampling"
LIGHT = "light"
ENV_SAMPLING = "DIFFLAB_SAMPLING_LIMIT"
ENV_LIGHT = "DIFFLAB_LIGHT_LIMIT"
SAMPLING_NICENESS = 10  # added to the server's niceness for a sampling run's thread (the kernel caps it at 19)


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
    its events, so all of a group's events get the same one). A sampling event's function runs `yielding`. The
    limits stay on the Blocks for the events a tab registers when a session opens it (widgets/lazy_tabs.py)."""
    demo.difflab_limits = limits  # type: ignore[attr-defined]
    limit(demo.fns.values(), limits)


def limit(fns: Any, limits: Limits) -> None:
    """Each of `fns` (gradio BlockFunctions) into its group with that group's limit."""
    for fn in fns:
        if fn.concurrency_id == SAMPLING:
            fn.concurrency_limit = limits.sampling
            if fn.fn is not None and not getattr(fn.fn, "yields_cpu", False):
                fn.fn = yielding(fn.fn)
        else:
            fn.concurrency_id, fn.concurrency_limit = LIGHT, limits.light


def lower_priority(niceness: int = SAMPLING_NICENESS) -> None:
    """Lower the calling thread's CPU priority by `niceness` (Linux: a thread is a task with its own nice value;
    elsewhere a thread id is not a process id, so nothing is changed). Raising it back needs privileges, hence a
    thread of its own (`yielding`)."""
    if not sys.platform.startswith("linux"):
        return
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + niceness))
    except OSError:  # not permitted here: the run keeps the server's priority
        pass


def yielding(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` run in a new thread at lower CPU priority (`lower_priority`), in the caller's context (gradio's request,
    progress and messages are context variables); the caller's thread waits for it and is left as it was. The
    signature is `fn`'s (functools.wraps), so gradio still finds its Request and Progress parameters."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        context, box = contextvars.copy_context(), {}

        def target() -> None:
            lower_priority()
            try:
                box["value"] = context.run(fn, *args, **kwargs)
            except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
                box["error"] = e

        worker = threading.Thread(target=target, name=f"sampling:{getattr(fn, '__name__', 'run')}", daemon=True)
        worker.start()
        worker.join()
        if "error" in box:
            raise box["error"]
        return box["value"]

    run.yields_cpu = True  # type: ignore[attr-defined]
    return run
