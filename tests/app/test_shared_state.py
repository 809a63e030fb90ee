"""Many users, one server (issue 12 item 8): requests change no process-wide state and cached results
are never handed out mutable."""

import re
from pathlib import Path

import numpy as np
import torch

import diffusion_core
from diffusion_core.app.bases.handlers import basis_forward
from diffusion_core.app.scale_space import handlers as scale_space
from diffusion_core.app.schedules import handlers as schedules
from diffusion_core.app.spectrum import handlers as spectrum
from diffusion_core.caching import frozen_cache
from diffusion_core.gud.setup import BasesView, build

PKG = Path(diffusion_core.__file__).parent
# process-wide switches; allowed only where a whole process is configured, never per request
GLOBAL = re.compile(
    r"torch\.set_num_threads|torch\.set_num_interop_threads|torch\.manual_seed|np\.random\.seed|"
    r"torch\.set_default_dtype|torch\.set_grad_enabled\(|os\.chdir|os\.environ\[[^]]+\]\s*=|"
    r"torch\.use_deterministic_algorithms|warnings\.simplefilter"
)
ALLOWED = {
    "app/layout.py",  # launch(): once, before serving
    "training/loop.py",  # difflab train: its own process (the loop sets the preset's threads)
    "training/edm.py",  # the UNet's initial weights (torch.manual_seed in a fork_rng)
    "training/scale_space.py",  # the scale-space trainer: its own process
    "networks/classifier.py",  # training the MNIST classifier: its own process (seed in a fork_rng)
    "cli/basis_forward.py",
}  # a CLI process


def test_no_request_path_changes_process_wide_state():
    hits = []
    for py in sorted(PKG.rglob("*.py")):
        rel = py.relative_to(PKG).as_posix()
        if rel in ALLOWED or rel.startswith("bench/"):
            continue
        lines = py.read_text().splitlines()
        for i, line in enumerate(lines, 1):
            seeded_fork = "manual_seed" in line and i > 1 and "fork_rng" in lines[i - 2]  # restored on exit
            if GLOBAL.search(line.split("#")[0]) and not seeded_fork:
                hits.append(f"{rel}:{i}: {line.strip()}")
    assert not hits, hits


def test_handlers_leave_threads_and_rngs_alone():
    threads, rng, nprng = torch.get_num_threads(), torch.get_rng_state(), np.random.get_state()[1].copy()
    basis_forward(BasesView(steps=200, frames=3))
    from diffusion_core.app.bases.handlers import basis_reverse

    basis_reverse(BasesView(steps=200, frames=3))
    spectrum.spectrum_view(spectrum.SpectrumView(size=64))
    assert torch.get_num_threads() == threads
    assert torch.equal(torch.get_rng_state(), rng) and np.array_equal(np.random.get_state()[1], nprng)


def test_cached_results_are_private_copies():
    v = spectrum.SpectrumView(size=64)
    a = spectrum.clean_spectrum(v)
    before = a.images.clone()
    a.images.mul_(0).add_(7)  # a careless caller edits in place
    assert torch.equal(spectrum.clean_spectrum(v).images, before)
    x = scale_space.load(scale_space.ScaleSpaceView(size=32))
    x.zero_()
    assert float(scale_space.load(scale_space.ScaleSpaceView(size=32)).abs().sum()) > 0
    d = build(BasesView()).data
    d.zero_()
    assert float(build(BasesView()).data.abs().sum()) > 0
    p = schedules.dataset_params("digits", 0.1, 10.0)
    assert not p.flags.writeable


def test_frozen_cache_thaws_nested_results():
    calls = []

    @frozen_cache(maxsize=2)
    def f(n):
        calls.append(n)
        return {"t": torch.zeros(n)}, [np.zeros(n)]

    a, (arr,) = f(3)
    a["t"] += 1
    b, _ = f(3)
    assert calls == [3] and float(b["t"].sum()) == 0 and not arr.flags.writeable


def test_frozen_memo_keys_without_progress_and_hands_out_copies():
    """The app's run memo (Samplers: a run and its sweep): keyed by the settings, not by the progress callback;
    a peek never computes; every caller gets a private copy; the oldest entry leaves first."""
    from concurrent.futures import ThreadPoolExecutor

    from diffusion_core.caching import frozen_memo

    calls, ticks = [], []

    @frozen_memo(maxsize=2)
    def run(n, progress=None):
        calls.append(n)
        if progress is not None:
            progress(1.0, "done")
        return {"x": torch.zeros(n), "rows": [n]}

    assert run.peek(3) is None and not run.cached(3) and calls == []
    a = run(3, lambda frac, text: ticks.append(text))
    a["x"] += 1
    a["rows"].append(99)
    b = run(3, progress=lambda frac, text: ticks.append(text))
    assert calls == [3] and ticks == ["done"] and float(b["x"].sum()) == 0 and b["rows"] == [3]
    assert run.cached(3) and run.peek(3)["rows"] == [3]
    run(4), run(5)
    assert not run.cached(3) and run.cached(4) and run.cached(5)
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda _: run(6)["x"], range(8)))
    assert all(torch.equal(o, torch.zeros(6)) for o in outs) and len({id(o) for o in outs}) == 8


def test_log_axes_label_decades_only():
    """Issue 12 item 9: plotly labels a log axis's minor ticks with bare digits (2, 5) by default."""
    from diffusion_core.plotting.common import base_figure

    fig = base_figure("t", "x", "y", logx=True)
    assert fig.layout.xaxis.minorloglabels == "none" and fig.layout.yaxis.minorloglabels is None
