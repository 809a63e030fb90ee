"""Legends never cover axis titles or tick labels (issue 12 item 9), also at a 1024-px projector width
where a two-column tab gives each plot ~400 px and a legend wraps into several rows.

Before: legends sat at a paper fraction under the plot (y = -0.3 / -0.25), so their distance to the plot
depended on the plot's height and on how many rows the legend wrapped into, and on short plots they sat on
the x-axis title. Now they are anchored to the figure's bottom edge in container coordinates, where plotly
reserves the rows they need below the axis title."""

import json
import shutil

import numpy as np
import pytest

from diffusion_core.app.widgets.plot import PLOTLY_JS
from diffusion_core.plotting import increments as inc
from diffusion_core.plotting import samplers as sm
from diffusion_core.plotting import scale_space as ss

F = np.geomspace(0.004, 0.5, 60)
U = np.linspace(0.0, 1.0, 101)
T = U[::10]


def figures() -> dict:
    """One figure per kind the issue names (scale space, increments, samplers), from synthetic results."""
    laws = {name: (T, np.exp(-T), T) for name in ("gaussian", "laplace", "uniform", "student-t")}
    rows = [
        {"sampler": s, "nfe": n, "value": (k + 1) / n}
        for k, s in enumerate(("euler", "heun", "dpmpp_2m"))
        for n in (4, 8, 16, 32, 64)
    ]
    return {
        "scale-space spectrum": ss.spectrum_widget_figure(
            F, F**-2.0, F[:30], F[:30] ** -2.0, F[:30] ** -2.0 + 3, 3.0, 0.25, 0.1, "spectrum at t = 0.50"
        ),
        "scale-space information": ss.info_figure(U, U, U**2, 1 - U, [0.3, 0.6], "information"),
        "scale-space occupancy": ss.occupancy_figure([64, 32, 16], [400, 300, 300], [1.0, 0.25, 0.06], "occupancy"),
        "scale-space switch step": ss.transition_figure(np.geomspace(1, 1e-3, 64), 0.1, 0.5, "switch step"),
        "increments moments": inc.moments_figure(laws, T, np.exp(-T), T, U, np.exp(-U), U, 50),
        "samplers quality": sm.quality_vs_nfe_figure(rows, "cov_rel_fro", {}, "quality vs NFE"),
    }


@pytest.mark.parametrize("name", list(figures()))
def test_legend_is_anchored_below_everything(name):
    fig = figures()[name]
    leg = fig.layout.legend
    assert (leg.orientation, leg.xref, leg.yref, leg.yanchor) == ("h", "container", "container", "bottom")
    assert 0.0 <= leg.y <= 0.02  # the figure's bottom edge, not a fraction under the plot
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert axis.automargin is True  # tick labels and titles push the margin, not the legend
        if axis.type == "log":
            assert axis.minorloglabels == "none"  # no bare digits (2, 5) at minor ticks


# Bounding boxes of the legend's entries against every axis title and tick label, drawn by plotly.js.
JS_OVERLAPS = """() => {
  const box = e => e.getBoundingClientRect();
  const area = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left))
                       * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
  const out = {};
  for (const d of document.querySelectorAll('div.fig')) {
    const items = [...d.querySelectorAll('g.legend g.traces')].map(box);
    const labels = [...d.querySelectorAll('[class*="title"] text, .xtick text, .x2tick text')]
      .filter(e => !e.closest('g.legend') && !e.closest('.gtitle')).map(box);
    const fig = box(d);
    out[d.id] = {entries: items.length,
                 overlap_px2: items.reduce((s, a) => s + labels.reduce((t, b) => t + area(a, b), 0), 0),
                 outside: items.some(a => a.bottom > fig.bottom + 1 || a.right > fig.right + 1)};
  }
  return out;
}"""


@pytest.mark.browser
def test_no_legend_entry_touches_an_axis_label_at_projector_widths(tmp_path):
    if not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (make test installs it with apt)")
    from playwright.sync_api import sync_playwright

    plotly_js = PLOTLY_JS  # the bundle the app's Plot draws with
    divs, calls = [], []
    for k, fig in enumerate(figures().values()):
        for width in (400, 480, 700):  # 1024-px screen: two columns ~480, narrow panels ~400
            spec = json.loads(fig.to_json())
            lay = {**spec["layout"], "autosize": True}
            lay["margin"] = {**lay.get("margin", {}), "autoexpand": True}  # as the app's Plot draws (widgets/plot.py)
            divs.append(f'<div class="fig" id="f{k}-{width}" style="width:{width}px"></div>')
            calls.append(f"Plotly.newPlot('f{k}-{width}', {json.dumps(spec['data'])}, {json.dumps(lay)});")
    page_file = tmp_path / "legends.html"
    page_file.write_text(
        f"<html><body>{''.join(divs)}<script src='{plotly_js.as_uri()}'></script>"
        f"<script>{''.join(calls)}</script></body></html>"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1024, "height": 800})
        page.goto(page_file.as_uri(), wait_until="load", timeout=300_000)
        page.wait_for_function("document.querySelectorAll('div.fig g.legend').length >= 18", timeout=300_000)
        res = page.evaluate(JS_OVERLAPS)
        browser.close()
    assert len(res) == 18
    for name, r in res.items():
        assert r["entries"] >= 2, (name, r)
        assert r["overlap_px2"] == 0 and not r["outside"], (name, r)
