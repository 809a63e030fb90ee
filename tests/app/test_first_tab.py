"""The page opens on the first tab drawn from its config (app/layout.py): the Spectrum tab's outputs start with the
default view's answer (what the `spectrum` event answers for the default settings), every other tab's plots start
empty (they compute when opened), and the page's one load event opens a linked tab or does nothing."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr
import pytest

from diffusion_core.app.layout import TABS, build_app, linked_tab, linked_tab_opener
from diffusion_core.app.spectrum import layout as spectrum
from diffusion_core.app.widgets.plot import Plot


@pytest.fixture(scope="module")
def demo() -> gr.Blocks:
    return build_app()


def test_the_first_tab_starts_with_the_default_view(demo):
    by_id = {b.elem_id: b for b in demo.blocks.values() if getattr(b, "elem_id", None)}
    noisy, logspec, psd, snr, explanation, _ = spectrum.spectrum()
    for elem, fig in zip(spectrum.LIVE_PLOTS, (logspec, psd, snr)):
        assert by_id[elem].value == Plot().postprocess(fig).model_dump()
    assert by_id[spectrum.LIVE_TEXTS[0]].value == explanation and "falls like a power law" in explanation
    assert by_id[spectrum.NOISY].value is not None


def test_only_the_first_tab_is_computed_when_the_app_is_built(demo):
    tabs = [b for b in demo.blocks.values() if isinstance(b, gr.Tab)]
    assert [t.id for t in tabs] == [m for _, m in TABS]
    assert [b.selected for b in demo.blocks.values() if isinstance(b, gr.Tabs)] == [TABS[0][1]]  # opens on it
    first = {id(b) for b in _inside(tabs[0])}
    plots = [b for b in demo.blocks.values() if type(b) is Plot]
    assert sum(id(b) in first for b in plots) == 3
    assert all(b.value is None for b in plots if id(b) not in first)  # every other figure waits for its tab


def _inside(block) -> list:
    out = []
    for child in getattr(block, "children", []):
        out += [child, *_inside(child)]
    return out


@pytest.mark.parametrize(
    ("query", "want"),
    [
        ({}, None),
        ({"tab": "bases"}, "bases"),
        ({"tab": "spectrum", "lam": "2"}, "spectrum"),
        ({"tab": "nope"}, None),
        ({"teacher": "k"}, "workshop"),
        ({"tab": "schedules", "teacher": "k"}, "schedules"),
    ],
)
def test_the_tab_an_address_asks_for(query, want):
    assert linked_tab(query) == want


def test_the_load_event_selects_a_linked_tab_or_opens_the_first():
    def answer(query, tabs=TABS):
        return linked_tab_opener(tabs)(SimpleNamespace(query_params=query))

    def is_skip(x) -> bool:
        return x == gr.skip()

    tab, flag = answer({})
    assert is_skip(tab) and is_skip(flag)  # a plain address: the first tab, as its config draws it
    tab, flag = answer({"tab": "spectrum", "lam": "2"})
    assert is_skip(tab) and flag is True  # opens the first tab: it reads the link and redraws
    tab, flag = answer({"tab": "bases"})
    assert isinstance(tab, gr.Tabs) and tab.selected == "bases" and is_skip(flag)
    tab, flag = answer({"tab": "bases"}, TABS[:1])  # a tab the page does not have
    assert is_skip(tab) and is_skip(flag)
