"""The page-load row of the measured table (docs/benchmarks.md), from benchmarks/page-load.json: the app's page load
against the pages benchmarks/page_load.py loads beside it in the same run (its first tab alone, the floor drawn with
the app's Plot and with gradio's gr.Plot, and with `--against` the app at an earlier revision)."""

from __future__ import annotations

SOURCE = ".venv/bin/python benchmarks/page_load.py --loads 7 --against 0ace63c --out benchmarks/page-load.json"


def row(j: dict) -> tuple[str, str, str]:
    """The page-load row of the measured table (docs/benchmarks.md)."""
    floor, first, gr_floor = j.get("floor"), j.get("first_tab"), j.get("floor_gr_plot")
    against = (
        f"; a gradio page with only three plotly figures and a slider (benchmarks/page_floor_app.py) takes "
        f"{floor['median_s']:.1f} s in the same run, so the app is {j['app_over_floor']:.2f}× that floor"
        if floor
        else ""
    )
    if gr_floor:
        against += (
            f" (drawn with the app's Plot, plotly.js's cartesian bundle; with gradio's gr.Plot, which loads the whole "
            f"of plotly.js, the same page takes {gr_floor['median_s']:.1f} s: {j['floor_over_floor_gr_plot']:.2f}× "
            "with the app's Plot)"
        )
    if j.get("before"):
        against += (
            f"; the app at {j['before']['rev']} (before the cartesian bundle, the first tab drawn from its config and "
            "the lazy mount), "
            f"loaded in the same rounds, takes {j['before']['median_s']:.1f} s: {j['app_over_before']:.2f}× now"
        )
    if first:
        against += (
            f"; the app with its first tab alone (benchmarks/page_first_tab_app.py) takes {first['median_s']:.1f} s: "
            f"the app's page mounts {j['components']} components against {first['components']} (the other tabs "
            f"mount when first opened), and its config also carries their API copies ({j['in_config']} components "
            f"in all, {j['events'] - first['events']} more events): {j['app_over_first_tab']:.2f}× as long"
        )
    return (
        "page load → the first tab's figure drawn (fresh browser context)",
        f"median **{j['median_s']:.1f} s** ({j['min_s']:.1f}–{j['max_s']:.1f} over {j['loads']} loads; target "
        f"≤ {j['target_s']:.0f} s {'met' if j['meets_target'] else 'not met'}){against}",
        f"`python benchmarks/page_load.py{' --against ' + j['before']['rev'] if j.get('before') else ''} "
        "--out benchmarks/page-load.json`, Debian chromium, "
        f"{j['cpu_count']}-core CPU at load {j['load_avg_1min_start']:.1f}–{j['load_avg_1min_end']:.1f} (the run's "
        "own servers and browser included)",
    )
