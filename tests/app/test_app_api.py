"""The running app answers gradio_client on its stable api_names, and keeps serving after bad input."""

import pytest
from gradio_client import Client, handle_file


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def _spectrum(client, lam, **kw):
    args = dict(
        source="photo",
        photo="camera",
        dataset="photos",
        beta=2.0,
        seed=0,
        size=64,
        lam=lam,
        tau_lo=0.1,
        tau_hi=10.0,
        window=False,
        upload=None,
    )
    args.update(kw)
    return client.predict(*args.values(), api_name="/spectrum")


def test_spectrum_endpoint_answers(client):
    img, logspec, psd, snr, explanation, sigma = _spectrum(client, 1.0)
    assert img and "f*" in explanation and "VE σ" in sigma
    assert "λ = **1.00**" in explanation


def test_bad_input_is_one_line_and_server_keeps_serving(client, tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_text("this is text")
    with pytest.raises(Exception, match="not an image this app can read"):
        _spectrum(client, 0.0, source="upload", upload=handle_file(str(bad)))
    with pytest.raises(Exception, match=r"must be in \[-12, 12\] \(the slider's range\), got 99"):
        _spectrum(client, 99.0)
    with pytest.raises(Exception, match="tau_lo"):
        _spectrum(client, 0.0, tau_lo=1.0, tau_hi=1.0)
    *_, explanation, _ = _spectrum(client, -2.0)  # still serving
    assert "λ = **-2.00**" in explanation


def test_upload_through_the_api(client, tmp_path):
    import numpy as np
    from PIL import Image

    p = tmp_path / "ok.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (40, 50, 3), np.uint8)).save(p)
    img, *_, explanation, _ = _spectrum(client, 0.0, source="upload", upload=handle_file(str(p)))
    assert "your upload" in explanation
