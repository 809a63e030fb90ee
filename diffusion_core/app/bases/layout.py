"""Bases & component schedules tab (GUD): basis, prior, component-wise schedule, forward and reverse
processes. Same shape as the Spectrum tab: controls left, explanation + live figures right, stable
api_names `component_schedule` and `basis_forward` (plus `basis_reverse`), exports, presets, links."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from ...bases import BASIS_NAMES
from ...gud.extension import TEXTURES
from ...gud.orderings import KINDS, ORDERINGS
from ...plotting.bases import T_MARKER
from ...presets import load_preset
from ...validation import InputError
from ..widgets import Slider, ViewIO, export_controls, from_the_page, guard, reporter
from ..widgets.concurrency import SAMPLING
from ..widgets.live import live_box, live_payload, wire_live
from ..widgets.plot import Plot
from . import handlers
from . import networks_layout as gud_networks
from . import view as V

D = V.BasesView()
STEP_CHOICES = (
    ("fast: 2 × slope, ≥ 50", 0),
    ("accurate: 8 × slope, ≥ 200", -1),
    ("100", 100),
    ("200", 200),
    ("500", 500),
    ("1000", 1000),
    ("2000", 2000),
)
WAVELETS = ("haar", "db2", "db3", "db4", "sym4", "coif1")
PRESETS = ("standard", "variance_matched", "column_sequential", "wavelet_column", "autoregressive_columns")


class BasesIO(ViewIO):
    """The tab's ViewIO whose restored values (preset, link, bundled preset) also set the schedule and
    ordering choices to the ones the view's basis supports, so a restored valid view is never outside them."""

    def values(self, view):
        out = super().values(view)
        k, o = self.fields.index("kind"), self.fields.index("ordering")
        out[k] = gr.update(choices=list(V.kind_choices(view.basis)), value=view.kind)
        out[o] = gr.update(choices=list(V.ordering_choices(view.basis, view.kind)), value=view.ordering)
        return out


IO = BasesIO("bases", V.BasesView, V.make_view)


def component_schedule(t=0.5, i=-1, j=-1, uploads=None, **settings):
    """api_name `component_schedule`: schedule figures and the live readouts."""
    r = handlers.component_schedule(IO.view(**settings), float(t), i, j, uploads)
    return r.gamma, r.snr, r.sigma, r.windows, r.plane, r.explanation


EXPLANATION = "bases-explanation"  # elem_id: a readout-time move rewrites it live (widgets/live.py)


def readout_at_t(t=0.5, uploads=None, **settings):
    """The readout time moved (api_name `bases_readout`): the explanation for gradio, and again as the live payload
    the page draws while the slider moves (the page moves the figures' t markers itself, MOVE_T_MARKERS)."""
    text = handlers.schedule_readout(IO.view(**settings), float(t), uploads)
    return text, live_payload("bases", markdown={EXPLANATION: text})


# A readout-time move changes nothing in the γ, log-SNR, σ² and window figures but their dashed t marker: the
# page moves that shape itself instead of receiving four figures of 48 curves (~440 kB, 1.4 s of gradio and
# plotly work per move on the loaded 2-core box). It rewrites the shape's SVG path at the axis's own pixel
# position (xaxis l2p, what plotly draws) and the shape's x0/x1 in the figure's layout, so a later redraw keeps
# it: ~1 ms a figure, where Plotly.relayout of one shape re-supplies the defaults of all 49 traces (40-110 ms a
# figure, measured in chromium). Plotly.relayout stays the fallback when the path is not drawn yet.
# Runs first in a readout-time move's js (widgets/live.py): takes the inputs, t first, returns them unchanged; a
# move made before plotly has drawn the four figures marks them once drawn (`plotted`), at the latest move's t.
MOVE_T_MARKERS = """(...inputs) => {
  const t = inputs[0], live = window.difflabLive;
  if (live) live.plotted('t-marked', '.t-marked', (P, gds) => { for (const gd of gds) {
    gd.drawnPlot = null;
    const shapes = (gd.layout && gd.layout.shapes) || [];
    const i = shapes.findIndex(s => s.name === '__T_MARKER__');
    if (i < 0) continue;
    const fl = gd._fullLayout, xa = fl && fl.xaxis;
    const path = gd.querySelector(`.shapelayer path[data-index="${i}"]`);
    const d = path && path.getAttribute('d');
    const m = d && d.match(/^M[^,]+,([^L]+)L[^,]+,(.+)$/);
    if (!m || !xa || !xa.l2p || !fl.shapes || !fl.shapes[i]) {
      P.relayout(gd, {[`shapes[${i}].x0`]: t, [`shapes[${i}].x1`]: t});
      continue;
    }
    const px = (xa._offset + xa.l2p(xa.d2l(t))).toFixed(1);
    path.setAttribute('d', `M${px},${m[1]}L${px},${m[2]}`);
    shapes[i].x0 = shapes[i].x1 = fl.shapes[i].x0 = fl.shapes[i].x1 = t;
  } });
  return inputs;
}""".replace("__T_MARKER__", T_MARKER)


def basis_forward(uploads=None, progress=gr.Progress(), **settings):
    """api_name `basis_forward`: basis images, variances, forward frames (scrub with the slider)."""
    try:
        view = IO.view(**settings)
        progress(0, desc="forward process")
        r = handlers.basis_forward(view, uploads, reporter(progress))
    except InputError:
        if from_the_page():
            return gr.skip()  # component_schedule runs on the same triggers with the same settings and says it once
        raise
    slider = gr.update(minimum=0, maximum=len(r.frames) - 1, value=0)
    return (
        r.frames,
        r.captions,
        r.frames[0],
        r.captions[0],
        slider,
        r.atoms,
        r.variance,
        handlers.prior_strip(view, uploads=uploads),
    )


def basis_reverse(uploads=None, progress=gr.Progress(), **settings):
    """api_name `basis_reverse`: the reverse process, with progress after every step."""
    progress(0, desc="reverse process with the exact denoiser")
    r = handlers.basis_reverse(IO.view(**settings), uploads, reporter(progress))
    slider = gr.update(minimum=0, maximum=len(r.frames) - 1, value=0)
    return r.frames, r.captions, r.frames[0], r.captions[0], slider, r.samples


def schedule_csv(uploads=None, **settings):
    return [handlers.schedule_csv(IO.view(**settings), uploads)]


def four_schedules(image, size, gray, progress=gr.Progress()):
    if str(image).startswith("digit:"):
        image, size, gray = "chelsea", 32, False  # the Fig. 4 presets need a photo-sized image
    progress(0, desc="four schedules")
    img, caption = handlers.four_schedules(str(image), int(size), bool(gray), progress=reporter(progress))
    return handlers.upscale(img, 640), caption


def pick(frames, captions, k):
    if not frames:
        return None, ""
    k = min(max(int(k), 0), len(frames) - 1)
    return frames[k], captions[k]


def export_anim(frames, fmt):
    return [handlers.export_animation(frames or [], fmt)]


def load_bundled(name):
    """A bundled preset: every setting it names, and the SNR plane's components back to first / last generated."""
    return [*IO.values(load_preset(f"bases/{name}.toml", V.BasesView)), -1, -1]


def restrict(basis, kind, ordering):
    """The schedule and ordering choices the basis supports; a choice that no longer applies moves to a valid one."""
    kind, ordering = V.agree(basis, kind, ordering)
    return (
        gr.update(choices=list(V.kind_choices(basis)), value=kind),
        gr.update(choices=list(V.ordering_choices(basis, kind)), value=ordering),
    )


INTRO = (
    "**What this shows.** Diffusion can run in any orthonormal basis, end in any Gaussian prior, and give "
    "each component its own noise schedule γ_i(t) (GUD, Gerdes et al. 2024). One slope a moves generation "
    "from simultaneous (a = 0), through standard coarse-to-fine diffusion (a = 1, variance ordering), to "
    "autoregressive (windows disjoint). Time runs t = 0 (data) → t = 1 (noise)."
)


def _controls() -> SimpleNamespace:
    """Left column: view settings, readout controls, reverse process, exports and presets."""
    c = SimpleNamespace()
    with gr.Row():
        c.bundled = gr.Dropdown(list(PRESETS), value="standard", label="Preset (GUD Fig. 4 rows, autoregressive)")
        c.load_btn = gr.Button("Load preset", size="sm")
    c.image = gr.Dropdown(
        list(V.IMAGES), value=D.image, allow_custom_value=True, label="Image: digit:N (8x8 digits), photo, field:BETA"
    )
    c.uploads = gr.File(
        label="Or a data set: upload images (their patches set the variances, PCA and denoisers)",
        file_count="multiple",
        type="filepath",
        file_types=[".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".npy"],
    )
    with gr.Row():
        c.size = gr.Dropdown(list(V.SIZES), value=D.size, label="Size")
        c.gray = gr.Checkbox(value=D.gray, label="Gray")
    c.basis = gr.Radio(list(BASIS_NAMES), value=D.basis, label="Basis")
    with gr.Row():
        c.wavelet = gr.Dropdown(list(WAVELETS), value=D.wavelet, label="Wavelet")
        c.levels = Slider(1, 5, value=D.levels, step=1, label="Levels")
    c.r = Slider(0.0, 1.0, value=D.r, step=0.05, label="Prior exponent r (0 white, 1 data-matched)")
    # Every choice (API callers are checked against these); the page narrows them to the basis's own (restrict).
    c.kind = gr.Radio(list(KINDS), value=D.kind, label="Schedule")
    c.ordering = gr.Dropdown(list(ORDERINGS), value=D.ordering, label="Ordering (labels l_i)")
    c.custom_labels = gr.Textbox(
        value=D.custom_labels,
        label="Custom labels (ordering custom): l_0, l_1, ... one per component or per pixel position",
        lines=1,
    )
    c.a = Slider(0.0, 30.0, value=D.a, step=0.1, label="a (inverse softness)")
    c.softness = Slider(0.5, 10.0, value=D.softness, step=0.05, label="Sequential softness b")
    c.column_weight = Slider(0.0, 1.0, value=D.column_weight, step=0.05, label="Level-column: column weight")
    with gr.Row():
        c.gamma_denoise = Slider(-15.0, 0.0, value=D.gamma_denoise, step=0.5, label="γ̃_denoise")
        c.gamma_noise = Slider(-5.0, 15.0, value=D.gamma_noise, step=0.5, label="γ̃_noise")
    c.clip = gr.Checkbox(value=D.clip, label="Clip γ to the band (β = 0 outside: frozen components)")
    c.t = Slider(0.0, 1.0, value=0.5, step=0.01, label="Readout time t (0 = data, 1 = noise)")
    with gr.Row():
        c.ci = gr.Number(value=-1, label="SNR plane: component i (-1: first generated)")
        c.cj = gr.Number(value=-1, label="component j (-1: last generated)")
    _process_controls(c)
    return c


def _process_controls(c: SimpleNamespace) -> None:
    """Reverse-process settings, exports and presets."""
    with gr.Accordion("Reverse process", open=True):
        c.denoiser = gr.Radio(["gaussian", "empirical"], value=D.denoiser, label="Exact denoiser")
        c.method = gr.Radio(["sde", "ode"], value=D.method, label="Sampler (Euler-Maruyama / probability flow)")
        with gr.Row():
            c.steps = gr.Dropdown(
                list(STEP_CHOICES),
                value=D.steps,
                allow_custom_value=True,
                label="Steps (fast: a few seconds; accurate: 4x more; or a number)",
            )
            c.frames = Slider(3, 33, value=D.frames, step=1, label="Frames")
            c.seed = gr.Number(value=D.seed, label="Seed")
        c.rev_btn = gr.Button("Run reverse process", variant="primary")
    with gr.Accordion("Export and presets", open=False):
        c.csv_btn = gr.Button("Export schedule table as CSV")
        with gr.Row():
            c.gif_f, c.mp4_f = gr.Button("Forward GIF"), gr.Button("Forward MP4")
            c.gif_r, c.mp4_r = gr.Button("Reverse GIF"), gr.Button("Reverse MP4")
        c.preset_btn = gr.Button("Save view as preset + link")
        c.out_file, c.link, c.preset_in = export_controls()


def _frame_panel(title: str) -> tuple:
    img = gr.Image(label=f"{title}: data space | component magnitudes (log)", height=300, format="png")
    cap = gr.Markdown()
    k = Slider(0, D.frames - 1, value=0, step=1, label=f"{title} frame (scrub)")
    return img, cap, k


def _outputs() -> SimpleNamespace:
    """Right column: explanation, process frames, schedule figures, Fig. 4 and extension panels."""
    o = SimpleNamespace()
    o.explanation = gr.Markdown(elem_id=EXPLANATION)
    o.live = live_box()
    with gr.Row():
        with gr.Column():
            o.fwd_img, o.fwd_cap, o.fwd_k = _frame_panel("Forward")
        with gr.Column():
            o.rev_img, o.rev_cap, o.rev_k = _frame_panel("Reverse")
    o.samples = gr.Image(label="Reverse samples (8 seeds of the exact denoiser)", height=110, format="png")
    marked = dict(elem_classes=["t-marked"])  # their t marker follows the slider in the page
    with gr.Row():
        o.g_plot, o.snr_plot = Plot(label="γ_i(t)", **marked), Plot(label="true log-SNR_i(t)", **marked)
    with gr.Row():
        o.s_plot, o.w_plot = Plot(label="σ_i²(t)", **marked), Plot(label="Active windows", **marked)
    with gr.Row():
        o.plane, o.var_plot = Plot(label="SNR plane"), Plot(label="Variance spectrum")
    o.atoms = Plot(label="Basis images")
    with gr.Accordion("Four schedules on one image (GUD Fig. 4)", open=False):
        o.fig4_btn = gr.Button("Compare standard / variance-matched / column-sequential / wavelet + column")
        o.fig4 = gr.Image(label="Rows: the four presets; columns: t = 0 → 1", height=420, format="png")
        o.fig4_cap = gr.Markdown()
    with gr.Accordion("Image extension with a column-wise schedule", open=False):
        with gr.Row():
            o.ext_tex = gr.Dropdown(list(TEXTURES), value="field:2.0", label="Texture model (Gaussian field fit)")
            o.ext_size = gr.Dropdown([8, 16, 24, 32], value=16, label="Window")
            o.ext_shift = Slider(1, 12, value=4, step=1, label="New columns per step")
            o.ext_reps = Slider(1, 20, value=6, step=1, label="Steps")
            o.ext_soft = Slider(1.05, 5.0, value=1.25, step=0.05, label="Column softness b")
        o.ext_btn = gr.Button("Extend to the right")
        o.ext_img = gr.Image(label="Extended image (first window on the left)", height=220, format="png")
        o.ext_cap = gr.Markdown()
    o.prior = gr.Image(label="Prior samples N(mean, Uᵀ S² U)", height=110, format="png")
    o.states = [gr.State([]) for _ in range(4)]  # forward frames, captions; reverse ditto
    return o


def _wire(demo: gr.Blocks, c: SimpleNamespace, o: SimpleNamespace) -> None:
    settings = [getattr(c, f) for f in IO.fields]
    fwd_state, fwd_caps, rev_state, rev_caps = o.states
    named = IO.named(settings, before={"uploads": c.uploads})
    sched = dict(
        fn=guard(component_schedule),
        inputs_kwargs=IO.named(settings, before={"t": c.t, "i": c.ci, "j": c.cj, "uploads": c.uploads}),
        outputs=[o.g_plot, o.snr_plot, o.s_plot, o.w_plot, o.plane, o.explanation],
        trigger_mode="always_last",
        show_progress="hidden",
    )
    fwd = dict(
        fn=guard(basis_forward),
        inputs_kwargs=named,
        trigger_mode="always_last",
        show_progress="minimal",
        outputs=[fwd_state, fwd_caps, o.fwd_img, o.fwd_cap, o.fwd_k, o.atoms, o.var_plot, o.prior],
    )
    data_triggers = [
        c.image.change,
        c.size.change,
        c.gray.change,
        c.wavelet.change,
        c.levels.release,
        c.r.release,
        c.ordering.change,
        c.a.release,
        c.softness.release,
        c.column_weight.release,
        c.gamma_denoise.release,
        c.gamma_noise.release,
        c.clip.change,
        c.frames.release,
        c.seed.submit,
        c.custom_labels.submit,
        c.uploads.change,
    ]
    gr.on(triggers=[*data_triggers, c.ci.submit, c.cj.submit, c.a.input], api_name="component_schedule", **sched)
    # A move: the page moves the markers (~1 ms a figure), then posts the readout itself and writes its answer;
    # the release runs the readout through gradio (widgets/live.py).
    wire_live(
        c.t,
        guard(readout_at_t),
        inputs_kwargs=IO.named(settings, before={"t": c.t, "uploads": c.uploads}),
        outputs=[o.explanation, o.live],
        api_name="bases_readout",
        js=MOVE_T_MARKERS,
    )
    gr.on(triggers=data_triggers, api_name="basis_forward", **fwd)
    # A basis or schedule change first restricts the other choices to valid ones, then recomputes once.
    gr.on(
        triggers=[c.basis.input, c.kind.input],
        fn=restrict,
        inputs=[c.basis, c.kind, c.ordering],
        outputs=[c.kind, c.ordering],
        api_visibility="private",
        show_progress="hidden",
        trigger_mode="always_last",
    ).then(api_visibility="private", **sched).then(api_visibility="private", **fwd)
    c.rev_btn.click(
        guard(basis_reverse),
        inputs_kwargs=named,
        outputs=[rev_state, rev_caps, o.rev_img, o.rev_cap, o.rev_k, o.samples],
        api_name="basis_reverse",
        concurrency_id=SAMPLING,
        show_progress="full",
    )
    for k, frames, caps, img, cap in (
        (o.fwd_k, fwd_state, fwd_caps, o.fwd_img, o.fwd_cap),
        (o.rev_k, rev_state, rev_caps, o.rev_img, o.rev_cap),
    ):
        k.input(guard(pick), [frames, caps, k], [img, cap], show_progress="hidden", api_visibility="private")
    c.csv_btn.click(guard(schedule_csv), inputs_kwargs=named, outputs=c.out_file, api_name="component_schedule_csv")
    for btn, state, fmt in (
        (c.gif_f, fwd_state, "gif"),
        (c.mp4_f, fwd_state, "mp4"),
        (c.gif_r, rev_state, "gif"),
        (c.mp4_r, rev_state, "mp4"),
    ):
        btn.click(guard(export_anim), [state, gr.State(fmt)], c.out_file, api_visibility="private")
    o.fig4_btn.click(guard(four_schedules), [c.image, c.size, c.gray], [o.fig4, o.fig4_cap], api_name="four_schedules")
    o.ext_btn.click(
        guard(handlers.image_extension),
        [o.ext_tex, o.ext_size, o.ext_shift, o.ext_reps, o.ext_soft, c.seed],
        [o.ext_img, o.ext_cap],
        api_name="image_extension",
        concurrency_id=SAMPLING,
        show_progress="full",
    )
    c.preset_btn.click(
        guard(IO.save_event()), inputs_kwargs=IO.named(settings), outputs=[c.out_file, c.link], api_name="bases_preset"
    )
    c.load_btn.click(
        guard(load_bundled), c.bundled, [*settings, c.ci, c.cj], api_visibility="private", show_progress="hidden"
    ).then(api_visibility="private", **sched).then(api_visibility="private", **fwd)
    demo.load(restrict, [c.basis, c.kind, c.ordering], [c.kind, c.ordering], api_visibility="private")
    IO.wire_restore(demo, c.preset_in, settings, sched, fwd)


def build(demo: gr.Blocks) -> None:
    gr.Markdown(INTRO)
    with gr.Row():
        with gr.Column(scale=1, min_width=320):
            c = _controls()
        with gr.Column(scale=3):
            o = _outputs()
    _wire(demo, c, o)
    gud_networks.build()
