"""Lazy tabs (widgets/lazy_tabs.py): the page's config holds the first tab's components only; every other tab's
endpoints stay in the API (its copy outside the layout, which the page is told not to wait for), and its page is
built by a gr.render when a session first opens it, with gradio's interactivity and the app's concurrency groups.
A render is applied here as gradio's server applies it for a session (in a copy of the app's BlocksConfig)."""

from __future__ import annotations

import copy
import re

import gradio as gr
import pytest
from gradio.context import LocalContext

from diffusion_core.app.layout import TABS, build_app
from diffusion_core.app.widgets.concurrency import Limits
from diffusion_core.app.widgets.lazy_tabs import drawn_ids

from .test_concurrency_groups import misgrouped

CONTRACT = {"bases": {"basis_forward", "component_schedule"}, "increments": {"increments"}}
CONTRACT |= {"schedules": {"schedules", "bounds"}, "scale_space": {"scale_space"}, "samplers": {"sample_compare"}}


@pytest.fixture(scope="module")
def app() -> gr.Blocks:
    return build_app()


def rendered(app: gr.Blocks, k: int, is_open: bool = True):
    """The k-th lazy tab (TABS[k + 1]) built for one session: (its events, its blocks)."""
    renderable = app.default_config.renderables[k]
    config = copy.copy(app.default_config)
    token = LocalContext.blocks_config.set(config)
    try:
        renderable.apply(is_open)
    finally:
        LocalContext.blocks_config.reset(token)
    fns = [fn for fn in config.fns.values() if fn.rendered_in is renderable]
    blocks = [b for b in config.blocks.values() if b.rendered_in is renderable]
    return fns, blocks


def test_the_page_mounts_the_first_tab_and_the_api_keeps_every_tab(app):
    config = app.config
    drawn = drawn_ids(config)
    hidden = [c for c in config["components"] if c["id"] not in drawn]
    assert len(drawn) < 80 and len(hidden) > 450  # the first tab (36 blocks) and the page's frame; 480 before
    assert all(c["props"]["visible"] is False for c in hidden)  # the page waits for none of them
    assert len(app.default_config.renderables) == len(TABS) - 1
    named = app.get_api_info()["named_endpoints"]
    for names in CONTRACT.values():
        for name in names:
            params = named[f"/{name}"]["parameters"]
            assert params and all(p["parameter_name"] for p in params), name


@pytest.mark.parametrize("k", range(len(TABS) - 1), ids=[m for _, m in TABS[1:]])
def test_an_opened_tab_is_built_with_its_events_interactivity_and_groups(app, k):
    fns, blocks = rendered(app, k)
    module = TABS[k + 1][1]
    names = {re.sub(r"_[0-9]+$", "", fn.api_name or "") for fn in fns}  # gradio numbers a name taken before
    assert CONTRACT.get(module, set()) <= names  # the page's events are the tab's, as its API copy's are
    assert misgrouped(fns, Limits.from_env()) == []
    # gradio's page infers a rendered component's interactivity from its first config, which holds none of the
    # render's events: each is set here as gradio infers it for the page's own (an input is interactive).
    used = {b._id for fn in fns for b in [*fn.inputs, *fn.outputs]}
    unset = [(type(b).__name__, b.label) for b in blocks if b._id in used and getattr(b, "interactive", 0) is None]
    assert unset == []
    assert rendered(app, k, is_open=False) == ([], [])


def test_a_rendered_output_is_static_and_a_control_interactive(app):
    """Before: the Increments tab's same-seed digits image (an output) showed an upload box, and its law dropdown
    (a control with a value) was drawn static."""
    fns, blocks = rendered(app, [m for _, m in TABS[1:]].index("increments"))
    by_label = {b.label: b for b in blocks if getattr(b, "label", None)}
    assert by_label["Same-seed digits (rows: laws)"].interactive is False
    assert by_label["Increment law z"].interactive is True
