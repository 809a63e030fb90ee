"""Classroom tour in a real browser (issue 12, Done when): every tab with default settings, a malformed
link and a bad text input; no error badge, no stack trace, and a mistake is one message."""

import pytest
from support.browser import ERROR_BADGES, chromium, settle

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


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


# The first drawing of a tab opened by a link: tabs compute when opened, a round trip after the page has loaded,
# so settle() alone may return before the tab has started; a box typed into meanwhile loses its Enter.
DRAWN = {"spectrum": "text=/At logSNR λ = /", "bases": "text=/components are active/"}
# A link's own Spectrum view (size=64): the page shows the first tab's default view (256²) at once, the link's once
# its restore has run, so a test acts on the link's view only after this.
LINKED_64 = "brought to 64²"


def _open(browser, url, tab=None):
    """A new page at a projector's width, loaded, the linked `tab` drawn (DRAWN), and settled."""
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    page.goto(url, wait_until="load", timeout=240_000)
    if tab:
        page.wait_for_selector(DRAWN[tab], timeout=240_000)
    settle(page)
    return page


def _clean(page):
    text = page.inner_text("body")
    assert "Traceback" not in text and 'File "' not in text
    return page.locator(ERROR_BADGES).count()


def test_every_tab_with_defaults(browser, app_url):
    page = _open(browser, app_url)
    for name in TABS:
        page.get_by_role("tab", name=name).click()
        settle(page)
        assert _clean(page) == 0, name
    page.close()


def test_malformed_link_is_one_warning(browser, app_url):
    page = _open(browser, app_url + "?tab=spectrum&lam=abc&size=128")
    assert _clean(page) == 0
    assert page.locator(".toast-body").count() <= 1
    page.close()


def test_a_link_that_sets_a_released_control_draws_the_view_from_it(browser, app_url):
    """A link (or a preset) sets the controls, then draws the tab from them: N is a slider whose view runs on its
    release, which a programmatic set does not fire; the Increments view stayed at N = 50 under a box showing 20."""
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    page.goto(app_url + "?tab=increments&steps=20&loss_t=0.25", wait_until="load", timeout=240_000)
    page.wait_for_selector("text=/Laplace increments, N = 20 steps/", timeout=120_000)
    page.wait_for_selector("text=/Per-step loss L_k\\(r\\) at t = 0.250/", timeout=120_000)
    settle(page)
    assert page.locator("text=/N = 50 steps/").count() == 0
    page.close()


def test_bad_text_input_is_one_message_and_no_badges(browser, app_url):
    page = _open(browser, app_url + "?tab=bases", "bases")
    box = page.get_by_label("Image: digit:N (8x8 digits), photo, field:BETA", exact=False).first
    box.fill("/etc/passwd")
    box.press("Enter")
    page.wait_for_selector(".toast-body", timeout=240_000)
    settle(page)
    text = page.inner_text("body")
    assert "Traceback" not in text and "files come in through an upload box" in text
    assert page.locator(".toast-body").count() == 1  # one message for both events
    assert page.locator(".toast-body.warning").count() == 1
    assert _clean(page) == 0  # no badge on any of the ~13 outputs
    page.close()


def test_out_of_range_number_is_one_message_and_no_badges(browser, app_url):
    """A seed typed below 0: the view refuses it (one warning), not gradio's own bound check, which raises
    before the handler and badges every output (14 on the Bases tab)."""
    page = _open(browser, app_url + "?tab=bases", "bases")
    box = page.locator("input[aria-label='Seed']:visible").first
    box.fill("-3")
    box.press("Enter")
    page.wait_for_selector(".toast-body", timeout=240_000)
    settle(page)
    assert page.locator(".toast-body.warning").count() == 1 and "seed" in page.locator(".toast-body").inner_text()
    assert _clean(page) == 0
    page.close()


def test_slider_value_typed_out_of_range_is_one_warning_and_a_visible_clamp(browser, app_url):
    """τ_hi = 500 typed into the Spectrum slider's box (range [1, 100]): gradio's own bound check raised before
    the handler and badged every output; now the figures follow τ_hi = 100 and one warning says why. (λ moves
    run outside the queue, where gradio shows no warnings: a typed λ = 50 is clamped visibly to 12.)"""
    page = _open(browser, app_url + "?tab=spectrum&size=64", "spectrum")
    page.wait_for_selector(f"text=/{LINKED_64}/", timeout=240_000)
    box = page.locator("input[aria-label^='number input for τ_hi']:visible").first
    box.fill("500")
    box.press("Tab")
    page.wait_for_selector(".toast-body", timeout=240_000)
    settle(page)
    page.wait_for_selector("text=/τ_hi = 100, /", timeout=240_000)
    toast = page.locator(".toast-body")
    assert toast.count() == 1 and page.locator(".toast-body.warning").count() == 1
    assert "500 is outside the slider's range [1, 100]; shown at 100" in toast.inner_text()
    assert box.input_value() == "100" and _clean(page) == 0
    lam = page.locator("input[aria-label^='number input for Noise level: logSNR λ']:visible").first
    lam.fill("50")
    lam.press("Tab")
    page.wait_for_selector("text=/At logSNR λ = 12.00/", timeout=240_000)
    assert lam.input_value() == "12" and _clean(page) == 0
    page.close()


MOVE = """([label, v]) => { const r = document.querySelector(`input[type=range][aria-label^="range slider for ${label}"]`);
    r.value = String(v); r.dispatchEvent(new Event('input', {bubbles: true})); }"""
RELEASE = """(label) => document.querySelector(`input[type=range][aria-label^="range slider for ${label}"]`)
    .dispatchEvent(new PointerEvent('pointerup', {bubbles: true}))"""


def _requests(page, prefix):
    """From now on, the app's requests for the functions whose api_name starts with `prefix`: (route, api_name,
    sender) of each queue join and POST to run/predict (other tabs' page-load events may still be arriving);
    the sender is "gradio" when the body names the event's trigger, as gradio's client does, else "page"."""
    names = page.evaluate("() => Object.fromEntries(window.gradio_config.dependencies.map(d => [d.id, d.api_name]))")
    seen = []

    def record(r):
        if "/run/predict" in r.url or "/queue/join" in r.url:
            body = r.post_data_json or {}
            name = names.get(str(body.get("fn_index")))
            if name and name.startswith(prefix):
                sender = "gradio" if body.get("trigger_id") is not None else "page"
                seen.append((r.url.split("/gradio_api/")[-1].split("?")[0], name, sender))

    page.on("request", record)
    return seen


@pytest.mark.timeout(150)
def test_a_lambda_move_is_drawn_by_the_page_and_its_release_brings_gradio_in_step(browser, app_url):
    """A λ move is one POST of the move's function, drawn by the page (layout/live.py): texts, figures and
    the noisy image follow without a gradio event; the release runs the function through gradio, which then
    holds what the page shows (the download link is the image shown; the texts are not doubled)."""
    page = _open(browser, app_url + "?tab=spectrum&size=64")
    page.wait_for_selector(f"text=/{LINKED_64}/", timeout=240_000)
    page.wait_for_selector("text=/At logSNR λ = 0.00/", timeout=240_000)
    before = page.locator("#spectrum-noisy img").get_attribute("src")
    paragraphs = page.locator("#spectrum-explanation p").count()  # 4 since the resampler paragraph (f63f003)
    seen = _requests(page, "spectrum")
    page.evaluate(MOVE, ["Noise level: logSNR λ", 2.5])
    page.wait_for_selector("text=/At logSNR λ = 2.50/", timeout=240_000)
    page.wait_for_function(
        """() => { const gd = document.querySelector('#spectrum-snr .js-plotly-plot');
        return gd && gd.layout.title.text.includes('λ = 2.50'); }""",
        timeout=60_000,
    )
    page.wait_for_function(f"() => document.querySelector('#spectrum-noisy img').src !== {before!r}", timeout=60_000)
    assert "VE σ = e^(−λ/2) = 0.2865" in page.inner_text("#spectrum-sigma")
    assert seen == [("run/predict", "spectrum_live", "page")]  # the page's own POST, no gradio event
    page.evaluate(RELEASE, "Noise level: logSNR λ")
    page.wait_for_timeout(1500)
    settle(page)
    assert seen[1:] == [
        ("queue/join", "spectrum_live", "gradio")
    ]  # the release, through gradio's queue (its warnings reach the page)
    img = page.locator("#spectrum-noisy img").get_attribute("src")
    assert page.locator("#spectrum-noisy a.download-link").get_attribute("href") == img != before
    assert page.locator("#spectrum-explanation p").count() == paragraphs and "λ = 2.50" in page.inner_text(
        "#spectrum-explanation"
    )  # not doubled by the release
    assert _clean(page) == 0
    page.close()


@pytest.mark.timeout(150)
def test_bases_readout_time_moves_the_markers_in_the_page(browser, app_url):
    """A readout-time move: the page moves the t marker of the four figures and writes the readout it posted
    for."""
    page = _open(browser, app_url + "?tab=bases")
    page.wait_for_selector("text=/components are active/", timeout=240_000)
    page.evaluate(MOVE, ["Readout time t", 0.15])
    page.wait_for_selector("text=/At t = 0.15, /", timeout=240_000)
    marks = page.evaluate("""() => [...document.querySelectorAll('.t-marked .js-plotly-plot')].map(gd =>
        gd.layout.shapes.filter(s => s.name === 't marker').map(s => [s.x0, s.x1]))""")
    assert marks == [[[0.15, 0.15]]] * 4
    assert _clean(page) == 0
    page.close()
