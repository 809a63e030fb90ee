"""Views bound from their dataclasses (issue 8.5) and classroom robustness of that binding (issue 12
items 1, 3, 6): named API parameters, links from the request's address, one message for a bad link
or value, presets that round-trip any string."""

import dataclasses
import logging
from dataclasses import dataclass
from types import SimpleNamespace

import gradio as gr
import pytest
from gradio_client import Client

from diffusion_core import presets
from diffusion_core.app import widgets as layout
from diffusion_core.app.bases import layout as bases_tab
from diffusion_core.app.spectrum import layout as spectrum_tab
from diffusion_core.app.spectrum.handlers import SpectrumView
from diffusion_core.app.widgets.views import field_names, from_controls, page_url, to_controls
from diffusion_core.app.workshop import handlers as workshop
from diffusion_core.gud.setup import BasesView
from diffusion_core.validation import InputError, MissingInput

# The api_names of design.md, each with the parameter names gradio_client must show.
SPECTRUM = ["source", "photo", "dataset", "beta", "seed", "size", "lam", "tau_lo", "tau_hi", "window"]
SCHEDULES = [
    "upload",
    "schedules",
    "steps",
    "source",
    "photo",
    "beta",
    "seed",
    "size",
    "tau_lo",
    "tau_hi",
    "dc",
    "sigma_min",
    "sigma_max",
    "rho",
    "noise_d",
    "timestep_spacing",
    "steps_offset",
    "rescale_betas_zero_snr",
    "use_karras_sigmas",
    "final_sigmas_type",
    "diffusers_family",
    "animate",
    "custom_points",
    "flow_shift",
    "flux_mu_from",
    "flux_image_seq_len",
    "flux_mu",
    "flux_base_shift",
    "flux_max_shift",
    "flow_shift_terminal",
]
BASES = [
    "image",
    "size",
    "gray",
    "basis",
    "wavelet",
    "levels",
    "r",
    "kind",
    "ordering",
    "a",
    "softness",
    "column_weight",
    "gamma_denoise",
    "gamma_noise",
    "clip",
    "denoiser",
    "method",
    "steps",
    "frames",
    "seed",
    "custom_labels",
]
DESIGN_APIS = {
    "spectrum": [*SPECTRUM, "upload"],
    "bounds": SCHEDULES,
    "schedules": SCHEDULES,
    "basis_forward": ["uploads", *BASES],
    "component_schedule": ["t", "i", "j", "uploads", *BASES],
    "increments": [
        "law",
        "nu",
        "steps",
        "paths",
        "seed",
        "form",
        "grid",
        "loss_t",
        "loss_steps",
        "laplace_form",
        "reverse_steps",
        "reverse_sampler",
        "samples",
    ],
    "scale_space": [
        "upload",
        "source",
        "photo",
        "beta",
        "seed",
        "size",
        "levels",
        "family",
        "gamma",
        "t",
        "sample_size",
        "sample_levels",
        "n_samples",
        "steps",
    ],
    "sample_compare": [
        "model",
        "samplers",
        "schedule",
        "steps",
        "seed",
        "noise_law",
        "n",
        "device",
        "step_noise",
        "noise_slope",
        "eta",
        "s_churn",
        "s_tmin",
        "s_tmax",
        "s_noise",
        "guide",
        "guidance",
    ],
}


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


# ---------------------------------------------------------------------------------------------
# Named parameters (issue 8.5)


def test_every_endpoint_has_named_parameters(client):
    api = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    for name, expected in DESIGN_APIS.items():
        assert [p["parameter_name"] for p in api[f"/{name}"]["parameters"]] == expected, name
    unnamed = {
        n: [p["parameter_name"] for p in e["parameters"] if p["parameter_name"].startswith("param_")]
        for n, e in api.items()
    }
    assert {n: v for n, v in unnamed.items() if v} == {}
    assert len(api) >= 40  # exports, presets, workshop: all public ones


def test_call_by_parameter_name(client):
    *_, explanation, sigma = client.predict(photo="camera", size=64, lam=1.5, api_name="/spectrum")
    assert "spectrum of **camera**" in explanation and "λ = **1.50**" in explanation
    assert sigma.startswith("VE σ = e^(−λ/2) = **0.4724**")


def test_each_tab_binds_its_view_fields_in_order():
    for module in ("spectrum", "schedules", "increments", "bases", "scale_space", "samplers"):
        io = __import__(f"diffusion_core.app.{module}.layout", fromlist=["IO"]).IO
        assert io.fields == field_names(io.cls) and len(io.fields) == len(dataclasses.fields(io.cls))
    v = from_controls(SpectrumView, {"seed": 3.0, "size": 64, "lam": 1, "window": 0, "beta": None})
    assert v == SpectrumView(seed=3, size=64, lam=1.0, window=False)  # float->int, int->float, None->default
    assert isinstance(v.seed, int) and isinstance(v.lam, float)
    assert to_controls(v)[:3] == ["photo", "astronaut", "photos"]
    with pytest.raises(TypeError, match="no setting"):
        from_controls(SpectrumView, {"bogus": 1})


# ---------------------------------------------------------------------------------------------
# Links from the request's address (issue 12.1)


@pytest.mark.parametrize(
    "headers, url, root, expected",
    [
        ({"host": "10.0.0.5:7861"}, "http://10.0.0.5:7861/gradio_api/queue/join", "", "http://10.0.0.5:7861/"),
        ({"host": "lab.local:7899"}, "", "/difflab/", "http://lab.local:7899/difflab/"),
        (
            {
                "Host": "127.0.0.1:7860",
                "X-Forwarded-Host": "lab.example.org, proxy",
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Prefix": "/room3",
            },
            "http://127.0.0.1:7860/x",
            "",
            "https://lab.example.org/room3/",
        ),
    ],
)
def test_page_url_from_the_request(headers, url, root, expected):
    assert page_url(headers, url, root) == expected


def test_saved_link_and_worksheet_use_the_serving_address(tmp_path):
    req = SimpleNamespace(headers={"host": "192.168.1.20:7861"}, request=None)
    path, link = spectrum_tab.IO.save(request=req, photo="moon", lam=2.0, size=64)
    assert link == (
        "http://192.168.1.20:7861/?tab=spectrum&" + presets.to_query(SpectrumView(photo="moon", lam=2.0, size=64))
    )
    text = open(workshop.worksheet("http://192.168.1.20:7861/")).read()
    for ex in workshop.exercises().values():
        assert f"(http://192.168.1.20:7861/?tab={ex.tab}&{ex.link})" in text
    assert "](?tab=" not in text  # no relative link left in the file


# ---------------------------------------------------------------------------------------------
# One message, not a wall of red (issue 12.3)


@pytest.fixture
def toasts(monkeypatch):
    shown = []
    monkeypatch.setattr(layout.gr, "Warning", lambda msg, duration=None: shown.append(("warning", msg)))
    monkeypatch.setattr(layout.gr, "Info", lambda msg, duration=None: shown.append(("info", msg)))
    return shown


def _link(**params):
    return SimpleNamespace(query_params={"tab": "spectrum", **params})


def test_malformed_link_gives_one_warning_and_keeps_defaults(toasts):
    D = to_controls(SpectrumView())
    values = spectrum_tab.IO.load_link(_link(lam="abc", photo="camera"))
    assert values == to_controls(SpectrumView(photo="camera"))  # lam at its default, photo applied
    assert len(toasts) == 1 and "lam='abc'" in toasts[0][1] and toasts[0][0] == "warning"
    toasts.clear()
    assert spectrum_tab.IO.load_link(_link(lam="99", seed="-1")) == D  # out of range: defaults, one message
    assert len(toasts) == 1 and "logSNR" in toasts[0][1] and "seed" in toasts[0][1]
    toasts.clear()
    assert spectrum_tab.IO.load_link(_link(tau_lo="5", tau_hi="2")) == D  # valid alone, clash together
    assert len(toasts) == 1 and "tau_lo" in toasts[0][1]
    toasts.clear()
    assert spectrum_tab.IO.load_link(_link(lam="-1.5"))[6] == -1.5 and toasts == []


def test_guard_user_mistake_is_one_toast_and_one_log_line(caplog):
    def handler():
        raise InputError("tau_lo (1) must be below tau_hi (1)")

    with caplog.at_level(logging.INFO, logger="difflab.app"), pytest.raises(gr.Error) as e:
        layout.guard(handler)()
    assert e.value.message == "tau_lo (1) must be below tau_hi (1)" and not e.value.print_exception
    assert len(caplog.records) == 1 and "\n" not in caplog.records[0].getMessage()


def test_guard_internal_error_logs_a_traceback_under_an_id(caplog):
    def handler():
        return {}["missing"]

    with caplog.at_level(logging.INFO, logger="difflab.app"), pytest.raises(gr.Error) as e:
        layout.guard(handler)()
    eid = e.value.message.split()[2]
    assert e.value.message.startswith(f"internal error {eid} in handler (KeyError)") and "\n" not in e.value.message
    (rec,) = caplog.records
    assert eid in rec.getMessage() and "Traceback" in rec.getMessage() and '{}["missing"]' in rec.getMessage()


@pytest.fixture
def page_request():
    """Run a handler as if the app's own page sent the event (its client's `x-gradio-user: app`)."""
    from gradio.context import LocalContext

    token = LocalContext.request.set(SimpleNamespace(headers={"x-gradio-user": "app"}))
    yield
    LocalContext.request.reset(token)


def test_guard_on_the_page_is_one_warning_and_no_output_touched(toasts, page_request, monkeypatch):
    shown = []
    monkeypatch.setattr(layout.gr, "Warning", lambda msg, duration=None, title="": shown.append((title, msg)))

    def mistake():
        raise InputError("image must be a bundled name; files come in through an upload box")

    def bug():
        return {}["missing"]

    assert layout.guard(mistake)() == gr.skip()  # one skip: gradio leaves every output (no badges)
    assert layout.guard(bug)() == gr.skip()
    assert [t for t, _ in shown] == ["Input refused", "Internal error"]
    assert shown[0][1].endswith("files come in through an upload box") and "KeyError" in shown[1][1]


def test_guard_for_api_callers_still_raises(page_request):
    from gradio.context import LocalContext

    LocalContext.request.set(SimpleNamespace(headers={"x-gradio-user": "api"}))  # gradio_client's header
    with pytest.raises(gr.Error, match="tau_lo"):
        layout.guard(lambda: (_ for _ in ()).throw(InputError("tau_lo (1) must be below tau_hi (1)")))()


def test_missing_file_is_a_hint_that_leaves_the_outputs(toasts, caplog):
    with caplog.at_level(logging.INFO, logger="difflab.app"):
        out = layout.guard(spectrum_tab.spectrum)(upload=None, source="upload")
    assert out == gr.skip() and toasts == [("info", toasts[0][1])] and "no file" in toasts[0][1]
    assert caplog.records == []
    assert issubclass(MissingInput, InputError)  # the CLI still exits 2 with the same line


# ---------------------------------------------------------------------------------------------
# Presets that always round-trip (issue 12.6)

HOSTILE = [
    "line one\nline two",
    'say "hi"',
    "back\\slash \\n not a newline",
    "'''",
    '"""',
    "tab\there",
    "ünïcødé λ σ² → 😀",
    "a = 1\n[table]\nb = 2",
    '"\nbogus = 1\n"',
    "\x00\x1f\x7f",
    "",
    " # not a comment",
]


@dataclass(frozen=True)
class _Strings:
    text: str = ""
    items: tuple[str, ...] = ()
    x: float = 0.0


@pytest.mark.parametrize("s", HOSTILE)
def test_preset_round_trips_hostile_strings(s, tmp_path):
    v = BasesView(custom_labels=s)
    text = presets.dump_preset(v)
    assert presets.load_preset(text, BasesView, text=True) == v
    assert presets.from_query(presets.to_query(v), BasesView) == v  # and through a link
    w = _Strings(text=s, items=(s, s + ",", "x"), x=1e-300)
    assert presets.load_preset(presets.dump_preset(w), _Strings, text=True) == w


def test_saved_preset_file_round_trips_through_the_tab(tmp_path):
    labels = 'l0, l1 "quoted"\nsecond line \\ é'
    path, link = bases_tab.IO.save(request=None, custom_labels=labels, ordering="variance")
    view = presets.load_uploaded_preset(path, BasesView)
    assert view.custom_labels == labels and bases_tab.IO.load_file(path)[-1] == labels
