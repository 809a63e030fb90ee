"""The fair queue (issue 25, widgets/concurrency.py): every event that runs a sampler is in the "sampling"
concurrency group, with its limit and gradio's full progress (queue position and estimate); every other event is
in "light". Which events sample is found from the code, not from a list: an event whose function reaches one of
the core's reverse processes (below) through the functions it calls. A new sampling handler registered without
`concurrency_id=SAMPLING` fails test_every_sampling_event_is_in_the_sampling_group."""

from __future__ import annotations

import functools
import inspect
import threading
import time
import types
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr
import pytest

from diffusion_core.app.widgets.concurrency import LIGHT, SAMPLING, Limits, apply_limits
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


def misgrouped(demo: gr.Blocks, limits: Limits) -> list[str]:
    """Every event not where it belongs: sampling events in SAMPLING with the sampling limit and full progress,
    the others in LIGHT with the light limit."""
    wrong = []
    for fn in demo.fns.values():
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

    def sample(x: float) -> float:
        gate.wait(60)
        return x

    with gr.Blocks() as demo:
        n = gr.Number()
        gr.Button().click(sample, n, n, api_name="sample", concurrency_id=SAMPLING, show_progress="full")
        gr.Button().click(lambda x: x + 1, n, n, api_name="light")
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
    finally:
        gate.set()
        demo.close()


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
