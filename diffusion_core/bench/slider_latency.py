"""Slider latency in a real browser (issue 12 item 12): from a noise-level change to the last figure updated.

Starts the app (`python app.py`) on a free port, opens it in Debian's chromium driven by Playwright, and
moves each tab's noise-level slider (Spectrum's λ; the time t that sets λ(t) on Increments, Bases and Scale
space) to ~20 values, one at a time. A MutationObserver on every output that depends on
λ (plus the `load` event of their images) records when each last changed; a move is done when the
explanation shows the new λ and the outputs have been quiet for a while. The latency of a move is the
time from the slider's `input` event to the last change of the last output (before the quiet period).

    difflab bench slider-latency --json > benchmarks/slider-latency.json
    python -m diffusion_core.bench.slider_latency benchmarks --baseline DIR   # also time another checkout

With `--baseline DIR` (a checkout of an earlier commit, e.g. `git archive COMMIT | tar -x -C DIR`) both
apps run at once and the moves alternate between them, so the two are measured under the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .app_process import free_port, start_app, wait_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUIET_MS = 1200  # a move is over once its outputs have not changed for this long
TARGET_MS = 250.0


@dataclass(frozen=True)
class Output:
    """One output of the tab, found by its block label or by a text it always shows."""

    name: str
    label: str = ""  # the block label's text (gr.Plot / gr.Image)
    text: str = ""  # a text inside the element (gr.Markdown has no label)


@dataclass(frozen=True)
class SliderSpec:
    """A tab's noise-level slider (λ, or the time t that sets λ(t)): where it is, the values to visit, what
    shows the value, what must redraw."""

    tab: str  # the tab's id (the `?tab=` of a link)
    slider: str  # the slider's label (its aria-label is "range slider for " + this)
    shows: str  # text shown once the value is in ({v:.2f}: the value; {step}: round(999 v))
    outputs: tuple[Output, ...]
    lo: float
    hi: float
    step: float
    start: float = 0.0  # the value the tab opens with


# Every tab whose figures follow the noise level live: Spectrum's λ, and the time sliders that set λ(t) on
# the Increments (loss viewer), Bases (readout time) and Scale space (current time) tabs. Outputs that do
# not depend on the slider (e.g. the Bases SNR plane) are not listed: they should not redraw.
TABS = (
    SliderSpec(
        "spectrum",
        "Noise level: logSNR λ",
        "At logSNR λ = {v:.2f}",
        (
            Output("noisy image", label="Noisy image"),
            Output("2-D spectrum", label="2-D log power spectrum"),
            Output("radial PSD", label="Radial PSD"),
            Output("SNR", label="Per-frequency SNR"),
            Output("explanation", text="falls like a power law"),
            Output("sigma label", text="VE σ = e^(−λ/2)"),
        ),
        -8.0,
        8.0,
        0.05,
    ),
    SliderSpec(
        "increments",
        "t of the step",
        "At t = {v:.3f} with N",
        (Output("loss shapes", label="Loss shapes"), Output("loss text", text="Laplace–Laplace is")),
        0.05,
        1.0,
        0.001,
        0.5,
    ),
    SliderSpec(
        "bases",
        "Readout time t",
        "At t = {v:.2f}, ",
        (
            Output("γ_i(t)", label="γ_i(t)"),
            Output("log-SNR_i(t)", label="true log-SNR_i(t)"),
            Output("σ_i²(t)", label="σ_i²(t)"),
            Output("windows", label="Active windows"),
            Output("explanation", text="components are active"),
        ),
        0.0,
        1.0,
        0.01,
        0.5,
    ),
    SliderSpec(
        "scale_space",
        "Current time t",
        "(step {step}): λ",
        (
            Output("x_t", label="x_t at its own resolution"),
            Output("spectrum widget", label="Spectrum + noise floor"),
            Output("Flexi path", label="Flexi-UNet path at the current t"),
            Output("FLOPs", label="FLOPs per step"),
        ),
        0.0,
        1.0,
        0.001,
        0.5,
    ),
)

# Installs the observers; returns the outputs it could not find.
JS_INSTALL = """(outs) => {
  const blocks = [...document.querySelectorAll('.block')];
  const find = (o) => {
    if (o.label) {
      const lab = [...document.querySelectorAll('[data-testid="block-label"]')]
        .find(e => e.offsetParent !== null && e.textContent.trim().startsWith(o.label));
      return lab ? lab.closest('.block') : null;
    }
    const hits = blocks.filter(b => b.offsetParent !== null && b.textContent.includes(o.text));
    return hits.sort((a, b) => a.textContent.length - b.textContent.length)[0] || null;
  };
  const w = window.__lat = {t0: 0, last: {}, any: 0};
  const missing = [];
  for (const o of outs) {
    const el = find(o);
    if (!el) { missing.push(o.name); continue; }
    const mark = () => { const t = performance.now(); if (w.t0 && t > w.t0) { w.last[o.name] = t; w.any = t; } };
    new MutationObserver(mark).observe(el, {subtree: true, childList: true, attributes: true, characterData: true});
    el.addEventListener('load', mark, true);          // an <img> finished loading its new src
  }
  return missing;
}"""

# Runs before the app's scripts: timestamps gradio's queue requests and the messages of its event stream,
# so a move splits into client (input -> join), server (join -> process_completed) and render (-> last output)
# (for an event outside the queue: its POST to run/predict and the response);
# and the page's long tasks (> 50 ms of main-thread work: plotly redraws, markdown, image decoding).
JS_NET = """(() => {
  const net = window.__net = [];
  new PerformanceObserver(l => l.getEntries().forEach(e => net.push({kind: 'longtask', t: e.startTime,
    ms: e.duration}))).observe({type: 'longtask', buffered: true});
  const orig = window.fetch;
  window.fetch = async (...a) => {
    const url = String((a[0] && a[0].url) || a[0]);
    const t0 = performance.now();
    const r = await orig(...a);
    if (url.includes('/queue/join') || url.includes('/run/predict')) net.push({kind: 'join', t: t0});
    if (url.includes('/run/predict')) net.push({kind: 'process_completed', t: performance.now(),
                                                bytes: Number(r.headers.get('content-length') || 0)});
    if (!url.includes('/queue/data') || !r.body) return r;
    const [mine, theirs] = r.body.tee();
    (async () => {
      const rd = mine.getReader();
      for (;;) {
        const {value, done} = await rd.read();
        if (done) break;
        const text = new TextDecoder().decode(value), t = performance.now();
        for (const m of text.matchAll(/"msg":\\s*"(\\w+)"/g)) net.push({kind: m[1], t, bytes: value.length});
      }
    })();
    return new Response(theirs, {status: r.status, statusText: r.statusText, headers: r.headers});
  };
})()"""

# Moves the slider the way a drag does (value + input + change on the range input).
JS_MOVE = """([label, v]) => {
  const r = document.querySelector(`input[type=range][aria-label^="range slider for ${label}"]`);
  window.__lat.t0 = performance.now(); window.__lat.last = {}; window.__lat.any = window.__lat.t0;
  r.value = String(v);
  r.dispatchEvent(new Event('input', {bubbles: true}));
  r.dispatchEvent(new Event('change', {bubbles: true}));
  return window.__lat.t0;
}"""

JS_STATE = """([text]) => ({now: performance.now(), t0: window.__lat.t0, last: window.__lat.last,
  any: window.__lat.any, shown: document.body.innerText.includes(text),
  net: window.__net.filter(e => e.t >= window.__lat.t0)})"""


def values(spec: SliderSpec, n: int, seed: int = 0) -> list[float]:
    """n distinct slider positions on the slider's grid, in a shuffled order (each move changes λ)."""
    grid = np.round(np.arange(spec.lo, spec.hi + spec.step / 2, spec.step), 6)
    picks = np.random.default_rng(seed).choice(grid, size=n, replace=False)
    return [float(v) for v in picks]


class Tab:
    """One browser page on one app's tab, ready to move its slider."""

    def __init__(self, browser, url: str, spec: SliderSpec) -> None:
        self.spec = spec
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.add_init_script(JS_NET)
        self.page.goto(f"{url}?tab={spec.tab}", wait_until="load", timeout=600_000)
        self.page.wait_for_function(
            "t => document.body.innerText.includes(t)", arg=self.shows(spec.start), timeout=600_000
        )
        self.page.wait_for_timeout(2000)  # the first draw of every figure settles
        missing = self.page.evaluate(JS_INSTALL, [o.__dict__ for o in spec.outputs])
        if missing:
            raise RuntimeError(f"{spec.tab}: outputs not found in the page: {missing}")

    def shows(self, v: float) -> str:
        return self.spec.shows.format(v=v, step=int(round(v * 999)))

    def move(self, v: float, timeout_s: float = 60.0) -> dict:
        """Move to v; wait until shown and quiet; the latency of the last output and of each one (ms), and
        when the queue request left and its answer came back (ms after the input event)."""
        shows = self.shows(v)
        self.page.evaluate(JS_MOVE, [self.spec.slider, v])
        end = time.time() + timeout_s
        while time.time() < end:
            s = self.page.evaluate(JS_STATE, [shows])
            if s["shown"] and s["now"] - s["any"] > QUIET_MS:
                per = {k: t - s["t0"] for k, t in s["last"].items()}
                stale = [o.name for o in self.spec.outputs if o.name not in per]
                joins = [e["t"] - s["t0"] for e in s["net"] if e["kind"] == "join"]
                done = [e for e in s["net"] if e["kind"] == "process_completed"]
                return {
                    "value": v,
                    "ms": max(per.values()),
                    "per_output_ms": per,
                    "unchanged": stale,
                    "requests": len(joins),
                    "join_ms": joins[0] if joins else None,
                    "completed_ms": done[-1]["t"] - s["t0"] if done else None,
                    "completed_bytes": sum(e["bytes"] for e in done),
                    "long_tasks_ms": sum(e["ms"] for e in s["net"] if e["kind"] == "longtask"),
                }
            self.page.wait_for_timeout(50)
        raise TimeoutError(f"{self.spec.tab}: λ = {v:.2f} not shown within {timeout_s:.0f} s")


def summary(moves: list[dict], spec: SliderSpec) -> dict:
    ms = np.array([m["ms"] for m in moves])
    per = {o.name: float(np.median([m["per_output_ms"].get(o.name, np.nan) for m in moves])) for o in spec.outputs}
    med = lambda key: float(np.median([m[key] for m in moves if m.get(key) is not None] or [np.nan]))  # noqa: E731
    return {
        "median_ms": float(np.median(ms)),
        "p95_ms": float(np.percentile(ms, 95)),
        "min_ms": float(ms.min()),
        "max_ms": float(ms.max()),
        "n": len(ms),
        "per_output_median_ms": per,
        "moves_with_an_output_unchanged": sum(bool(m["unchanged"]) for m in moves),
        "breakdown_median_ms": {
            "input_to_join": med("join_ms"),
            "input_to_completed": med("completed_ms"),
            "main_thread_long_tasks": med("long_tasks_ms"),
        },
        "completed_message_bytes_median": med("completed_bytes"),
    }


def measure(apps: dict[str, str], n: int, specs: tuple[SliderSpec, ...] = TABS) -> dict[str, dict]:
    """apps: label -> URL. Moves alternate between the apps, so each is timed under the same load."""
    from playwright.sync_api import sync_playwright

    out: dict[str, dict] = {label: {} for label in apps}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for spec in specs:
                tabs = {label: Tab(browser, url, spec) for label, url in apps.items()}
                warm = round(spec.lo + spec.step * round(0.25 * (spec.hi - spec.lo) / spec.step), 6)
                for tab in tabs.values():
                    tab.move(warm)  # warm-up move (not timed)
                moves: dict[str, list[dict]] = {label: [] for label in apps}
                for v in values(spec, n):
                    for label, tab in tabs.items():
                        moves[label].append(tab.move(v))
                for label in apps:
                    out[label][spec.tab] = summary(moves[label], spec)
                    print(f"{spec.tab} ({label}): median {out[label][spec.tab]['median_ms']:.0f} ms", file=sys.stderr)
                    out[label][spec.tab]["moves"] = moves[label]
                for tab in tabs.values():
                    tab.page.close()
        finally:
            browser.close()
    return out


def _commit(root: Path) -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run(
    quick: bool = False, baseline: Path | None = None, baseline_label: str = "before", tabs: tuple[str, ...] = ()
) -> dict:
    """Time every tab's λ slider in this checkout (and in `baseline`, interleaved, when given); `tabs`: only
    these tab ids."""
    specs = tuple(s for s in TABS if not tabs or s.tab in tabs)
    if not specs:
        raise ValueError(f"no tab among {list(tabs)}; choose from {[s.tab for s in TABS]}")
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    n = 5 if quick else 20
    roots = {"after": ROOT, **({baseline_label: baseline} if baseline else {})}
    procs, urls = [], {}
    try:
        ports = {label: free_port() for label in roots}
        procs = [start_app(Path(root), ports[label]) for label, root in roots.items()]
        for proc, (label, port) in zip(procs, ports.items()):
            wait_app(proc, port)
            urls[label] = f"http://127.0.0.1:{port}/"
        load0 = os.getloadavg()[0]
        res = measure(urls, n, specs)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
    out = {
        "benchmark": "λ slider latency in headless chromium: input event -> last λ-dependent output changed",
        "tabs": res["after"],
        "commit": _commit(ROOT),
        "moves_per_tab": n,
        "quiet_ms": QUIET_MS,
        "target_median_ms": TARGET_MS,
        "cpu_count": os.cpu_count(),
        "load_avg_1min_start": load0,
        "load_avg_1min_end": os.getloadavg()[0],
        "niceness": os.nice(0),
        "machine": platform.machine(),
    }
    if baseline:
        out["baseline"] = {"label": baseline_label, "tabs": res[baseline_label]}
        out["speedup_median"] = {
            t: res[baseline_label][t]["median_ms"] / res["after"][t]["median_ms"] for t in res["after"]
        }
    return out


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out_dir", type=Path, help="folder for slider-latency.json (e.g. benchmarks)")
    p.add_argument("--baseline", type=Path, help="a checkout of an earlier commit to time alongside")
    p.add_argument("--baseline-label", default="before", help="its name in the JSON (e.g. the commit)")
    p.add_argument("--quick", action="store_true", help="5 moves per tab instead of 20")
    p.add_argument("--tabs", nargs="*", default=[], help="only these tab ids (default: every tab in TABS)")
    a = p.parse_args(argv)
    res = run(a.quick, a.baseline, a.baseline_label, tuple(a.tabs))
    (a.out_dir / "slider-latency.json").write_text(json.dumps(res, indent=1) + "\n")
    print(json.dumps({t: {k: v for k, v in s.items() if k != "moves"} for t, s in res["tabs"].items()}, indent=1))
    if "baseline" in res:
        print("baseline:", json.dumps({t: s["median_ms"] for t, s in res["baseline"]["tabs"].items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
