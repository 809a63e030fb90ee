"""No server files through the UI (issue 12 item 2): text inputs take bundled names, digit:N and
field:BETA[:SEED] only, the message is the same whether a file of that name exists or not, files come
in through upload components, and the CLI keeps taking paths."""

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest

from diffusion_core import data
from diffusion_core.app.bases import handlers as bases
from diffusion_core.app.increments import handlers as increments
from diffusion_core.app.samplers import handlers as samplers
from diffusion_core.app.scale_space import handlers as scale_space
from diffusion_core.app.schedules import handlers as schedules
from diffusion_core.app.spectrum import handlers as spectrum
from diffusion_core.gud.setup import BasesView, build
from diffusion_core.presets import from_query
from diffusion_core.validation import InputError

APP = Path(data.__file__).parent / "app"
LAYOUT = sorted([*APP.glob("*/*layout.py"), *APP.glob("widgets/*.py")])  # every module that builds controls
VIEWS = [
    spectrum.SpectrumView,
    schedules.SchedulesView,
    increments.IncrementsView,
    BasesView,
    scale_space.ScaleSpaceView,
    samplers.SamplersView,
]


@pytest.fixture(scope="module")
def server_files(tmp_path_factory):
    """An image and an NPY the server could read, and a path that does not exist."""
    d = tmp_path_factory.mktemp("server")
    np.save(d / "secret.npy", np.zeros((16, 16), np.float32))
    from PIL import Image

    Image.fromarray(np.zeros((16, 16), np.uint8)).save(d / "secret.png")
    return [str(d / "secret.npy"), str(d / "secret.png"), "/etc/passwd", str(d / "missing.png"), "../secret.png"]


def _message(fn) -> str:
    with pytest.raises(InputError) as e:
        fn()
    return str(e.value)


def _anonymous(msg: str, path: str) -> str:
    return msg.replace(repr(path if len(path) <= 40 else path[:37] + "..."), "PATH")


def test_bases_image_box_never_opens_a_server_file(server_files):
    msgs = {_anonymous(_message(lambda p=p: bases.basis_forward(BasesView(image=p, size=16))), p) for p in server_files}
    assert len(msgs) == 1, msgs  # existing or not: one and the same message
    (msg,) = msgs
    assert "digit:N or field:BETA[:SEED]" in msg and "upload" in msg and "\n" not in msg
    for word in ("not found", "exist", "corrupt", "truncated", "empty"):
        assert word not in msg


@pytest.mark.parametrize("image", ["camera", "digit:3", "field:2.5", "field:2.5:7"])
def test_bases_image_box_takes_names(image):
    size = 8 if image.startswith("digit") else 16
    assert build(BasesView(image=image, size=size)).x0.shape[-1] == size


def test_links_and_presets_cannot_name_files(server_files):
    """Every string field of every tab's view, set from a link to a server path, is rejected."""
    for cls in VIEWS:
        for f in dataclasses.fields(cls):
            if f.type not in ("str", str) or f.name in ("custom_labels", "custom_points"):
                continue  # number lists, parsed when used (tested below)
            for p in server_files[:3]:

                def make(cls=cls, f=f, p=p):
                    v = from_query({f.name: p}, cls)
                    if cls is BasesView:
                        build(v)

                _message(make)


def test_custom_labels_are_numbers_only(server_files):
    v = BasesView(image="digit:0", ordering="custom", custom_labels=server_files[0])
    assert "custom labels must be numbers" in _message(lambda: build(v))
    msg = _message(lambda: schedules.SchedulesView(schedules=("custom",), custom_points=server_files[2]))
    assert "control points" in msg


def test_every_text_input_of_the_layout_is_known():
    """The audit: free-text boxes and dropdowns that take custom values, with what each accepts."""
    known = {
        "Link to this view": "output (copied, never read)",
        "Link to this diff": "output (copied, never read)",
        "Custom labels (ordering custom)": "numbers (parse_labels)",
        "Image: digit:N (8x8 digits), photo, field:BETA": "names (check_image_name)",
        "Steps (fast: a few seconds": "an integer step count or rule (check_int in gud.setup.build)",
        "Model: a registry name, or the name of a model folder": "registry name or folder inside MODELS_DIR "
        "(models.folders.check_model_ref, allow_paths=False)",
        "Autoguidance: a weaker model of the same data": "registry name or folder inside MODELS_DIR, or empty "
        "(models.folders.check_model_ref in SamplersView, allow_paths=False)",
        "`custom`: your own λ(t)": "t:λ control points (schedules.parse_points)",
        "Your answer": "a number (workshop.parse_answer)",
        "Room address for worksheet links": "an http(s)://HOST:PORT/ URL, teacher only (workshop layout set_address)",
        "Config A": "schedule spec, sigma list or pasted JSON (noise.inspector.resolve)",
        "Config B": "schedule spec, sigma list or pasted JSON (noise.inspector.resolve)",
    }
    found = []
    for py in LAYOUT:
        src = py.read_text()
        for m in re.finditer(r"gr\.(Textbox|Dropdown|TextArea|Code)\((.*?)\)\n", src, re.S):
            body = m.group(2)
            if m.group(1) == "Dropdown" and "allow_custom_value=True" not in body:
                continue  # choices are checked by Gradio and the view
            label = re.search(r'label=f?"([^"]*)"', body)
            found.append(label.group(1) if label else f"{py.name}: unlabelled {m.group(1)}")
    assert found and all(any(lab.startswith(k) for k in known) for lab in found), found


def test_cli_keeps_taking_paths(tmp_path):
    from PIL import Image

    p = tmp_path / "ramp.png"
    Image.fromarray(np.tile(np.arange(64, dtype=np.uint8) * 4, (64, 1))).save(p)
    assert data.image_from_arg(str(p), 32).shape == (1, 1, 32, 32)
    with pytest.raises(InputError, match="upload"):
        data.image_from_name(str(p), 32)
    assert build(BasesView(image=str(p), size=16), files=True).x0.shape == (1, 1, 16, 16)


def test_schedule_inspector_configs_never_open_files(server_files):
    from diffusion_core.noise.inspector import resolve

    msgs = {_message(lambda p=p: resolve(p, 10)).replace(repr(p), "PATH") for p in server_files}
    assert len(msgs) == 1 and "unknown schedule" in msgs.pop()
