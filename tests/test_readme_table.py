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
