"""Workshop exercises: every link opens a valid view, every stated answer equals the core's live one."""

import importlib
from urllib.parse import parse_qsl

import pytest

from diffusion_core.app.workshop import handlers as workshop
from diffusion_core.presets import from_query
from diffusion_core.validation import InputError

VIEWS = {
    "spectrum": ("diffusion_core.app.spectrum.handlers", "SpectrumView"),
    "schedules": ("diffusion_core.app.schedules.handlers", "SchedulesView"),
    "increments": ("diffusion_core.app.increments.handlers", "IncrementsView"),
    "bases": ("diffusion_core.gud.setup", "BasesView"),
    "scale_space": ("diffusion_core.app.scale_space.handlers", "ScaleSpaceView"),
    "samplers": ("diffusion_core.app.samplers.handlers", "SamplersView"),
}
EXERCISES = list(workshop.exercises().values())


def test_there_are_exercises_for_several_tabs():
    assert len(EXERCISES) >= 6 and len({e.tab for e in EXERCISES}) >= 5


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.check)
def test_link_is_a_valid_view_of_its_tab(ex):
    module, cls = VIEWS[ex.tab]
    view_cls = getattr(importlib.import_module(module), cls)
    params = dict(parse_qsl(ex.link, strict_parsing=True))
    view = from_query(params, view_cls)  # raises on unknown types/values
    for k in params:
        assert hasattr(view, k), f"link key {k} is not a setting of {cls}"


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.check)
def test_stated_answer_matches_the_live_core(ex):
    assert abs(workshop.live_answer(ex.check) - ex.answer) <= ex.tolerance


def test_check_answer_right_wrong_and_bad():
    title = next(t for t, e in workshop.exercises().items() if e.check == "gud_threshold_a")
    assert workshop.check_answer(title, 10.0).startswith("**Right:**")
    assert "too low" in workshop.check_answer(title, 2.0)
    with pytest.raises(InputError, match="finite"):
        workshop.check_answer(title, float("nan"))
    with pytest.raises(InputError, match="type a number"):
        workshop.check_answer(title, None)
    with pytest.raises(InputError, match="unknown exercise"):
        workshop.check_answer("no such exercise", 1.0)


def test_worksheet_lists_every_exercise_with_links():
    text = open(workshop.worksheet()).read()
    for ex in EXERCISES:
        assert ex.title in text and f"?tab={ex.tab}&{ex.link}" in text


def test_answer_box_empty_sign_and_links_that_do_not_give_the_answer_away():
    """Issue 12 item 9: an empty box asks for a number (not '0 is too low'); a wrong sign gets a hint;
    exercise 6's link does not open at the answer, and its text says a = 0 is simultaneous."""
    ex6 = next(e for e in EXERCISES if e.check == "gud_threshold_a")
    for empty in (None, "", "  "):
        with pytest.raises(InputError, match="type a number"):
            workshop.check_answer(ex6.title, empty)
    assert workshop.check_answer(ex6.title, "10").startswith("**Right:**")
    assert "sign" in workshop.check_answer(ex6.title, "-10")
    assert "a=10" not in ex6.link and "a = 0 all columns move together" in ex6.explanation
    ex4 = next(e for e in EXERCISES if e.check == "sigma_max_ratio")
    assert workshop.check_answer(ex4.title, "2").startswith("**Right:**")
