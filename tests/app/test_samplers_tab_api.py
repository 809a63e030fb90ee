"""The running app answers gradio_client on /sample_compare and keeps serving after bad input."""

import pytest
from gradio_client import Client


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def _compare(client, **kw):
    args = dict(
        model="digits-pca-gaussian",
        samplers=["euler", "heun"],
        schedule="karras",
        steps=6,
        seed=0,
        noise_law="gaussian",
        n=4,
    )
    args.update(kw)
    return client.predict(*args.values(), api_name="/sample_compare")


def test_sample_compare_endpoint(client):
    panel, table, sweep, explanation = _compare(client)
    assert panel and "| euler | 6 |" in table and "| heun | 11 |" in table and "digits-pca-gaussian" in explanation


def test_bad_input_then_still_serving(client):
    with pytest.raises(Exception, match="choose 2 to 4 samplers"):
        _compare(client, samplers=["euler"])
    _, table, *_ = _compare(client, model="digits-empirical", samplers=["euler", "ddim"])
    assert "| ddim | 6 | **100%** |" in table


def test_trajectory_gif_and_preset_link_endpoints(client):
    args = ["digits-pca-gaussian", ["dpmpp_2m", "euler"], "karras", 5, 2, "gaussian", 4]
    gif, files = client.predict(*args, api_name="/sample_trajectory")
    assert str(gif).endswith(".gif")
    files, link = client.predict(*args, api_name="/sample_compare_preset")
    assert "tab=samplers" in link and "samplers=dpmpp_2m%2Ceuler" in link and "steps=5" in link
