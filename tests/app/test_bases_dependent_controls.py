"""Issue 26, Bases tab controls that agree: the ordering and schedule choices follow the basis (no
"unknown sequential ordering 'variance'", no ordering "column" offered with the Fourier basis); a preset
resets the SNR-plane components; a component index past the end is shown at the last one and says so."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from diffusion_core.app.bases import handlers
from diffusion_core.app.bases import view as V
from diffusion_core.bases import BASIS_NAMES, make_basis
from diffusion_core.gud.orderings import KINDS, ORDERINGS
from diffusion_core.validation import InputError

BASIS_KEYS = {"frequency", "level", "row", "column"}


@pytest.mark.parametrize("basis", BASIS_NAMES)
def test_label_table_is_the_bases_own(basis):
    opts = {"data": torch.randn(80, 1, 8, 8)} if basis == "pca" else {}
    have = set(make_basis(basis, (1, 8, 8), **opts).labels()) & BASIS_KEYS
    assert set(V.BASIS_ORDERINGS[basis]) == have


def test_choices():
    assert V.kind_choices("fourier") == ("soft",)
    assert V.kind_choices("pixel") == ("soft", "sequential")
    assert V.kind_choices("wavelet") == KINDS
    assert V.ordering_choices("fourier", "soft") == ("variance", "frequency", "random", "custom")
    assert "column" not in V.ordering_choices("fourier", "soft")
    assert V.ordering_choices("pixel", "sequential") == ("column", "row")
    assert set(V.ordering_choices("wavelet", "soft")) <= set(ORDERINGS)


@pytest.mark.parametrize(
    "basis, kind, ordering, want",
    [
        ("pixel", "sequential", "variance", ("sequential", "column")),  # Schedule "sequential" clicked
        ("fourier", "soft", "column", ("soft", "variance")),  # basis changed to fourier with ordering column
        ("fourier", "sequential", "column", ("soft", "variance")),  # sequential needs row/column atoms
        ("wavelet", "sequential", "row", ("sequential", "row")),  # a valid choice is kept
        ("pixel", "level-column", "column", ("soft", "column")),
    ],
)
def test_agree(basis, kind, ordering, want):
    assert V.agree(basis, kind, ordering) == want


def test_every_offered_combination_builds():
    """Every (basis, kind, ordering) the controls offer computes a schedule at size 8 (custom needs labels)."""
    base = V.make_view(image="digit:3", size=8)
    for basis in ("pixel", "fourier", "dct", "wavelet", "pca"):
        for kind in V.kind_choices(basis):
            for ordering in V.ordering_choices(basis, kind):
                if ordering == "custom":
                    continue
                v = dataclasses.replace(base, basis=basis, kind=kind, ordering=ordering, levels=2)
                r = handlers.component_schedule(v, 0.5)
                assert r.numbers["components"] == 64, (basis, kind, ordering)


def test_view_refuses_a_mismatch_with_the_choices():
    with pytest.raises(InputError) as e:
        V.make_view(basis="pixel", kind="sequential", ordering="variance")
    assert "choose one of: column, row" in str(e.value) and "unknown" not in str(e.value)
    with pytest.raises(InputError, match="choose one of: variance, frequency, random, custom"):
        V.make_view(basis="fourier", ordering="column")


def test_restrict_updates_the_controls():
    from diffusion_core.app.bases import layout

    kind, ordering = layout.restrict("fourier", "soft", "column")
    assert kind["choices"] == [("soft", "soft")] or list(kind["choices"]) == ["soft"]
    assert ordering["value"] == "variance" and "column" not in [
        c if isinstance(c, str) else c[0] for c in ordering["choices"]
    ]


def test_preset_resets_the_plane_components():
    from diffusion_core.app.bases import layout

    values = layout.load_bundled("standard")
    assert len(values) == len(layout.IO.fields) + 2 and values[-2:] == [-1, -1]
    kind = values[layout.IO.fields.index("kind")]
    assert kind["value"] == "soft" and kind["choices"] == ["soft"]  # standard: fourier


def test_component_past_the_end_is_shown_at_the_last_and_says_so():
    v = V.make_view(image="digit:3", size=8)
    r = handlers.component_schedule(v, 0.5, 9999, -1)
    assert r.numbers["component_i"] == 63
    assert "component i = 9999 is past the last component: shown at 63" in r.explanation
    with pytest.raises(InputError, match="component i"):
        handlers.component_schedule(v, 0.5, 2.5, -1)


def test_one_warning_per_bad_input(monkeypatch):
    """The schedule figures and the forward process run on the same triggers: one warning between them."""
    from types import SimpleNamespace

    import gradio as gr
    from gradio.context import LocalContext

    from diffusion_core.app.bases import layout
    from diffusion_core.app.widgets import guard

    shown: list[str] = []
    monkeypatch.setattr(gr, "Warning", lambda message, **kw: shown.append(message))
    bad = dict(image="digit:3", size=8, basis="pixel", ordering="custom", custom_labels="1, 2, 3")
    token = LocalContext.request.set(SimpleNamespace(headers={"x-gradio-user": "app"}))
    try:
        guard(layout.component_schedule)(**bad)
        guard(layout.basis_forward)(progress=lambda *a, **k: None, **bad)
    finally:
        LocalContext.request.reset(token)
    assert len(shown) == 1 and "custom" in shown[0]
    with pytest.raises(gr.Error, match="custom"):
        guard(layout.basis_forward)(progress=lambda *a, **k: None, **bad)  # API callers still get the error
