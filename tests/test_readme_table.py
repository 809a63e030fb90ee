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
