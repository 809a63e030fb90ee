"""The fair queue (issue 25, widgets/concurrency.py): every event that runs a sampler is in the "sampling"
concurrency group, with its limit and gradio's full progress (queue position and estimate); every other event is
in "light". Which events sample is found from the code, not from a list: an event whose function reaches one of
the core's reverse processes (below) through the functions it calls. A new sampling handler registered without
`concurrency_id=SAMPLING` fails test_every_sampling_event_is_in_the_sampling_group."""

from __future__ import annotations

import contextvars
import functools
import inspect
import os
import threading
import time
import types
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import gradio as gr
import pytest

from diffusion_core.app.widgets.concurrency import LIGHT, SAMPLING, SAMPLING_NICENESS, Limits, apply_limits, yielding
from diffusion_core.gud import process as gud_process
from diffusion_core.noise import samplers as noise_samplers
from diffusion_core.nonnormal import walks
from diffusion_core.sampling import pair_grid, run
from diffusion_core.scale_space import sampler as ssd

# The core's sampling runs: every reverse process the app can start.
SAMPLERS = (
    run.run_sampler,
    pair_grid.pair_grid,
    pair_grid.sample_row,
    ssd.ssd_sample,
    gud_process.reverse_sample,
    walks.reverse_sample,
    walks.reverse_vp_walk,
    noise_samplers.get_sampler,
    *noise_samplers.SAMPLERS.values(),
)
# Events known to sample: the search below must find them (it is not allowed to find nothing).
KNOWN = {
    "sample_compare",
    "sample_compare_sweep",
    "pair_grid",
    "sample_trajectory",
    "basis_reverse",
    "image_extension",
    "increments_reverse",
    "scale_space_sample",
    "scale_space_flexi",
    "spectral_networks",
    "gud_network_reverse",
}


def _ours(obj: Any) -> bool:
    return (getattr(obj, "__module__", None) or "").startswith("diffusion_core")


def _names(code: types.CodeType) -> set[str]:
    names, stack = set(), [code]
    while stack:
        c = stack.pop()
        names |= set(c.co_names)
        stack += [k for k in c.co_consts if isinstance(k, types.CodeType)]
    return names


def _callees(fn: Any) -> Iterator[Any]:
    """What `fn` may call: the globals and closure cells it names, the attributes it names of the modules, classes
    and instances among them (e.g. `handlers.sample_compare`, `IO.view`), and the callables in named containers."""
    fn = inspect.unwrap(fn)
    if isinstance(fn, functools.partial):
        yield fn.func
        return
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    if code is None:
        return
    names = _names(code)
    found = [fn.__globals__[n] for n in names if n in fn.__globals__]
    for cell in fn.__closure__ or ():
        try:
            found.append(cell.cell_contents)
        except ValueError:  # a cell not filled yet
            pass
    for obj in found:
        yield obj
        if isinstance(obj, dict):
            yield from (v for v in obj.values() if callable(v))
        elif isinstance(obj, (tuple, list)):
            yield from (v for v in obj if callable(v))
        owner = obj if isinstance(obj, types.ModuleType) or inspect.isclass(obj) else type(obj)
        if isinstance(obj, types.ModuleType) or _ours(owner):
            for n in names:
                try:
                    attr = inspect.getattr_static(owner, n)
                except AttributeError:
                    continue
                yield getattr(attr, "__func__", attr)


def reaches_a_sampler(fn: Callable[..., Any]) -> bool:
    targets = {id(f) for f in SAMPLERS}
    seen: set[int] = set()
    stack = [fn]
    while stack:
        f = stack.pop()
        if id(f) in targets:
            return True
        if id(f) in seen:
            continue
        seen.add(id(f))
        stack += [c for c in _callees(f) if callable(c) and not inspect.isclass(c) and (_ours(c) or id(c) in targets)]
    return False


def misgrouped(demo: gr.Blocks | Iterable[Any], limits: Limits) -> list[str]:
    """Every event (of an app, or these BlockFunctions) not where it belongs: sampling events in SAMPLING with the
    sampling limit and full progress, the others in LIGHT with the light limit."""
    wrong = []
    for fn in demo.fns.values() if isinstance(demo, gr.Blocks) else demo:
        if fn.fn is None:
            continue  # page script only
        if reaches_a_sampler(fn.fn):
            if (fn.concurrency_id, fn.concurrency_limit, fn.show_progress) != (SAMPLING, limits.sampling, "full"):
                wrong.append(f"{fn.api_name}: {fn.concurrency_id}, {fn.concurrency_limit}, {fn.show_progress}")
        elif (fn.concurrency_id, fn.concurrency_limit) != (LIGHT, limits.light):
            wrong.append(f"{fn.api_name} (light): {fn.concurrency_id}, {fn.concurrency_limit}")
    return wrong


@pytest.fixture(scope="module")
def app() -> gr.Blocks:
    from diffusion_core.app.layout import build_app

    return build_app()


def test_every_sampling_event_is_in_the_sampling_group(app):
    assert misgrouped(app, Limits.from_env()) == []
    sampling = {fn.api_name for fn in app.fns.values() if fn.concurrency_id == SAMPLING}
    assert KNOWN <= sampling and all(reaches_a_sampler(fn.fn) for fn in app.fns.values() if fn.api_name in KNOWN)


def test_a_sampling_handler_added_without_the_group_is_found():
    def new_panel(steps):  # a handler that samples, registered like a light view
        return run.run_sampler

    with gr.Blocks() as demo:
        n = gr.Number()
        gr.Button().click(new_panel, n, n, api_name="new_panel")
        gr.Button().click(new_panel, n, n, api_name="grouped", concurrency_id=SAMPLING, show_progress="full")
    limits = Limits(sampling=1, light=4)
    apply_limits(demo, limits)
    assert misgrouped(demo, limits) == ["new_panel: light, 4, full"]


def test_serve_limits_replace_the_environments(app):
    apply_limits(app, Limits(sampling=2, light=7))
    try:
        assert misgrouped(app, Limits(sampling=2, light=7)) == []
    finally:
        apply_limits(app, Limits.from_env())


def test_limits_from_the_environment():
    assert Limits.from_env({}) == Limits()
    assert Limits().sampling >= 1 and Limits().light >= 4
    assert Limits.from_env({"DIFFLAB_SAMPLING_LIMIT": "2", "DIFFLAB_LIGHT_LIMIT": " 6 "}) == Limits(2, 6)
    with pytest.raises(ValueError, match="DIFFLAB_SAMPLING_LIMIT must be a whole number"):
        Limits.from_env({"DIFFLAB_SAMPLING_LIMIT": "two"})
    with pytest.raises(ValueError, match="light concurrency limit must be a whole number from 1 to 64, not 0"):
        Limits.from_env({"DIFFLAB_LIGHT_LIMIT": "0"})


def test_a_second_sampling_run_waits_with_its_place_while_light_views_go_on(monkeypatch):
    """Served as the app is (serve()), sampling limit 1: a second run waits in the sampling queue and is told its
    place and an estimate; a light event meanwhile answers at once."""
    import gradio.networking as networking
    from gradio_client import Client
    from gradio_client.utils import Status

    from diffusion_core.app.layout import serve

    gate = threading.Event()
    nice: dict[str, list[int]] = {"sample": [], "light": []}

    def sample(x: float) -> float:
        nice["sample"].append(_my_niceness())
        gate.wait(60)
        return x

    def light(x: float) -> float:
        nice["light"].append(_my_niceness())
        return x + 1

    with gr.Blocks() as demo:
        n = gr.Number()
        gr.Button().click(sample, n, n, api_name="sample", concurrency_id=SAMPLING, show_progress="full")
        gr.Button().click(light, n, n, api_name="light")
    monkeypatch.setattr(networking, "url_ok", lambda url: True)  # as tests/conftest.py: the box is busy
    serve(demo, "127.0.0.1", _free_port(), limits=Limits(sampling=1, light=4), block=False)
    try:
        url = demo.local_url
        urllib.request.urlopen(url, timeout=30)
        client = Client(url, verbose=False)
        first = client.submit(1, api_name="/sample")
        _wait(lambda: first.status().code == Status.PROCESSING)
        second = client.submit(2, api_name="/sample")
        _wait(lambda: second.status().code == Status.IN_QUEUE and second.status().rank is not None)
        assert second.status().rank == 0 and second.status().queue_size == 1  # first in line, told so
        assert client.predict(5, api_name="/light") == 6  # not behind the sampling runs
        assert not first.done() and not second.done()
        gate.set()
        assert first.result(timeout=60) == 1 and second.result(timeout=60) == 2
        # Sampling runs yielded the CPU (their own threads at +10), the light view kept the server's priority.
        base = os.getpriority(os.PRIO_PROCESS, 0)
        assert nice == {"sample": [min(19, base + SAMPLING_NICENESS)] * 2, "light": [base]}
        # gradio's per-event pandas summary for /monitoring is off, and so is /monitoring
        assert demo._queue.cached_event_analytics_summary == {"functions": {}}
        with pytest.raises(urllib.error.HTTPError, match="403"):
            urllib.request.urlopen(f"{url}monitoring/summary", timeout=30)
    finally:
        gate.set()
        demo.close()


def test_a_sampling_runs_progress_reaches_the_student_from_its_own_thread(monkeypatch):
    """gr.Progress inside a sampling run (which runs in a thread of its own, `yielding`) still reports to the
    waiting student: the status carries the run's progress and description."""
    import gradio.networking as networking
    from gradio_client import Client

    from diffusion_core.app.layout import serve

    gate, reported = threading.Event(), threading.Event()

    def sample(x: float, progress=gr.Progress()) -> float:  # noqa: B008 - gradio's way to ask for progress
        progress(0.5, desc="step 5 of 10")
        reported.set()
        gate.wait(60)
        return x

    with gr.Blocks() as demo:
        n = gr.Number()
        gr.Button().click(sample, n, n, api_name="sample", concurrency_id=SAMPLING, show_progress="full")
    monkeypatch.setattr(networking, "url_ok", lambda url: True)
    serve(demo, "127.0.0.1", _free_port(), limits=Limits(sampling=1, light=4), block=False)
    try:
        job = Client(demo.local_url, verbose=False).submit(3, api_name="/sample")
        assert reported.wait(60)
        _wait(lambda: bool(job.status().progress_data))
        (unit,) = job.status().progress_data
        assert unit.progress == 0.5 and unit.desc == "step 5 of 10"
        gate.set()
        assert job.result(timeout=60) == 3
    finally:
        gate.set()
        demo.close()


def _my_niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_yielding_runs_in_a_lower_priority_thread_and_leaves_the_caller_as_it_was():
    marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker")
    marker.set("the request's")
    seen: list = []

    def run(x: int, *, y: int) -> int:
        seen.append((threading.get_native_id(), _my_niceness(), marker.get()))
        if x < 0:
            raise ValueError("bad x")
        return x + y

    before = _my_niceness()
    wrapped = yielding(run)
    assert wrapped(2, y=3) == 5 and wrapped.__wrapped__ is run and inspect.signature(wrapped) == inspect.signature(run)
    with pytest.raises(ValueError, match="bad x"):
        wrapped(-1, y=0)
    assert _my_niceness() == before  # the caller's thread is untouched
    (tid1, n1, ctx1), (tid2, n2, _) = seen
    assert tid1 != threading.get_native_id() and tid2 != tid1  # a new thread per run
    assert n1 == n2 == min(19, before + SAMPLING_NICENESS) and ctx1 == "the request's"


def test_apply_limits_makes_only_sampling_events_yield_and_only_once():
    with gr.Blocks() as demo:
        n = gr.Number()
        gr.Button().click(lambda x: x, n, n, api_name="view")
        gr.Button().click(lambda x: x, n, n, api_name="run", concurrency_id=SAMPLING, show_progress="full")
    apply_limits(demo, Limits())
    once = {fn.api_name: fn.fn for fn in demo.fns.values()}
    apply_limits(demo, Limits(sampling=2, light=5))
    fns = {fn.api_name: fn.fn for fn in demo.fns.values()}
    assert fns == once and getattr(fns["run"], "yields_cpu", False) and not hasattr(fns["view"], "yields_cpu")
    assert not getattr(fns["run"].__wrapped__, "yields_cpu", False)  # wrapped once, around the handler itself


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(ok: Callable[[], bool], timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not ok():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)
