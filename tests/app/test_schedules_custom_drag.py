"""Dragging the `custom` schedule's control points (issue 13 item 5): the text a drag writes, the figure the
editor draws, and the same view (and message) as typing."""

from __future__ import annotations

import pytest

from diffusion_core.app.schedules.custom import dragged, editor_view
from diffusion_core.app.schedules.handlers import SchedulesView, schedules_view
from diffusion_core.noise.custom import format_points, parse_points
from diffusion_core.plotting.point_editor import lam_axis
from diffusion_core.validation import InputError


def test_a_drag_writes_rounded_text_noisiest_first():
    assert format_points([[0, 6], [0.5, 0.123456], [1, -5]]) == "1:-5, 0.5:0.12, 0:6"
    assert (
        format_points([[0.0, 6.0], [0.3337, -1.2549], [0.75, -3.5], [1.0, -8.0]]) == "1:-8, 0.75:-3.5, 0.334:-1.25, 0:6"
    )
    t, lam = parse_points(format_points([[1, -5], [0.25, 2.5], [0, 6]]))
    assert t.tolist() == [0, 0.25, 1] and lam.tolist() == [6, 2.5, -5]


@pytest.mark.parametrize(
    "points, words",
    [
        (None, "list of 2 to 64"),
        ([[0, 1]], "list of 2 to 64"),
        ([[0, 1], [1]], "[t, lam] pair"),
        ([[0, 1], [1.5, 0]], "control point t must be in [0, 1], got 1.5"),
        ([[0, "x"], [1, 0]], "control point lam"),
        ([[0, float("nan")], [1, 0]], "control point lam"),
    ],
)
def test_a_malformed_drag_is_one_line(points, words):
    with pytest.raises(InputError) as e:
        format_points(points)
    assert words in str(e.value) and "\n" not in str(e.value)


def test_a_drag_ticks_custom_once():
    assert dragged([[0, 6], [0.5, 2], [1, -5]], ["edm"]) == ("1:-5, 0.5:2, 0:6", ("edm", "custom"))
    assert dragged([[0, 6], [1, -5]], ("custom",)) == ("1:-5, 0:6", None)


def test_a_non_monotone_drag_gets_the_typing_message():
    text, _ = dragged([[0, 6], [0.5, 7], [1, -5]], ())
    with pytest.raises(InputError) as drag_error:
        SchedulesView(schedules=("custom",), custom_points=text)
    with pytest.raises(InputError) as typed_error:
        SchedulesView(schedules=("custom",), custom_points="1:-5, 0.5:7, 0:6")
    assert (
        str(drag_error.value)
        == str(typed_error.value)
        == ("lam must decrease as t grows (noisier = lower logSNR): t = 0 has lam 6 but t = 0.5 has 7")
    )


def test_the_editor_draws_the_core_curve_through_the_points():
    fig = editor_view("1:-5, 0.5:0, 0:6")
    assert fig["points"] == [[0.0, 6.0], [0.5, 0.0], [1.0, -5.0]]
    assert len(fig["curve"]) == 101 and fig["curve"][0] == [0.0, 6.0] and fig["curve"][50] == [0.5, 0.0]
    assert fig["curve"][-1] == [1.0, -5.0] and fig["curve"][25] == [0.25, 2.8693]  # PCHIP at t = 1/4
    assert fig["lam_range"] == [-10.0, 10.0] and fig["lam_ticks"] == [-10.0, -5.0, 0.0, 5.0, 10.0]
    assert lam_axis(-0.5, 0.5) == ([-3.0, 3.0], [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0])
    with pytest.raises(InputError, match="decrease"):
        editor_view("1:5, 0:-5")


def test_the_dragged_text_drives_the_tab():
    text, ticked = dragged([[0, 8], [1, -8]], ("edm",))
    r = schedules_view(SchedulesView(schedules=ticked, steps=12, size=64, custom_points=text))
    assert r.numbers["custom"]["sigma_max"] == pytest.approx(54.598150033144236)  # e^(8/2)
