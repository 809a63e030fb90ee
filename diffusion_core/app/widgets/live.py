"""Outputs that follow a slider while it moves, drawn past gradio's event system (issue 12 item 12).

Measured in chromium on the 2-core box: every event gradio dispatches costs ~100-150 ms of main-thread work
however small its outputs (on each status change its front end refreshes the loading status of every
component that has ever been an output, one tree search each), and gradio's gr.Plot drew a new value with
Plotly.react plus Plotly.Plots.resize (~130 ms a figure, ~105 ms of it the resize). A direct POST of the same
function answers in ~10 ms. So a slider move runs no gradio event with a server function:

- `slider.input` runs page script only (`move_js`, calling LIVE_JS's library): gradio hands it the inputs' current values, it POSTs
  them to gradio's own `run/predict` route for the function registered under `api_name` (gradio's input
  processing and file checks apply as for any call), at most one request in flight per slider and only the
  latest values sent next, and draws the answer: images by their elem_id, and the channel's JSON
  (`live_payload`): figures Plotly.react'ed into the Plot with that elem_id (15-30 ms a figure) and texts
  rendered from Markdown on the server into the gr.Markdown with that elem_id.
- `slider.release` (pointer up, number box left) runs the same function through gradio, so the values gradio
  holds (an image's download button, a re-mounted component) end in step with what the page shows; the
  channel skips a payload it has already drawn, and errors or warnings of a typed value show there.

gradio does not document `run/predict` as a public route: pyproject.toml pins gradio to the minor version the
app is tested with, and test_live_route.py starts the app and POSTs to that route as the page script does.

The plots stay the app's Plot components (widgets/plot.py): they draw the first figure and every figure of the
other events (which the server computes at the current slider value, so they never go back to an old one).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import gradio as gr
import plotly.graph_objects as go
from markdown_it import MarkdownIt

from .plot import figure_json

# The page-side library (window.difflabLive), set up by the first channel that mounts; each channel then draws
# the payloads gradio gives it. draw: texts at once; figures keep what the app's Plot adds to a layout (autosize,
# the top margin it was drawn with) so a live figure sits where the Plot drew one. A figure waits (`plotted`)
# until plotly has drawn its plot: the Plot loads plotly.js (1.5 MB) when the first plot mounts, so a move made
# as a tab opens can answer before `window.Plotly` exists; the latest payload of a
# channel is drawn then, an older one is dropped. move: one POST in flight per function, the latest values next;
# an answer that is not OK is dropped (the release event reports it).
LIVE_JS = """
window.difflabLive ??= (() => {
  const drawn = {}, busy = {}, next = {}, waiting = {};
  function plotted(key, sel, fn, tries = 0) {
    if (tries === 0) waiting[key] = fn;
    if (waiting[key] !== fn) return;
    const gds = [...document.querySelectorAll(sel)].map(b => b.querySelector('.js-plotly-plot'));
    if (window.Plotly && gds.length && gds.every(gd => gd && gd.layout)) { delete waiting[key]; fn(window.Plotly, gds); }
    else if (tries < 1200) setTimeout(() => plotted(key, sel, fn, tries + 1), 100);
  }
  function draw(payload) {
    if (!payload) return;
    const p = JSON.parse(payload);
    if (drawn[p.channel] === payload) return;
    drawn[p.channel] = payload;
    for (const [id, html] of Object.entries(p.markdown || {})) {
      const md = document.querySelector(`#${id} .md`);
      if (md) md.innerHTML = html;
    }
    for (const [id, fig] of Object.entries(p.figures || {})) plotted(`${p.channel}#${id}`, `#${id}`, (P, [gd]) => {
      const lay = fig.layout || {};
      lay.autosize = true;
      lay.margin = {...(lay.margin || {}), t: (gd.layout.margin || {}).t, autoexpand: true};
      gd.drawnPlot = null;
      P.react(gd, fig.data || [], lay);
    });
  }
  function image(id, file) {
    const box = id && document.getElementById(id);
    const img = box && box.querySelector('img');
    if (!img || !file || !file.url) return;
    img.src = file.url;
    const a = box.querySelector('a.download-link');
    if (a) a.href = file.url;
  }
  async function post(api, values) {
    const cfg = window.gradio_config;
    const dep = cfg && cfg.dependencies.find(d => d.api_name === api);
    if (!dep) return;
    const r = await fetch(`${cfg.root}${cfg.api_prefix || '/gradio_api'}/run/predict`, {
      method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({data: values, fn_index: dep.id, session_hash: window.__gradio_session_hash__})});
    if (!r.ok) return;
    const out = (await r.json()).data || [];
    dep.outputs.forEach((id, i) => {
      const c = cfg.components.find(c => c.id === id);
      if (!c) return;
      if (c.type === 'image') image(c.props.elem_id, out[i]);
      else if (c.type === 'html' && typeof out[i] === 'string') draw(out[i]);
    });
  }
  async function move(api, values) {
    next[api] = values;
    if (busy[api]) return;
    busy[api] = true;
    try {
      while (next[api]) { const v = next[api]; next[api] = null; await post(api, v); }
    } catch (e) { console.warn('live move', api, e); } finally { busy[api] = false; }
  }
  return {draw, move, plotted};
})();
watch('value', () => window.difflabLive.draw(props.value));
"""

# The channel draws nothing itself; hidden so that its empty block leaves no gap in the column (page CSS, given
# to launch() in layout.serve; the script runs all the same), as is the page's key script (widgets/keys.py).
LIVE_CSS = ".live-channel { display: none !important; }\n.page-script { display: none !important; }"

_MD = MarkdownIt("commonmark", {"html": False})


def live_box() -> gr.HTML:
    """The channel a slider's live figures and texts travel in: an empty gr.HTML whose script draws them."""
    return gr.HTML(
        "",
        html_template="",
        js_on_load=LIVE_JS,
        apply_default_css=False,
        container=False,
        padding=False,
        elem_classes="live-channel",
    )


def live_payload(
    channel: str, figures: Mapping[str, go.Figure] | None = None, markdown: Mapping[str, str] | None = None
) -> str:
    """One JSON string: {channel, figures: {elem_id: figure}, markdown: {elem_id: HTML}} (figures as the app's Plot
    sends them, plot.figure_json; Markdown rendered as CommonMark with raw HTML escaped)."""
    figs = ",".join(f"{json.dumps(k)}:{figure_json(f)}" for k, f in (figures or {}).items())
    texts = json.dumps({k: _MD.render(v) for k, v in (markdown or {}).items()}, ensure_ascii=False)
    return f'{{"channel":{json.dumps(channel)},"figures":{{{figs}}},"markdown":{texts}}}'


def move_js(api_name: str, before: str = "") -> str:
    """The js of a slider's `input`: `before` (a function of the inputs returning them) first, then the POST."""
    first = before or "(...v) => v"
    return (
        f"(...values) => {{ const v = ({first})(...values); "
        f"window.difflabLive && window.difflabLive.move({json.dumps(api_name)}, v); }}"
    )


def wire_live(
    slider: gr.Slider,
    fn: Callable[..., Any],
    *,
    inputs_kwargs: dict[str, Any],
    outputs: list,
    api_name: str,
    js: str = "",
) -> None:
    """`slider.input`: page script only (`js`, then `move_js` posts to `fn` and draws its answer);
    `slider.release`: `fn` through gradio, so gradio's stored values end where the page is. `fn`'s outputs are
    images (drawn by elem_id) and texts, plus one live channel whose payload carries the figures and texts."""
    slider.release(
        fn,
        inputs_kwargs=inputs_kwargs,
        outputs=outputs,
        api_name=api_name,
        api_visibility="private",
        trigger_mode="always_last",
        show_progress="hidden",
    )  # queued: a warning (a typed value clamped to the range) reaches the page only through the queue
    slider.input(
        None,
        inputs=list(inputs_kwargs.values()),
        outputs=None,
        js=move_js(api_name, js),
        api_visibility="private",
        queue=False,
        show_progress="hidden",
    )
