"""Projector (800 px) and laptop (1280 px) layouts (issue 26): every tab button is visible (none hides behind a
"⋯" menu), every drawn figure has a non-empty plot area, no table cell wraps inside a word or a number ("ste p",
"1.6777e / +07", "NF E") or overflows its cell, and no dropdown cuts its value."""

from __future__ import annotations

import pytest
from support.browser import chromium, settle

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TABS = [
    "Spectrum",
    "Schedules & bounds",
    "Increments",
    "Bases & component schedules",
    "Scale space",
    "Samplers",
    "Workshop",
]
# The plot area (axes rectangle) of every visible figure, both sides: the Spectrum's 2-D spectrum had collapsed
# to ~60 px at 800 px and the kurtosis figure's axes to 81 px under its legend; a strip of basis images is 110.
MIN_PLOT_PX = 100

# Each visible figure's plot area (plotly's drag rectangle spans the axes) by its block label, and how far its
# drawing runs past the bottom of its block (a figure whose box collapsed to its label, drawn over the next block:
# the app's Plot at 800 px, before its box was given the figure's height).
JS_PLOTS = """() => [...document.querySelectorAll('.js-plotly-plot')].filter(gd => gd.offsetParent !== null)
  .map(gd => { const r = gd.querySelector('.nsewdrag'); const b = r && r.getBoundingClientRect();
    const blk = gd.closest('.block'); const lab = blk && blk.querySelector('[data-testid=block-label]');
    const svg = gd.querySelector('.main-svg'), past = svg && blk ?
      svg.getBoundingClientRect().bottom - blk.getBoundingClientRect().bottom : 0;
    return {label: lab ? lab.innerText.trim() : '?', w: b ? b.width : 0, h: b ? b.height : 0, past}; })"""

# Words (runs without spaces) of visible table cells that the browser broke across lines, and cells whose
# content is wider than the cell.
JS_CELLS = """() => {
  const out = {broken: [], overflow: []};
  for (const c of document.querySelectorAll('table td, table th')) {
    if (c.offsetParent === null) continue;
    if (c.scrollWidth > c.clientWidth + 1) out.overflow.push(c.innerText.trim());
    const walker = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const re = /\\S+/g; let m;
      while ((m = re.exec(n.data))) {
        const r = document.createRange(); r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
        const lines = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
        if (lines.size > 1) out.broken.push(m[0]);
      }
    }
  }
  return out;
}"""

JS_DROPDOWNS = """() => [...document.querySelectorAll('input[role=listbox], .wrap-inner input')]
  .filter(i => i.offsetParent !== null && i.scrollWidth > i.clientWidth + 1).map(i => i.value)"""


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.mark.parametrize("width", [800, 1280])
def test_every_tab_figure_and_table_fits(browser, app_url, width, tmp_path):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(app_url, wait_until="load", timeout=240_000)
    settle(page)
    buttons = page.locator("button[role=tab]")
    assert [b.inner_text().strip() for b in buttons.all() if b.is_visible()] == TABS
    assert page.locator(".overflow-menu:not(.hide)").count() == 0
    problems = []
    for name in TABS:
        page.get_by_role("tab", name=name).click()
        settle(page)
        for p in page.evaluate(JS_PLOTS):
            if min(p["w"], p["h"]) < MIN_PLOT_PX:
                problems.append(f"{name}: figure {p['label']!r} plot area {p['w']:.0f}x{p['h']:.0f} px")
            if p["past"] > 2:
                problems.append(f"{name}: figure {p['label']!r} runs {p['past']:.0f} px past its box")
        cells = page.evaluate(JS_CELLS)
        problems += [f"{name}: word broken in a table cell: {w!r}" for w in cells["broken"]]
        problems += [f"{name}: table cell overflows: {t!r}" for t in cells["overflow"]]
        problems += [f"{name}: dropdown cuts {v!r}" for v in page.evaluate(JS_DROPDOWNS)]
        page.screenshot(path=tmp_path / f"{width}-{name.split()[0].lower()}.png", full_page=True)  # to look at
    page.close()
    assert problems == [], "\n".join(problems)
