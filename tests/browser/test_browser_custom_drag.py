"""Dragging the `custom` schedule's control points with the mouse in headless Chromium (issue 13 item 5):
the text box and the tab's table follow the drag; a non-monotone drag is one warning and no error badge."""

import math
import re

import pytest
from support.browser import ERROR_BADGES, chromium, settle

pytestmark = pytest.mark.browser
BOX = "`custom`: your own λ(t)"


@pytest.fixture(scope="module")
def page(app_url):
    with chromium() as browser:
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.goto(app_url + "?tab=schedules", wait_until="load", timeout=240_000)
        pg.wait_for_selector("#custom-point-editor circle.pe-pt", timeout=240_000)
        settle(pg)
        yield pg


def _drag(page, index: int, dx: float, dy: float) -> None:
    point = page.locator("#custom-point-editor circle.pe-pt").nth(index)
    point.scroll_into_view_if_needed()
    b = point.bounding_box()
    x, y = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y + dy, steps=6)
    page.mouse.up()


def _custom_row(page):
    return page.locator("table tr", has=page.locator("td", has_text=re.compile(r"^custom$")))


def test_dragging_the_noise_end_rewrites_the_points_and_recomputes(page):
    box = page.get_by_label(BOX, exact=False).first
    assert box.input_value() == "1:-5, 0.5:0, 0:6" and _custom_row(page).count() == 0
    _drag(page, 2, -40, 30)  # t = 1 end: moves in lam only, downwards
    page.wait_for_function(
        f"document.querySelectorAll('{ERROR_BADGES}').length === 0 && "
        "[...document.querySelectorAll('td')].some(td => td.innerText.trim() === 'custom')",
        timeout=240_000,
    )
    settle(page)
    text = box.input_value()
    end = dict(p.split(":") for p in text.split(", "))["1"]
    assert text.startswith("1:") and text.endswith(", 0.5:0, 0:6") and float(end) < -5
    sigma_max = _custom_row(page).locator("td").nth(1).inner_text()
    assert sigma_max == f"{math.exp(-float(end) / 2):.4g}"  # VE sigma at t = 1 from the dragged lam
    assert page.locator(ERROR_BADGES).count() == 0 and page.locator(".toast-body").count() == 0


def test_a_non_monotone_drag_is_one_warning_and_the_tab_keeps_serving(page):
    box = page.get_by_label(BOX, exact=False).first
    before = box.input_value()
    table = _custom_row(page).inner_text()
    _drag(page, 1, 0, -400)  # the middle point above the clean end (lam 6)
    page.wait_for_selector(".toast-body", timeout=240_000)
    settle(page)
    assert box.input_value() != before
    toast = page.locator(".toast-body")
    assert toast.count() == 1 and "lam must decrease as t grows" in toast.inner_text()
    assert page.locator(ERROR_BADGES).count() == 0 and _custom_row(page).inner_text() == table
    box.fill(before)  # typing still works and clears the refusal
    box.press("Enter")
    settle(page)
    assert page.locator("#custom-point-editor circle.pe-pt").count() == 3 and page.locator(ERROR_BADGES).count() == 0
