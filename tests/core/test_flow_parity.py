"""Flow-matching schedules against the installed diffusers' FlowMatchEulerDiscreteScheduler.

For every config of a grid over the scheduler's options (shift, dynamic shifting with mu or image_seq_len,
exponential / linear time shift, shift_terminal, Karras / exponential / beta spacings, invert_sigmas,
custom and FluxPipeline sigmas) and several N: diffusers' `sigmas` and `timesteps` after set_timesteps
equal ours to 1e-6 (sigmas) and 1e-6 * num_train_timesteps (timesteps; float32 ulp at 1000 is 6e-5).
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
import torch

from diffusion_core.cli.schedule import schedule_json
from diffusion_core.noise import flow as F
from diffusion_core.noise.discretization import build_schedule
from diffusion_core.noise.flow_schedule import flow_params, flow_set_timesteps
from diffusion_core.noise.schedules import FAMILIES
from diffusion_core.validation import InputError

diffusers = pytest.importorskip("diffusers")
DEFAULTS = {**F.SCHEDULER_DEFAULTS, **F.CALL_DEFAULTS}
CALL_KEYS = ("mu", "image_seq_len", "sigmas")


def flux_calculate_shift():
    """FluxPipeline's calculate_shift, taken from the installed diffusers source (importing the pipeline
    needs transformers, which the test extras do not install)."""
    import ast
    import pathlib

    path = pathlib.Path(diffusers.__file__).parent / "pipelines" / "flux" / "pipeline_flux.py"
    tree = ast.parse(path.read_text())
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "calculate_shift")
    scope: dict = {}
    exec(compile(ast.Module([fn], []), str(path), "exec"), scope)
    return scope["calculate_shift"]


def diffusers_run(n: int, opts: dict) -> tuple[np.ndarray, np.ndarray, float | None]:
    """diffusers' scheduler.sigmas / timesteps for config opts (+ FluxPipeline's mu / sigmas conventions)."""
    cfg = {k: v for k, v in opts.items() if k not in CALL_KEYS}
    sched = diffusers.FlowMatchEulerDiscreteScheduler(**cfg)
    mu, sigmas = opts.get("mu"), opts.get("sigmas")
    if opts.get("image_seq_len") is not None:
        mu = flux_calculate_shift()(
            opts["image_seq_len"],
            sched.config.base_image_seq_len,
            sched.config.max_image_seq_len,
            sched.config.base_shift,
            sched.config.max_shift,
        )
    if sigmas == "flux":
        sigmas = np.linspace(1.0, 1 / n, n)  # FluxPipeline.__call__
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if sigmas is None:
            sched.set_timesteps(n, mu=mu)
        else:
            sched.set_timesteps(sigmas=list(sigmas), mu=mu)
    return sched.sigmas.numpy(), sched.timesteps.numpy(), mu


def grid() -> list[tuple[int, dict]]:
    """~400 (N, options) pairs covering every option and their common combinations."""
    shifts = [{"shift": s} for s in (1.0, 3.0, 0.5, 7.0)]
    dyn = [
        {"use_dynamic_shifting": True, "mu": m, "time_shift_type": k}
        for m in (0.5, 1.15, 3.0)
        for k in ("exponential", "linear")
    ]
    dyn += [{"use_dynamic_shifting": True, "image_seq_len": L, "shift": 3.0} for L in (256, 1024, 4096, 16384)]
    dyn += [{"use_dynamic_shifting": True, "image_seq_len": 4096, "sigmas": "flux", "shift": 3.0}]
    extras = [
        {},
        {"shift_terminal": 0.1},
        {"use_karras_sigmas": True},
        {"use_exponential_sigmas": True},
        {"use_beta_sigmas": True},
        {"invert_sigmas": True},
        {"num_train_timesteps": 500},
    ]
    out = []
    for base, extra, n in itertools.product(shifts + dyn, extras, (2, 4, 10, 28, 50)):
        out.append((n, {**base, **extra}))
    for base, n in itertools.product(shifts + dyn, (1, 3)):
        out.append((n, dict(base)))
    custom = [1.0, 0.8, 0.5, 0.25, 0.1]
    out += [(5, {"shift": s, "sigmas": custom}) for s in (1.0, 3.0)]
    out += [(5, {"use_dynamic_shifting": True, "mu": 1.0, "sigmas": custom})]
    return out


GRID = grid()


def check_parity(configs: list[tuple[int, dict]]) -> tuple[float, float]:
    worst_s, worst_t = 0.0, 0.0
    for n, opts in configs:
        ds, dt, dmu = diffusers_run(n, opts)
        fs = flow_set_timesteps(n, flow_params(DEFAULTS, opts))
        assert fs.flow_sigmas.shape == ds.shape and fs.timesteps.shape == dt.shape, opts
        es = float(np.abs(fs.flow_sigmas.astype(np.float64) - ds).max())
        et = float(np.abs(fs.timesteps.astype(np.float64) - dt).max())
        assert es <= 1e-6 and et <= 1e-6 * opts.get("num_train_timesteps", 1000), (n, opts, es, et)
        if dmu is not None:
            assert fs.mu == pytest.approx(dmu, abs=1e-12)
        worst_s, worst_t = max(worst_s, es), max(worst_t, et)
    print(
        f"flow parity over {len(configs)} configs: max |sigmas| diff {worst_s:.2g}, max |timesteps| diff {worst_t:.2g}"
    )
    return worst_s, worst_t


@pytest.mark.slow
def test_grid_parity_with_diffusers():
    assert len(GRID) >= 500
    assert check_parity(GRID) == (0.0, 0.0)  # in fact bitwise on this diffusers version


def test_grid_parity_with_diffusers_quick():
    """Every 9th config of the grid (every option; beta spacing once, diffusers' is slow); the slow test runs all."""
    quick = [c for c in GRID[::9] if not c[1].get("use_beta_sigmas")] + [(4, {"shift": 3.0, "use_beta_sigmas": True})]
    check_parity(quick)


def test_double_shift_is_reproduced_and_named():
    """shift = 3: the last nonzero t is shift(shift(1/T)) = 0.0089286, and the note says so."""
    r = build_schedule("sd3", 4)
    assert float(r.flow.flow_sigmas[-2]) == pytest.approx(F.shift_sd3(F.shift_sd3(1e-3, 3.0), 3.0), rel=1e-6)
    assert float(r.flow.flow_sigmas[-2]) == pytest.approx(0.0089286, abs=1e-7)
    assert any("double shift" in s and "0.0089286" in s for s in r.flow.notes)


def test_contract_keys_and_t1():
    out = schedule_json("flow-match", 4, ["shift=3.0"])
    assert set(out) >= {"sigmas", "logsnr", "flow_sigmas", "timesteps"}
    assert len(out["flow_sigmas"]) == 5 and out["flow_sigmas"][-1] == 0.0 and len(out["timesteps"]) == 4
    t = np.array(out["flow_sigmas"][:-1])
    assert out["sigmas"][0] == F.SIGMA_T1 and out["sigmas"][-1] == 0.0  # t = 1 -> 2^24 - 1
    assert np.allclose(out["sigmas"][1:-1], t[1:] / (1 - t[1:]), rtol=1e-12)
    assert np.allclose(out["logsnr"][1:], 2 * np.log((1 - t[1:]) / t[1:]), atol=1e-12)


def test_flux_mu_from_image_seq_len():
    """FluxPipeline: mu = 0.5 at 256 tokens, 1.15 at 4096, linear in between (and beyond)."""
    assert F.calculate_shift(256) == pytest.approx(0.5) and F.calculate_shift(4096) == pytest.approx(1.15)
    r = build_schedule("flux", 8)
    assert r.flow.mu == pytest.approx(1.15)
    r = build_schedule("flux", 8, {"image_seq_len": "16384"})
    assert r.flow.mu == pytest.approx(0.5 + 0.65 * (16384 - 256) / 3840)
    assert any("LTX-2 #291" in s for s in r.flow.notes)


def test_shift_formulas_are_a_logsnr_offset():
    """SD3 shift s and the exponential time shift with mu = log s both move lam by -2 log s exactly."""
    t = torch.linspace(0.01, 0.99, 50, dtype=torch.float64)
    for s in (0.5, 3.0, 7.0):
        assert torch.allclose(F.lam_from_t(F.shift_sd3(t, s)), F.lam_from_t(t) - 2 * math.log(s), atol=1e-12)
        assert torch.allclose(F.time_shift_exponential(math.log(s), 1.0, t), F.shift_sd3(t, s), atol=1e-15)
        assert torch.allclose(F.time_shift_linear(s, 1.0, t), F.shift_sd3(t, s), atol=1e-15)


@pytest.mark.parametrize(
    "sets, words",
    [
        (["shift=0"], "shift"),
        (["shift=-1"], "shift"),
        (["mu=0.8"], "use_dynamic_shifting=true"),
        (["use_dynamic_shifting=true"], "needs mu"),
        (["use_dynamic_shifting=true", "mu=0.8", "image_seq_len=4096"], "not both"),
        (["use_karras_sigmas=true", "use_beta_sigmas=true"], "only one"),
        (["time_shift_type=cubic"], "time_shift_type"),
        (["bogus=1"], "unknown flow-match option"),
        (["use_dynamic_shifting=true", "mu=-1", "time_shift_type=linear"], "mu > 0"),
        (["sigmas=1,0.5,0.7,0.1"], "descending"),
        (["sigmas=1,0.5"], "steps = 4"),
    ],
)
def test_bad_input_one_line(sets, words):
    with pytest.raises(InputError) as e:
        schedule_json("flow-match", 4, sets)
    assert words in str(e.value) and "\n" not in str(e.value)


def test_shift_terminal_one_step_is_an_error_not_nan():
    with pytest.raises(InputError, match="N >= 2"):
        schedule_json("sd3", 1, ["shift_terminal=0.1"])


def test_flow_families_registered_for_every_view():
    assert {"flow-match", "sd3", "flux"} <= {n for n, f in FAMILIES.items() if f.kind == "flow"}


@pytest.mark.parametrize(
    "name, sets", [("sd3", []), ("flux", []), ("flow-match", ["use_karras_sigmas=true", "shift=2"])]
)
def test_diffusers_config_round_trip(name, sets):
    """--diffusers-config loads in diffusers and set_timesteps(**_set_timesteps) gives our flow_sigmas."""
    cfg = schedule_json(name, 6, sets, as_diffusers=True)
    call = cfg.pop("_set_timesteps")
    sched = diffusers.FlowMatchEulerDiscreteScheduler.from_config(cfg)
    assert type(sched).__name__ == cfg["_class_name"]
    sched.set_timesteps(**call)
    assert np.array_equal(sched.sigmas.numpy(), np.array(schedule_json(name, 6, sets)["flow_sigmas"], dtype=np.float32))
