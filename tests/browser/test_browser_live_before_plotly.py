"""A slider moved before plotly has loaded (widgets/live.py). The app's Plot loads plotly.js (its cartesian bundle,
1.5 MB) when the first plot mounts, so on a slow link or machine the first figures can be drawn after the texts; a
move made meanwhile must still draw its texts at once and its figures (and the Bases t markers) once plotly has
drawn the plots. Here the plotly bundle is held back until the move has been answered; the page's old script
dropped that whole answer (texts included) and the figures stayed at the old value until the release."""

import pytest
from support.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHUNK = "**/plotly-cartesian-*.min.js"  # widgets/plot.py HEAD
MOVE = """([label, v]) => { const r = document.querySelector(`input[type=range][aria-label^="range slider for ${label}"]`);
    r.value = String(v); r.dispatchEvent(new Event('input', {bubbles: true})); }"""


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _held_page(browser, url):
    """A page whose plotly chunk waits until the test lets it go: (page, release)."""
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    held = []

    def hold(route):
        held.append(route)

    page.route(CHUNK, hold)
    page.goto(url, wait_until="load", timeout=240_000)

    def release():
        for route in held:
            route.continue_()
        page.unroute(CHUNK)

    return page, release


@pytest.mark.timeout(240)
def test_a_lambda_move_before_plotly_draws_its_texts_now_and_its_figures_when_plotly_comes(browser, app_url):
    page, release = _held_page(browser, app_url + "?tab=spectrum&size=64")
    page.wait_for_selector("text=/brought to 64²/", timeout=240_000)  # the link's view, not the page's default
    page.wait_for_selector("text=/At logSNR λ = 0.00/", timeout=240_000)
    assert page.evaluate("typeof window.Plotly") == "undefined"
    page.evaluate(MOVE, ["Noise level: logSNR λ", 2.5])
    page.wait_for_selector("text=/At logSNR λ = 2.50/", timeout=120_000)  # drawn without plotly
    assert "VE σ = e^(−λ/2) = 0.2865" in page.inner_text("#spectrum-sigma")
    release()
    page.wait_for_function(
        """() => { const gd = document.querySelector('#spectrum-snr .js-plotly-plot');
        return gd && gd.layout && gd.layout.title.text.includes('λ = 2.50'); }""",
        timeout=120_000,
    )
    page.close()


@pytest.mark.timeout(240)
def test_a_readout_move_before_plotly_marks_the_figures_when_they_are_drawn(browser, app_url):
    page, release = _held_page(browser, app_url + "?tab=bases")
    page.wait_for_selector("text=/components are active/", timeout=240_000)
    assert page.evaluate("typeof window.Plotly") == "undefined"
    page.evaluate(MOVE, ["Readout time t", 0.3])
    page.evaluate(MOVE, ["Readout time t", 0.15])  # the latest move's t is the one marked
    page.wait_for_selector("text=/At t = 0.15, /", timeout=120_000)
    release()
    marks = """() => [...document.querySelectorAll('.t-marked .js-plotly-plot')].map(gd =>
        (gd.layout.shapes || []).filter(s => s.name === 't marker').map(s => [s.x0, s.x1]))"""
    want = "JSON.stringify(Array(4).fill([[0.15, 0.15]]))"
    page.wait_for_function(f"() => JSON.stringify(({marks})()) === {want}", timeout=120_000)
    page.close()
