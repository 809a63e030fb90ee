"""Per-step progress of the app's long work (issue 12 item 7): each handler calls its progress callback
once per step of the core's loop, with fractions that rise to the end of the bar (no server)."""

from diffusion_core.app.bases import handlers as bases
from diffusion_core.app.scale_space import exports as scale_space_exports
from diffusion_core.app.scale_space import handlers as scale_space
from diffusion_core.gud.process import steps_for_rule
from diffusion_core.gud.setup import build
from diffusion_core.scale_space.sampler import timesteps


def _recorder():
    calls = []
    return calls, lambda frac, text: calls.append((frac, text))


def _rising(fracs):
    return all(b > a for a, b in zip(fracs, fracs[1:])) and 0 < fracs[0] and fracs[-1] <= 1.0


def test_bases_reverse_reports_every_step():
    view = bases.make_view(steps=0, frames=3)  # the default step rule ("fast")
    steps = steps_for_rule(build(view, None).schedule, 0)
    calls, progress = _recorder()
    r = bases.basis_reverse(view, None, progress)
    assert len(calls) == steps == 50 and r.captions[0].endswith(f"{steps} steps)")
    assert _rising([f for f, _ in calls]) and calls[-1] == (1.0, "reverse step 50/50 (sde)")


def test_scale_space_sampling_reports_every_step_of_both_samplers():
    view = scale_space.ScaleSpaceView(sample_size=8, sample_levels=2, n_samples=4, steps=20)
    total = len(timesteps(scale_space.T, 20))
    calls, progress = _recorder()
    scale_space.sample_compare(view, progress)
    assert len(calls) == 2 * total == 40
    assert [t for _, t in calls][total - 1 : total + 1] == ["SSD 2L: step 20/20", "DDPM: step 1/20"]
    assert _rising([f for f, _ in calls]) and abs(calls[-1][0] - 0.95) < 1e-12


def test_scale_space_reverse_gif_reports_every_step(tmp_path):
    view = scale_space.ScaleSpaceView(sample_size=8, sample_levels=2, steps=20)
    calls, progress = _recorder()
    path = scale_space_exports.reverse_gif(view, frames=5, progress=progress)
    assert path.endswith(".gif") and len(calls) == len(timesteps(scale_space.T, 20)) == 20
    assert _rising([f for f, _ in calls]) and calls[-1][1] == "SSD trajectory: step 20/20"


def test_samplers_figure_export_reports_every_sampling_step():
    from diffusion_core.app.samplers import handlers as samplers

    view = samplers.SamplersView(model="digits-pca-gaussian", samplers=("euler", "ddim"), steps=6, n=4, seed=11)
    calls, progress = _recorder()
    files = samplers.compare_figures(view, progress)
    steps = [t for _, t in calls if ": step " in t]
    assert len(files) == 3 and len(steps) == 2 * 6 and {"euler: step 6/6", "ddim: step 6/6"} <= set(steps)


def test_four_schedules_reports_each_schedule_row():
    calls, progress = _recorder()
    img, caption = bases.four_schedules("chelsea", 8, True, n=3, progress=progress)
    assert [f for f, _ in calls] == [0.25, 0.5, 0.75, 1.0]
    assert calls[1][1] == "schedule 2/4 (variance matched) done" and caption.startswith("Rows: standard;")
    assert img.shape[0] == 4 * (8 + 2)  # four rows of 8 px, each with a 2 px gap


def test_basis_forward_reports_its_four_stages():
    calls, progress = _recorder()
    r = bases.basis_forward(bases.make_view(frames=3), None, progress)
    assert [f for f, _ in calls] == [0.25, 0.5, 0.75, 1.0] and len(r.frames) == 3
    assert calls[1][1] == "stage 2/4: 3 forward frames"


def test_spectrum_figure_export_reports_after_each_figure():
    from diffusion_core.app.spectrum import handlers as spectrum

    calls, progress = _recorder()
    files = spectrum.spectrum_figures(spectrum.SpectrumView(size=32), None, progress)
    assert len(files) == 6 and [f for f, _ in calls] == [0.25, 0.5, 0.75, 1.0]
    assert (
        calls[-1][1] == "figure 3/3 (log-spectrum.png + .svg)"
        and files[-1].endswith(".svg")
        and "log-spectrum-" in files[-1]
    )
