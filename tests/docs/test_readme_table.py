"""The README's measured table is generated from the benchmarks' JSON (issue 12 item 10): it matches
what `python -m diffusion_core.bench.readme` writes, and every number moves when the JSON does."""
import json
import shutil

from diffusion_core.bench import readme


def test_readme_matches_the_benchmarks_json():
    text = (readme.ROOT / "README.md").read_text()
    assert readme.render(text) == text, "run: python -m diffusion_core.bench.readme"


def test_numbers_follow_the_json(tmp_path):
    bench = tmp_path / "benchmarks"
    shutil.copytree(readme.ROOT / "benchmarks", bench)
    g = json.loads((bench / "gud-covariance.json").read_text())
    for r in g["rows"]:
        r["sde_chain"] = r["ode_chain"] = 0.0123
    g["rows"][0]["ode_chain"] = 0.0456
    (bench / "gud-covariance.json").write_text(json.dumps(g))
    row = next(r for r in readme.rows(bench) if r[0].startswith("GUD covariance"))
    assert "1.23%–4.56%" in row[1]
    (bench / "quality.json").unlink()
    try:
        readme.rows(bench)
    except FileNotFoundError as e:
        assert "python -m diffusion_core.bench.quality benchmarks" in str(e)
    else:
        raise AssertionError("a missing JSON must say which command writes it")


def test_mnist_pair_section_follows_the_json(tmp_path):
    """The MNIST pair table, ranking and targets are written from mnist_models.json (no hand-typed numbers)."""
    bench = tmp_path / "benchmarks"
    shutil.copytree(readme.ROOT / "benchmarks", bench)
    m = json.loads((bench / "mnist_models.json").read_text())
    for r in m["rows"]:
        if r["model"] == "mnist-li-gaussian-gaussian":
            r["fd"], r["confident"] = 123.4, 0.95
    (bench / "mnist_models.json").write_text(json.dumps(m))
    block = readme.mnist_block(bench)
    assert "| gaussian–gaussian | 1.98 | 95.0% |" in block and "| 123.4 |" in block
    assert "confident ≥ 90%: best 95.0%" in block and "met;" in block
    assert "GG = UG 123.4" in block.split("Order by")[1]                 # now last: no longer first
    assert "do not both come first" in block


def test_study_sentences_follow_the_json(tmp_path):
    """Each study's sentence (mnist_report --budget) is written from its rows and says whether 90% is met."""
    bench = tmp_path / "benchmarks"
    shutil.copytree(readme.ROOT / "benchmarks", bench)
    m = json.loads((bench / "mnist_models.json").read_text())
    gg = [dict(r, model="gg-long") for r in m["rows"] if r["pair"] == "gaussian-gaussian"]
    for r, conf in zip(gg, (0.5, 0.876, 0.6, 0.7, 0.8, 0.912)):
        r["confident"] = conf
    m["studies"] = [{"model": "gg-long", "steps": 14000, "base_steps": 8000, "train_time": 2940.0, "params": 1,
                     "change": "1.75× the steps (14,000)", "batch_size": 64, "preset": "p.toml", "final_loss": 0.14,
                     "n": 256, "seed": 0, "rows": gg}]
    (bench / "mnist_models.json").write_text(json.dumps(m))
    block = readme.mnist_block(bench)
    assert "With 1.75× the steps (14,000) (`gg-long`, 49 min on the 2-core CPU shared with the session's other work)" in block
    assert "87.6% confident" in block and "reaches 91.2% (ancestral-q, NFE 50)" in block
    assert "target is met with it" in block
    gg[-1]["confident"] = 0.85
    (bench / "mnist_models.json").write_text(json.dumps(m))
    assert "reaches 87.6% (heun, NFE 25), so the ≥ 90% target is still not met" in readme.mnist_block(bench)
