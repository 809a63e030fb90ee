"""The measured numbers are generated from the benchmarks' JSON (issue 12 item 10, issue 21 item 5): every
number moves when the JSON does, a missing JSON names the command that writes it, and the MNIST pair
verdicts (ranking, targets, studies) are decided from mnist_models.json. The pages themselves are checked
fresh in tests/test_docs_generated.py."""

import json
import shutil

from diffusion_core.reports import measured, mnist, readme


def _bench(tmp_path):
    bench = tmp_path / "benchmarks"
    shutil.copytree(measured.ROOT / "benchmarks", bench)
    return bench


def test_numbers_follow_the_json(tmp_path):
    bench = _bench(tmp_path)
    g = json.loads((bench / "gud-covariance.json").read_text())
    for r in g["rows"]:
        r["sde_chain"] = r["ode_chain"] = 0.0123
    g["rows"][0]["ode_chain"] = 0.0456
    (bench / "gud-covariance.json").write_text(json.dumps(g))
    row = next(r for r in measured.rows(bench) if r[0].startswith("GUD covariance"))
    assert "1.23%–4.56%" in row[1]
    (bench / "quality.json").unlink()
    try:
        measured.rows(bench)
    except FileNotFoundError as e:
        assert "python -m diffusion_core.bench.quality benchmarks" in str(e)
    else:
        raise AssertionError("a missing JSON must say which command writes it")


def test_readme_numbers_follow_the_json(tmp_path):
    """The README's example and glance numbers come from spectral.json, quality.json, load-room.json, ..."""
    bench = _bench(tmp_path)
    s = json.loads((bench / "spectral.json").read_text())
    s["beta"]["camera"], s["bounds"]["camera"]["sigma_min"] = 9.87, 0.0321
    (bench / "spectral.json").write_text(json.dumps(s))
    rm = json.loads((bench / "load-room.json").read_text())
    rm["capacity"] = {"4": {"1": 20, "2": 45}}
    rm["runs"][0]["failures"] = 7
    (bench / "load-room.json").write_text(json.dumps(rm))
    blocks = readme.blocks(measured.ROOT, bench)
    assert "9.87" in blocks["example-numbers"] and "0.0321" in blocks["example-numbers"]
    assert "for 20 (1 worker), 45 (2 workers) students and 4 sampling runs; 7 failures in" in blocks["glance"]
    assert "torch==2.13.0+cpu" in readme.install("torch==2.13.0+cpu\n")


def test_mnist_pair_section_follows_the_json(tmp_path):
    """The targets (docs/models.md) and the per-cell ranking (benchmarks/mnist_models.md) are written from
    mnist_models.json (no hand-typed numbers); the two-seed pair table from pair_seeds.json
    (tests/docs/test_pair_seeds_report.py)."""
    bench = _bench(tmp_path)
    m = json.loads((bench / "mnist_models.json").read_text())
    for r in m["rows"]:
        if r["model"] == "mnist-li-gaussian-gaussian-unet2d":
            r["fd"], r["confident"] = 123.4, 0.95
    (bench / "mnist_models.json").write_text(json.dumps(m))
    block = measured.mnist_block(bench)
    assert "best 95.0%" in block and mnist.targets_sentence(m) in block
    page = mnist.markdown(m)
    assert "| 95.0% |" in page and "GG = UG 123.4" in page.split("Order by")[1]
    t, r = mnist.targets(m), mnist.ranking(m)
    assert t["confident_met"] and t["best_confident"]["confident"] == 0.95
    assert r["nets"][-1] == "gaussian-gaussian" and not r["gaussian_first"]  # now last: no longer first
    assert mnist.ranking_sentence(m) in page


def test_study_lines_follow_the_json(tmp_path):
    """Each study's line (bench.mnist_models --budget) is written from its rows and says whether 90% is met."""
    bench = _bench(tmp_path)
    m = json.loads((bench / "mnist_models.json").read_text())
    gg = [dict(r, model="gg-long") for r in m["rows"] if r["pair"] == "gaussian-gaussian"]
    for r, conf in zip(gg, (0.5, 0.876, 0.6, 0.7, 0.8, 0.912)):
        r["confident"] = conf
    study = {
        "model": "gg-long",
        "steps": 14000,
        "base_steps": 8000,
        "train_time": 2940.0,
        "params": 1,
        "change": "1.75× the steps (14,000)",
        "batch_size": 64,
        "preset": "p.toml",
        "final_loss": 0.14,
        "n": 256,
        "seed": 0,
        "rows": gg,
    }
    m["studies"] = [study]
    (bench / "mnist_models.json").write_text(json.dumps(m))
    block = measured.mnist_block(bench)
    line = mnist.study_sentence(m, study)
    assert f"- {line}" in block  # one bullet per study
    assert "`gg-long`, 49 min" in line and "87.6%" in line and "91.2% (ancestral-p, NFE 50)" in line
    gg[-1]["confident"] = 0.85
    (bench / "mnist_models.json").write_text(json.dumps(m))
    assert "87.6% (heun, NFE 25)" in mnist.study_sentence(m, study)
    assert mnist.study_sentence(m, study) in measured.mnist_block(bench)
