"""Headless Chromium (Debian's, driven by Playwright) sees the Spectrum tab work end to end."""

import pytest
from support.browser import chromium, wait_for_tab

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(app_url):
    with chromium() as browser:
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.goto(app_url, wait_until="domcontentloaded", timeout=120_000)
        yield pg


def test_spectrum_tab_renders_and_reacts(page):
    page.get_by_role("tab", name="Spectrum").click()
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    assert page.locator(".js-plotly-plot").count() >= 3
    page.wait_for_selector("text=/falls like a power law/", timeout=120_000)
    box = page.get_by_label("Noise level: logSNR λ (t → 1 is λ → −∞)", exact=False).first
    box.fill("3")
    box.press("Enter")
    page.wait_for_selector("text=/λ = 3.00/", timeout=120_000)


def test_spectrum_2d_is_a_png_that_follows_lambda(page):
    """The 2-D spectrum is a PNG in a plotly image trace (issue 12 item 12), redrawn for the new λ."""
    page.wait_for_selector("text=/2-D log spectrum of the noisy image \\(λ = 3.00\\)/", timeout=120_000)
    href = page.locator(".js-plotly-plot g.imagelayer image").first.get_attribute("href")
    assert href.startswith("data:image/png;base64,") and len(href) < 120_000


def test_link_restores_view(page, app_url):
    page.goto(app_url + "?tab=spectrum&photo=camera&lam=-1.5&size=128", wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_selector("text=/spectrum of camera falls/", timeout=120_000)
    page.wait_for_selector("text=/λ = -1.50/", timeout=120_000)


def test_link_opens_its_tab_with_its_settings(page, app_url):
    page.goto(app_url + "?tab=schedules&photo=camera&size=256&steps=32", wait_until="domcontentloaded", timeout=120_000)
    wait_for_tab(page, "Schedules & bounds")
    page.wait_for_selector("text=/camera/", timeout=120_000)


def test_workshop_checks_an_answer(page, app_url):
    page.goto(app_url + "?tab=workshop", wait_until="domcontentloaded", timeout=120_000)
    page.get_by_role("tab", name="Workshop").click()
    page.get_by_label("6. When does diffusion become autoregression?").check()
    page.wait_for_selector("text=/from which value on do/", timeout=120_000)
    page.wait_for_timeout(1500)  # the answer box is cleared after the switch
    box = page.get_by_label("Your answer")
    box.fill("10")
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector("text=/Right:/", timeout=120_000)


def test_the_first_tab_is_drawn_before_any_event_answers(page, app_url):
    """A plain address opens on the Spectrum tab drawn from the default view its config carries: with every
    request to gradio's event routes held back, its three figures, image and explanation are all there."""
    pg = page.context.browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        held = []
        pg.route("**/gradio_api/queue/**", lambda route: held.append(route))
        pg.route("**/gradio_api/run/**", lambda route: held.append(route))
        pg.goto(app_url, wait_until="domcontentloaded", timeout=120_000)
        for elem in ("spectrum-logspec", "spectrum-psd", "spectrum-snr"):
            pg.wait_for_selector(f"#{elem} .js-plotly-plot .main-svg", timeout=120_000)
        assert "λ = 0.00" in pg.inner_text("#spectrum-snr")  # the default view's λ, in the figure's title
        pg.wait_for_selector("text=/falls like a power law/", timeout=60_000)
        assert pg.locator("#spectrum-noisy img").count() == 1
        assert [r.request.url.split("/gradio_api/")[1].split("?")[0] for r in held] == ["run/predict"]  # the load event
        for route in held:
            route.continue_()
    finally:
        pg.close()


# Counts plotly's draws in the page: every Plotly.react and Plots.resize, with the figure's box width then.
COUNT_DRAWS = """(() => { let P; window.__draws = [];
const FIG = gd => (gd.closest('#spectrum-logspec, #spectrum-psd, #spectrum-snr') || {id: 'another'}).id;
Object.defineProperty(window, 'Plotly', { configurable: true, get() { return P; }, set(v) {
  P = v;
  const react = v.react, resize = v.Plots.resize;
  v.react = function(gd, ...a) { window.__draws.push(['react', FIG(gd)]); return react.call(this, gd, ...a); };
  v.Plots.resize = function(gd) { window.__draws.push(['resize', FIG(gd)]); return resize.apply(this, arguments); };
}}); })();"""


def test_the_first_figures_are_drawn_once_at_their_final_width(page, app_url):
    """A page load draws each of the Spectrum tab's three figures once. The page CSS gave a figure its width only
    once plotly had drawn it (a rule on `:has(.js-plotly-plot)`), so each figure was drawn at one width, its box
    then changed, and it was drawn again (Plots.resize, ~180 ms of the page's main thread each, two per load)."""
    ctx = page.context.browser.new_context(viewport={"width": 1280, "height": 900})  # a fresh page, as a visitor's
    ctx.add_init_script(COUNT_DRAWS)
    pg = ctx.new_page()
    pg.goto(app_url, wait_until="load", timeout=120_000)
    pg.wait_for_selector("#spectrum-snr .js-plotly-plot .main-svg", timeout=120_000)
    pg.wait_for_timeout(1500)  # a resize would follow the draws
    draws = pg.evaluate("window.__draws")
    widths = pg.evaluate(
        """() => ['spectrum-logspec', 'spectrum-psd', 'spectrum-snr'].map(id => {
        const gd = document.querySelector(`#${id} .js-plotly-plot`);
        return Math.abs(gd.getBoundingClientRect().width - gd._fullLayout.width); })"""
    )
    ctx.close()
    assert sorted(draws) == [["react", f"spectrum-{k}"] for k in ("logspec", "psd", "snr")]
    assert max(widths) <= 1
