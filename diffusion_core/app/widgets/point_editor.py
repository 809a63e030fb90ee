"""A drag editor for the `custom` schedule's control points: an SVG in a gr.HTML (gradio 6 custom HTML).

The page draws what handlers.schedule_custom.editor_view returns (points, the core's curve, axes) and only
moves points: interior points keep their t between their neighbours, the ends t = 0 and t = 1 move in λ
only, λ stays inside the drawn range. On release it triggers `release` with the [t, λ] pairs; the server
writes the text box and recomputes the tab through the same view (and the same messages) as typing.
"""

from __future__ import annotations

import gradio as gr

TEMPLATE = """<div class="pe">
<svg class="pe-svg" viewBox="0 0 360 240" role="img" aria-label="custom schedule control points"></svg>
<div class="pe-read"><b>custom</b> schedule: drag a point, λ up or down, t left or right between its neighbours (t = 0 and 1 stay).
Type in the box above to add or remove points.</div></div>"""

CSS = """
.pe-svg { width: 100%; height: auto; display: block; touch-action: none; user-select: none; }
.pe-frame { fill: none; stroke: #888; }
.pe-grid { stroke: #e5e5e5; }
.pe-tick { font-size: 12px; fill: var(--body-text-color, #333); }
.pe-curve { fill: none; stroke: #1f77b4; stroke-width: 2; }
.pe-poly { fill: none; stroke: #999; stroke-dasharray: 3 3; }
.pe-pt { fill: #d62728; stroke: white; stroke-width: 1.5; cursor: grab; }
.pe-pt.pe-active { fill: #ff7f0e; cursor: grabbing; }
.pe-read { font-size: 12px; color: var(--body-text-color-subdued, #666); margin-top: 2px; }
"""

JS = """
const W = 360, H = 240, L = 44, R = 10, T = 8, B = 40, NS = 'http://www.w3.org/2000/svg';
const svg = element.querySelector('.pe-svg'), read = element.querySelector('.pe-read');
let fig = null, pts = [], drag = -1;
const caption = read.innerHTML;
const X = t => L + t * (W - L - R);
const Y = lam => T + (fig.lam_range[1] - lam) / (fig.lam_range[1] - fig.lam_range[0]) * (H - T - B);
const fromX = x => (x - L) / (W - L - R);
const fromY = y => fig.lam_range[1] - (y - T) / (H - T - B) * (fig.lam_range[1] - fig.lam_range[0]);
const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);
function node(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}
const line = ps => ps.map(p => X(p[0]).toFixed(1) + ',' + Y(p[1]).toFixed(1)).join(' ');
function draw() {
  fig = props.value;
  if (!fig || !fig.points) return;
  pts = fig.points.map(p => p.slice());
  drag = -1;
  read.innerHTML = caption;
  svg.replaceChildren();
  for (const v of fig.lam_ticks) {
    svg.appendChild(node('line', {x1: L, x2: W - R, y1: Y(v), y2: Y(v), class: 'pe-grid'}));
    svg.appendChild(node('text', {x: L - 4, y: Y(v) + 4, 'text-anchor': 'end', class: 'pe-tick'}, String(v)));
  }
  for (const v of fig.t_ticks) {
    svg.appendChild(node('line', {x1: X(v), x2: X(v), y1: T, y2: H - B, class: 'pe-grid'}));
    svg.appendChild(node('text', {x: X(v), y: H - B + 15, 'text-anchor': 'middle', class: 'pe-tick'}, String(v)));
  }
  svg.appendChild(node('rect', {x: L, y: T, width: W - L - R, height: H - T - B, class: 'pe-frame'}));
  svg.appendChild(node('text', {x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle', class: 'pe-tick'}, fig.t_label));
  svg.appendChild(node('text', {x: 12, y: (T + H - B) / 2, 'text-anchor': 'middle', class: 'pe-tick',
                                transform: `rotate(-90 12 ${(T + H - B) / 2})`}, fig.lam_label));
  svg.appendChild(node('polyline', {points: line(fig.curve), class: 'pe-curve'}));
  svg.appendChild(node('polyline', {points: line(pts), class: 'pe-poly'}));
  pts.forEach((p, i) => svg.appendChild(node('circle', {cx: X(p[0]), cy: Y(p[1]), r: 7, class: 'pe-pt',
                                                        'data-i': i, 'data-t': p[0], 'data-lam': p[1]})));
}
function at(ev) {
  const r = svg.getBoundingClientRect();
  return [(ev.clientX - r.left) * W / r.width, (ev.clientY - r.top) * H / r.height];
}
svg.addEventListener('pointerdown', ev => {
  const c = ev.target.closest ? ev.target.closest('.pe-pt') : null;
  if (!c || !fig) return;
  drag = Number(c.dataset.i);
  c.classList.add('pe-active');
  svg.setPointerCapture(ev.pointerId);
  ev.preventDefault();
});
svg.addEventListener('pointermove', ev => {
  if (drag < 0) return;
  const [x, y] = at(ev), n = pts.length;
  let t = pts[drag][0];
  if (drag > 0 && drag < n - 1) t = clamp(fromX(x), pts[drag - 1][0] + 0.002, pts[drag + 1][0] - 0.002);
  pts[drag] = [t, clamp(fromY(y), fig.lam_range[0], fig.lam_range[1])];
  const c = svg.querySelector(`.pe-pt[data-i="${drag}"]`);
  c.setAttribute('cx', X(t)); c.setAttribute('cy', Y(pts[drag][1]));
  svg.querySelector('.pe-poly').setAttribute('points', line(pts));
  read.textContent = `t = ${t.toFixed(3)}, λ = ${pts[drag][1].toFixed(2)} (release to apply)`;
});
function release(ev) {
  if (drag < 0) return;
  drag = -1;
  trigger('release', {points: pts});
}
svg.addEventListener('pointerup', release);
svg.addEventListener('pointercancel', release);
watch('value', draw);
draw();
"""


def point_editor(value: dict) -> gr.HTML:
    """The editor, showing `value` (an editor_view figure); its `release` event carries {points: [[t, λ]]}."""
    return gr.HTML(
        value,
        html_template=TEMPLATE,
        css_template=CSS,
        js_on_load=JS,
        apply_default_css=False,
        elem_id="custom-point-editor",
        label="custom schedule: drag the control points",
    )
