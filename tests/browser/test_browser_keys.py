"""Issue 26, in chromium: typed values apply on Enter and on leaving the box alike (slider boxes and number
boxes), arrow keys on a slider recompute, and the live λ slider says so when it clamps a typed 50 to 12."""

import pytest
from support.browser import chromium, settle

pytestmark = pytest.mark.browser
BETA = "Synthetic field β (P ∝ f^-β)"


@pytest.fixture(scope="module")
def page(app_url):
    with chromium() as browser:
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.goto(app_url + "?tab=spectrum&source=field&beta=2", wait_until="domcontentloaded", timeout=120_000)
        pg.wait_for_selector("text=/a Gaussian field with β = 2 /", timeout=180_000)
        settle(pg)
        yield pg


def test_slider_box_applies_on_enter(page):
    box = page.get_by_label(BETA, exact=False).first
    box.fill("3.5")
    box.press("Enter")
    page.wait_for_selector("text=/a Gaussian field with β = 3.5 /", timeout=60_000)


def test_arrow_keys_on_a_slider_recompute(page):
    rng = page.locator(f'input[type=range][aria-label="range slider for {BETA}"]')
    rng.focus()
    rng.press("ArrowRight")
    page.wait_for_selector("text=/a Gaussian field with β = 3.55 /", timeout=60_000)


def test_live_lambda_says_when_it_clamps(page):
    box = page.get_by_label("Noise level: logSNR λ", exact=False).first
    box.fill("50")
    box.press("Enter")
    page.wait_for_selector("text=/50 is outside the slider's range \\[-12, 12\\]; shown at 12/", timeout=60_000)


def test_number_box_applies_on_blur(page, app_url):
    page.goto(app_url + "?tab=schedules", wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_selector("text=/σ first drops to ≤ 1 at/", timeout=180_000)
    settle(page)
    box = page.get_by_label("σ* for the crossing step (VE)")
    box.fill("2.5")
    page.get_by_label("Config A").click()  # leave the box, no Enter
    page.wait_for_selector("text=/σ first drops to ≤ 2.5 at/", timeout=60_000)
