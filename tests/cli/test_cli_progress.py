"""Feedback on long work in the CLI (issue 12 item 7): tqdm bars on stderr for `sample`, `train` and
`bench`, shown on a terminal (or DIFFLAB_PROGRESS=1), never mixed into --json output."""

import json

from diffusion_core import progress
from diffusion_core.cli.main import main
from diffusion_core.cli.train import progress_log


def test_sample_shows_a_bar_per_step(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DIFFLAB_PROGRESS", "1")
    code = main(
        [
            "sample",
            "--model",
            "digits-pca-gaussian",
            "--sampler",
            "heun",
            "--steps",
            "4",
            "--seed",
            "0",
            "--n",
            "2",
            "--out",
            str(tmp_path / "s.npy"),
            "--json",
        ]
    )
    out = capsys.readouterr()
    assert code == 0 and json.loads(out.out)["nfe"] == 7
    assert "sample heun" in out.err and "4/4" in out.err and "100%" in out.err


def test_no_bar_when_not_a_terminal(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("DIFFLAB_PROGRESS", raising=False)
    main(
        [
            "sample",
            "--model",
            "digits-pca-gaussian",
            "--sampler",
            "euler",
            "--steps",
            "3",
            "--seed",
            "0",
            "--n",
            "2",
            "--out",
            str(tmp_path / "s.npy"),
            "--json",
        ]
    )
    assert "%|" not in capsys.readouterr().err  # pytest's stderr is not a TTY


def test_train_log_lines_drive_the_bar(capsys, monkeypatch):
    monkeypatch.setenv("DIFFLAB_PROGRESS", "1")
    import sys

    with progress.bar(300, "train x", unit="step") as b:
        log = progress_log(b, sys.stderr)
        log("step 100/300 loss 0.81 lr 1e-3 5s (20 steps/s)", flush=True)
        log("step 300/300 loss 0.76 lr 1e-4 15s (20 steps/s)", flush=True)
        log("quality: evaluating", flush=True)
        assert b.n == 300
    err = capsys.readouterr().err
    assert "train x" in err and "300/300" in err and "loss 0.76" in err and "quality: evaluating" in err


def test_bench_loops_are_tracked(capsys, monkeypatch):
    monkeypatch.setenv("DIFFLAB_PROGRESS", "1")
    assert list(progress.track(range(3), "bench x", unit="case")) == [0, 1, 2]
    assert "bench x" in capsys.readouterr().err
    monkeypatch.setenv("RANK", "1")  # other torchrun ranks stay quiet
    assert not progress.enabled()
