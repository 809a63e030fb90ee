"""Issue 22: every generated sentence that sets two numbers side by side takes both from the same JSON entry
(same network, sampler, NFE budget, definition), or says in the same sentence that they differ. Each test
plants distinct values in a copy of the JSON and checks the sentence quotes the ones of the matching entry."""

import json
import math
import shutil

import pytest

from diffusion_core.reports import low_nfe, measured, mnist, readme

MAIN = "mnist-li-gaussian-gaussian-deep-sigma-high"


def _bench(tmp_path):
    bench = tmp_path / "benchmarks"
    shutil.copytree(measured.ROOT / "benchmarks", bench)
    return bench


def _edit(bench, name, change):
    j = json.loads((bench / f"{name}.json").read_text())
    change(j)
    (bench / f"{name}.json").write_text(json.dumps(j))
    return j


# --- autoguidance: against the same main network unguided, cell by cell


def _plant_autoguidance(res):
    """Distinct confident shares in every cell of the guided study and of its main network alone."""
    guided = next(st for st in res["studies"] if st.get("guide"))
    alone = next(st for st in res["studies"] if st["model"] == guided["model"] and not st.get("guide"))
    for k, r in enumerate(guided["rows"]):
        r["confident"], r["fd"] = 0.9301 + k / 1000, 20.01 + k
    for k, r in enumerate(alone["rows"]):
        r["confident"], r["fd"] = 0.6101 + k / 1000, 60.01 + k
    for r in res["rows"]:  # the pair table's network: a different one, never quoted beside the guided numbers
        r["confident"], r["fd"] = 0.1111, 11.11


def test_guided_sentence_compares_with_the_same_network_in_the_same_cell(tmp_path):
    bench = _bench(tmp_path)
    res = _edit(bench, "mnist_models", _plant_autoguidance)
    guided = next(st for st in res["studies"] if st.get("guide"))
    c = mnist.guided_comparison(res, guided)
    for a, b in ((c["heun"], c["heun_alone"]), (c["best"], c["best_alone"])):
        assert (a["sampler"], a["nfe_budget"], a["model"]) == (b["sampler"], b["nfe_budget"], b["model"])
    text = mnist.study_sentence(res, guided)
    g, u = c["heun"], c["heun_alone"]
    assert f"{100 * g['confident']:.1f}% confident and Fréchet {g['fd']:.1f} at Heun NFE {g['nfe']}" in text
    assert f"against {100 * u['confident']:.1f}% and Fréchet {u['fd']:.1f} for the same network" in text
    assert f"{100 * c['best_alone']['confident']:.1f}%" in text
    assert "11.1" not in text  # the pair table's network is not quoted beside the guided one
    assert "p_mean -1.2 (not 0)" in text and "Karras et al.'s guide differs only in those two" in text


def test_guided_sentence_without_the_unguided_network_says_so(tmp_path):
    bench = _bench(tmp_path)

    def drop_alone(res):
        _plant_autoguidance(res)
        res["studies"] = [st for st in res["studies"] if st["model"] != MAIN or st.get("guide")]

    res = _edit(bench, "mnist_models", drop_alone)
    text = mnist.study_sentence(res, next(st for st in res["studies"] if st.get("guide")))
    assert "the same network unguided was not measured" in text and "11.1" not in text


def test_unguided_study_sentence_names_its_baseline_as_another_network():
    """Studies compare with the baseline they were measured with (same metric), named as another network."""
    res = json.loads((measured.ROOT / "benchmarks" / "mnist_models.json").read_text())
    study = next(st for st in res["studies"] if not st.get("guide"))
    text = mnist.study_sentence(res, study)
    base = next(r for r in res["baseline"]["rows"] if r["sampler"] == "heun" and r["nfe_budget"] == 25)
    assert (
        "the baseline `mnist-li-gaussian-gaussian`, trained without this change and scored with the same metric" in text
    )
    assert f"{100 * base['confident']:.1f}%, {base['fd']:.1f})" in text


def test_readme_glance_states_one_network_and_leaves_the_guided_comparison_to_the_models_page(tmp_path):
    """The README's MNIST line names one network's number (no comparison across networks); the autoguidance
    comparison is made on docs/models.md, guided and unguided from the same cell of the same main network."""
    bench = _bench(tmp_path)
    res = _edit(bench, "mnist_models", _plant_autoguidance)
    study = next(st for st in res["studies"] if st.get("guide"))
    c = mnist.guided_comparison(res, study)
    line = next(x for x in readme.glance(bench).splitlines() if "MNIST" in x)
    assert f"{100 * mnist.targets(res)['best_confident']['confident']:.1f}% of samples" in line
    assert "guid" not in line and "on its own" not in line
    text = mnist.guided_sentence(res, study)
    b, bu = c["best"], c["best_alone"]
    assert (
        f"its best guided cell reaches {100 * b['confident']:.1f}% ({b['sampler']}, NFE {b['nfe']}) against "
        f"{100 * bu['confident']:.1f}%" in text
    )
    assert "for the same network unguided in that cell" in text


# --- Flexi-UNet: against its own architecture's bound; the paper's number named as another setting


def test_flexi_row_takes_ratio_bound_and_widths_from_one_entry(tmp_path):
    bench = _bench(tmp_path)

    def plant(j):
        r = j["flexi_vs_baseline"]
        r["flop_ratio"], r["pixel_work_bound"], r["paper_pixel_work_bound_64px_4L"] = 1.111, 2.222, 3.333
        r["mults"], r["flop_ratio_with_mults"] = [1, 1, 1], {"1-2-3": 1.444, "1-2-4": 1.567}

    _edit(bench, "scale-space-flexi", plant)
    row = next(r for r in measured.rows(bench) if r[0].startswith("Flexi-UNet"))[1]
    assert "FLOP ratio 1.11× against this schedule's pixel-work bound 2.22×" in row
    assert "channel multipliers (1, 1, 1)" in row and "(1, 2, 3) / (1, 2, 4)" in row and "1.44× / 1.57×" in row
    assert "wall clock at 64 px with 4 levels" in row and "bound 3.33×" in row


@pytest.mark.slow
def test_flexi_flop_ratios_come_from_the_projects_counter():
    """The shipped multipliers reproduce the JSON's measured FLOP ratio; the paper-like ones are smaller."""
    from diffusion_core.bench import flexi

    r = json.loads((measured.ROOT / "benchmarks" / "scale-space-flexi.json").read_text())["flexi_vs_baseline"]
    assert flexi.flop_ratio_with(tuple(r["mults"]), r["steps"]) == pytest.approx(r["flop_ratio"], rel=1e-12)
    for m, v in r["flop_ratio_with_mults"].items():
        assert flexi.flop_ratio_with(tuple(int(x) for x in m.split("-")), r["steps"]) == pytest.approx(v, rel=1e-12)
    assert r["flop_ratio_with_mults"]["1-2-4"] < r["flop_ratio_with_mults"]["1-2-3"] < r["flop_ratio"]
    assert flexi.paper_bound() == pytest.approx(1 / 0.5287, abs=1e-3)  # reference scale-space.md: 0.529, 1.89x


# --- resolution: the √(m/n) rule is an identity


def test_resolution_row_states_the_sqrt_rule_as_an_identity():
    from diffusion_core.noise.resolution import per_doubling

    for d in per_doubling("sd3-paper", (256, 512, 1024, 2048)):
        assert d == pytest.approx(-2 * math.log(2), abs=1e-12)  # by construction: shift ∝ side
    row = next(r for r in measured.rows() if r[0].startswith("resolution"))[1]
    assert "an identity, not a measurement" in row and "keeps the image mean" in row


# --- low NFE: the tight range's floor and where EDM overtakes, from quality.json


def test_quality_row_states_the_floor_of_the_same_range(tmp_path):
    bench = _bench(tmp_path)
    j = json.loads((bench / "quality.json").read_text())
    f = j["range_floors"]
    # the floor's tight range is the Karras-on-the-bounds schedule's range, measured the same way as its
    # floor_heun_1023nfe entry (Heun, 512 Karras steps), so the two agree to rounding
    scale = math.sqrt(0.25 * 32 * 32)
    assert f["tight_range"]["w2_rel"] * scale == pytest.approx(j["floor_heun_1023nfe"]["karras@bounds"], rel=1e-9)
    tb = j["tight_bounds"]
    assert (f["tight_range"]["sigma_min"], f["tight_range"]["sigma_max"]) == pytest.approx(
        (tb["sigma_min"], tb["sigma_max"]), rel=1e-12
    )

    def plant(q):
        q["range_floors"]["tight_range"]["w2_rel"] = 0.0777
        q["range_floors"]["start_at_sigma_max_only"]["w2_rel"] = 0.0555
        q["range_floors"]["stop_at_sigma_min_only"]["w2_rel"] = 0.0333

    _edit(bench, "quality", plant)
    row = next(r for r in measured.rows(bench) if r[0].startswith("low-NFE"))[1]
    assert "7.77% W2" in row and "alone 5.55%" in row and "alone 3.33%" in row


def test_edm_overtakes_where_the_rows_say(tmp_path):
    j = json.loads((measured.ROOT / "benchmarks" / "quality.json").read_text())
    w = {(r["sampler"], r["schedule"], r["nfe_budget"]): r["w2_rel"] for r in j["rows"]}
    for s in ("euler", "heun", "dpmpp_2m"):
        b = low_nfe.edm_overtakes(j, s)
        budgets = sorted({k[2] for k in w if k[0] == s})
        for n in budgets:
            best_tight = min(w[(s, t, n)] for t in low_nfe.TIGHT_RANGE)
            if n >= b:
                assert w[(s, "edm", n)] < best_tight
        before = budgets[budgets.index(b) - 1]
        assert w[(s, "edm", before)] >= min(w[(s, t, before)] for t in low_nfe.TIGHT_RANGE)
    assert low_nfe.edm_overtakes(j, "dpmpp_2m") == 32
    text = low_nfe.tight_reading(j)
    assert "from NFE 32 on with DPM++" in text and "below the range's own floor" in text
