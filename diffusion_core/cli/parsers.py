"""Every `difflab` command's argparse parser, built without importing the core's heavy modules.

`difflab --version` and every `--help` are answered from here alone: nothing below imports torch, scipy,
matplotlib, plotly or gradio (tests/cli/test_cli_start.py checks it with `python -X importtime`). The name
lists that the help texts show are copies of the core's tables (NAMES); a test keeps each one equal to
the table it names, so the help cannot drift from what the commands accept.
"""

from __future__ import annotations

import argparse
import os

# Help-text copies of the core's name tables (tests/cli/test_cli_start.py: each equals its source).
NAMES: dict[str, tuple[str, ...]] = {
    "photos": ("astronaut", "camera", "coffee", "chelsea"),  # data.PHOTOS[:4]
    "resizes": ("prefilter", "box"),  # data.RESIZES
    "laws": ("gaussian", "laplace", "uniform", "rademacher", "student-t"),  # nonnormal.laws.LAWS
    "forms": ("euler", "ddpm"),  # nonnormal.walks.FORMS
    "grids": ("left", "right"),  # nonnormal.walks.GRIDS
    "samplers": ("euler", "heun", "dpmpp_2m", "ddim", "ddpm_ancestral", "euler_ancestral"),  # noise.samplers
    "step_noises": ("white", "coloured", "brownian"),  # nonnormal.controls.STEP_NOISES
    "schedules": (
        "ddpm-linear",
        "scaled-linear",
        "cosine",
        "cosine-continuous",
        "shifted-cosine",
        "karras",
        "edm",
        "exponential",
        "logsnr-linear",
        "vp",
        "custom",
        "flow-match",
        "sd3",
        "flux",
        "tight-frequency",
        "tight-power",
        "tight-mixed",
        "tight-frequency-crossing",
        "tight-power-crossing",
        "tight-mixed-crossing",
    ),  # noise.schedules.FAMILIES
}
# Help-text copies of the core's limits (same test).
MAX_STEPS, MAX_N, MAX_W = 1000, 4096, 10.0  # sampling.run.MAX_STEPS, MAX_N; denoisers.autoguidance.MAX_W

# name -> "module:function"; each function is run(quick: bool) -> dict (cli/bench.py runs it).
BENCHMARKS: dict[str, str] = {
    "latency": "diffusion_core.bench.latency:run",
    "increments": "diffusion_core.bench.increments:run",
    "quality": "diffusion_core.bench.quality:run",
    "gud-covariance": "diffusion_core.bench.gud_covariance:run",
    "sampling": "diffusion_core.bench.sampling:run",
    "scale-space": "diffusion_core.bench.scale_space:run",
    "spectral": "diffusion_core.bench.spectral:run",
    "resolution": "diffusion_core.bench.resolution:run",
    "slider-latency": "diffusion_core.bench.slider_latency:run",
    "likelihood": "diffusion_core.bench.likelihood:run",
}
# Options of one benchmark (flag -> run() keyword); given to any other benchmark they are an error.
BENCH_OPTIONS = {"likelihood": ("model", "n", "steps", "pair", "seed")}

# The GUD view's flags shared by component-schedule and basis-forward: (flag, field, type, help).
VIEW_ARGS = [
    ("--image", "image", str, "digit:N (8x8 digits), a bundled photo name, field:BETA[:SEED], a file or - (stdin)"),
    ("--size", "size", int, "image size (digits: 8)"),
    ("--basis", "basis", str, "pixel | fourier | dct | wavelet | pca"),
    ("--wavelet", "wavelet", str, "orthogonal wavelet family (haar, db2, sym4, ...)"),
    ("--levels", "levels", int, "wavelet levels (size must be divisible by 2^levels)"),
    ("--r", "r", float, "prior exponent: 0 white prior, 1 data-matched (whitened)"),
    ("--kind", "kind", str, "soft | sequential | level-column"),
    ("--ordering", "ordering", str, "variance | frequency | level | column | row | random | custom"),
    ("--a", "a", float, "inverse softness a >= 0 of the soft-conditioning schedule"),
    ("--softness", "softness", float, "sequential schedules: softness b > 0 (tau_max = min(1/b, 0.99))"),
    ("--column-weight", "column_weight", float, "level-column schedule: l = level + w * column, w in [0, 1]"),
    ("--gamma-denoise", "gamma_denoise", float, "clean edge of the band (default -7)"),
    ("--gamma-noise", "gamma_noise", float, "noisy edge of the band (default 3)"),
    ("--seed", "seed", int, "seed (noise, random ordering, fields)"),
    ("--custom-labels", "custom_labels", str, "ordering custom: comma-separated labels, one per component"),
]

Sub = argparse._SubParsersAction


def _image_help(formats: str) -> str:
    return (
        f"image file ({formats}), a bundled photo name ({', '.join(NAMES['photos'])}, ...), "
        "field:BETA[:SEED], or - (read from stdin)"
    )


def _add_resize(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--resize",
        default="prefilter",
        help=f"resampler for photos and files: {'|'.join(NAMES['resizes'])}; prefilter = scikit-image's Gaussian "
        "prefilter + linear interpolation, box = mean over each output pixel's footprint (2x2 for a factor 2); "
        "fields are drawn at SIZE (default prefilter)",
    )


def add_app(sub: Sub) -> None:
    p = sub.add_parser("app", help="launch the Gradio app (binds 127.0.0.1 unless asked)")
    p.add_argument(
        "--host",
        default=os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1",
        help="interface to bind (default: $GRADIO_SERVER_NAME, else 127.0.0.1)",
    )
    p.add_argument(
        "--port",
        type=int,
        default=os.environ.get("GRADIO_SERVER_PORT") or 7860,
        help="port (default: $GRADIO_SERVER_PORT, else 7860)",
    )
    p.add_argument(
        "--teacher-key",
        default=None,
        help="the workshop's teacher key: the teacher opens /?teacher=KEY (default: $DIFFLAB_TEACHER_KEY, else a "
        "random key, printed at launch)",
    )
    p.add_argument(
        "--room-db",
        default=None,
        help="SQLite file of the workshop room's answers, shareable by several app processes (default: "
        "$DIFFLAB_ROOM_DB, else ./difflab-data/room.sqlite)",
    )


def add_spectrum(sub: Sub) -> None:
    p = sub.add_parser("spectrum", help="radially averaged power spectrum and power-law fit of an image")
    p.add_argument("image", help=_image_help("PNG, JPEG, TIFF, WebP, GIF, NPY"))
    p.add_argument("--size", type=int, default=256, help="centre crop resized to SIZE x SIZE (default 256)")
    p.add_argument("--window", action="store_true", help="apply a Hann window before the FFT")
    _add_resize(p)
    p.add_argument("--json", action="store_true", help="print JSON")


def add_bench(sub: Sub) -> None:
    p = sub.add_parser("bench", help="run a benchmark: " + ", ".join(BENCHMARKS))
    p.add_argument("name", help="one of: " + ", ".join(BENCHMARKS))
    p.add_argument("--quick", action="store_true", help="short form (as used by the tests)")
    p.add_argument("--device", default="auto", help="auto|cpu|cuda|mps for benchmarks that run networks (sampling)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--model", default=None, help="likelihood: a pair network (default mnist-li-gaussian-gaussian-unet2d)"
    )
    p.add_argument("--n", default=None, help="likelihood: held-out digits to score, 1..1000 (default 1000)")
    p.add_argument("--steps", default=None, help="likelihood: N of the chain (default 50)")
    p.add_argument("--pair", default=None, help="likelihood: the (q, p) pair (default: the network's own)")
    p.add_argument("--seed", default=None, help="likelihood: seed of the dequantisation and noise draws (default 0)")


def add_increments(sub: Sub) -> None:
    p = sub.add_parser("increments", help="moments, kurtosis and KS of the VP walk with a non-normal increment law")
    p.add_argument("--law", required=True, help=f"increment law: {'|'.join(NAMES['laws'])}")
    p.add_argument("--steps", required=True, help="number of walk steps N >= 1")
    p.add_argument("--paths", default="100000", help="Monte Carlo paths M (default 100000)")
    p.add_argument("--seed", default="0", help="torch.Generator seed (default 0)")
    p.add_argument("--form", default="ddpm", help=f"step form: {'|'.join(NAMES['forms'])} (default ddpm)")
    p.add_argument(
        "--grid", default="right", help=f"where beta is read in each step: {'|'.join(NAMES['grids'])} (default right)"
    )
    p.add_argument("--nu", default="10", help="student-t degrees of freedom, > 4 (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON")


def add_bounds(sub: Sub) -> None:
    p = sub.add_parser("bounds", help="spectrum-derived useful noise range (sigma_min, sigma_max) of an image")
    p.add_argument("image", help=_image_help("PNG, JPEG, TIFF, WebP, NPY"))
    p.add_argument("--size", default=256, help="centre crop resized to SIZE x SIZE (default 256)")
    p.add_argument("--tau-lo", default=0.1, help="SNR below which a frequency is destroyed (default 0.1)")
    p.add_argument("--tau-hi", default=10.0, help="SNR above which a frequency is resolved (default 10)")
    p.add_argument(
        "--dc",
        default="include",
        help="include: sigma_max from max(DC, lowest ring); exclude: lowest non-DC ring only (default include)",
    )
    _add_resize(p)
    p.add_argument("--json", action="store_true", help="print JSON")


def add_schedule(sub: Sub) -> None:
    p = sub.add_parser("schedule", help="sigmas / logSNR / timesteps of a noise schedule cut into N steps")
    p.add_argument(
        "name", help=f"schedule family: {', '.join(NAMES['schedules'])}; or `diff A B` to compare two configs"
    )
    p.add_argument(
        "configs",
        nargs="*",
        help="with diff: two configs, each NAME[:key=value,...], sigmas:a,b,...,0 "
        "or a diffusers scheduler_config.json file",
    )
    p.add_argument("--steps", required=True, help="number of sampling steps N (N + 1 sigmas)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="family parameter, e.g. sigma_min=0.002, rho=7, timestep_spacing=trailing (repeatable)",
    )
    p.add_argument(
        "--image", default=None, help="image for tight-* schedules: file, photo name, field:BETA, or - (stdin)"
    )
    p.add_argument("--size", default=256, help="image side for tight-* schedules (default 256)")
    p.add_argument(
        "--diffusers-config",
        action="store_true",
        help="print a diffusers EulerDiscreteScheduler config as JSON (loads with from_config)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")


def add_view_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--preset", help="a preset under presets/ (e.g. bases/standard.toml); flags override it")
    for flag, _, typ, text in VIEW_ARGS:
        p.add_argument(flag, type=typ, default=None, help=text)
    p.add_argument("--color", action="store_true", default=None, help="keep colour (3 channels)")
    p.add_argument("--clip", action="store_true", default=None, help="clip gamma to the band (beta = 0 outside)")
    p.add_argument("--json", action="store_true", help="print JSON")


def add_basis_forward(sub: Sub) -> None:
    p = sub.add_parser("basis-forward", help="GUD forward (or --reverse) process of one image in a basis")
    add_view_args(p)
    p.add_argument("--frames", type=int, default=None, help="number of frames (default 9)")
    p.add_argument("--reverse", action="store_true", help="run the reverse process with the exact denoiser")
    p.add_argument("--denoiser", default=None, help="gaussian | empirical (digits)")
    p.add_argument("--method", default=None, help="sde (Euler-Maruyama) | ode (probability flow)")
    p.add_argument(
        "--steps",
        type=int,
        default=None,
        help="reverse steps (default 0 = fast: 2 x slope, >= 50; -1 = accurate: 8 x slope, >= 200)",
    )
    p.add_argument("--out", required=True, help="a folder (PNG frames), a .gif / .mp4 file, or - (a GIF on stdout)")


def add_component_schedule(sub: Sub) -> None:
    p = sub.add_parser("component-schedule", help="GUD component-wise schedule table of a view")
    add_view_args(p)
    p.add_argument("--times", type=int, default=11, help="number of time points t = 0 .. 1 (default 11)")
    p.add_argument("--out", help="write the table as CSV (one row per component); - writes it to stdout")


def add_sample(sub: Sub) -> None:
    p = sub.add_parser("sample", help="draw samples from a registered model with any sampler and schedule")
    p.add_argument(
        "--model",
        required=True,
        help="model name (see `difflab models`), a model folder (exported, or a diffusers pipeline folder: unet/ + "
        "scheduler/), the name of a folder in $DIFFLAB_MODELS_DIR (default ./models), or a hub id when online",
    )
    p.add_argument(
        "--sampler",
        default="auto",
        help=f"sampler: {', '.join(NAMES['samplers'])}, or auto (default: a diffusers folder's scheduler step; a GUD "
        "network's component-wise ddim; else heun)",
    )
    p.add_argument(
        "--steps",
        default=None,
        help=f"sampling steps N, 1..{MAX_STEPS} (default: the model's, NFE 25 for heun, 50 for a GUD network's ddim)",
    )
    p.add_argument("--seed", required=True, help="torch.Generator seed, >= 0 (same seed, same pixels)")
    p.add_argument("--n", required=True, help=f"number of samples K, 1..{MAX_N}")
    p.add_argument(
        "--out",
        required=True,
        help="output file: .png (grid) or .npy (float32 [K, C, H, W] in [-1, 1]); - writes the PNG grid to stdout",
    )
    p.add_argument(
        "--schedule",
        default=None,
        help="schedule family over the model's sigma range, or scheduler (a diffusers folder's own set_timesteps); "
        "default: scheduler for a diffusers folder, else karras",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a diffusers folder's scheduler option, e.g. timestep_spacing=trailing, prediction_type=v_prediction, "
        "clip_sample=false, shift=3 (repeatable; the names of its scheduler_config.json)",
    )
    p.add_argument("--noise-law", default="gaussian", help=f"law of the injected noise: {'|'.join(NAMES['laws'])}")
    p.add_argument(
        "--step-noise",
        default="white",
        help=f"{'|'.join(NAMES['step_noises'])}: i.i.d. draws of the "
        "law, the law's draws coloured to a power spectrum f^-slope, or increments of one Brownian path "
        "per seed (the same path for every --steps; gaussian law only)",
    )
    p.add_argument(
        "--noise-slope",
        default=1.0,
        help="coloured step noise: spectral slope in [0, 4] (0 white, 1 pink, 2 brown; default 1)",
    )
    p.add_argument("--eta", default=0.0, help="DDIM eta in [0, 1] (sampler ddim): 0 deterministic, 1 = DDPM ancestral")
    p.add_argument(
        "--s-churn",
        default=0.0,
        help="EDM churn (samplers euler, heun; Karras et al. 2022 Alg. 2): S_churn >= 0, default 0 = off",
    )
    p.add_argument("--s-tmin", default=0.0, help="churn only where sigma >= S_tmin (default 0)")
    p.add_argument("--s-tmax", default="inf", help="churn only where sigma <= S_tmax (default inf; JSON null)")
    p.add_argument("--s-noise", default=1.0, help="churn noise scale S_noise (default 1)")
    p.add_argument(
        "--guide",
        default=None,
        help="autoguidance (Karras et al. 2024): a weaker model of the same "
        "data (name or folder) whose errors the samples are steered away from; NFE counts both models",
    )
    p.add_argument("--guidance", default=1.0, help=f"autoguidance weight w in [0, {MAX_W:g}] (1 = the model alone)")
    p.add_argument(
        "--device",
        default="auto",
        help="auto|cpu|cuda|mps: where the network runs (auto: cuda, mps, "
        "then cpu; exact denoisers always run on the cpu)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")


def add_models(sub: Sub) -> None:
    p = sub.add_parser("models", help="list the registered models, or --export one as a hub folder")
    p.add_argument(
        "--export", metavar="NAME", help="write trained model NAME as config.json + model.safetensors + README.md"
    )
    p.add_argument("--out", help="the folder --export writes (created if missing)")
    p.add_argument("--json", action="store_true", help="print JSON")


def add_train(sub: Sub) -> None:
    p = sub.add_parser("train", help="train a small UNet denoiser from presets/train/*.toml (torchrun/DDP)")
    p.add_argument("preset", help="preset file under presets/ (e.g. train/field-beta2-32-unet.toml)")
    p.add_argument("--nproc", default=None, help="processes per node for torchrun (default: the preset's nproc)")
    p.add_argument(
        "--out-dir", default=None, help="where the weights go (default: the package's models/weights folder)"
    )
    p.add_argument(
        "--device",
        default="auto",
        help="auto|cpu|cuda|mps (auto: cuda, mps, then cpu; cuda: one GPU per torchrun rank)",
    )
    p.add_argument("--no-launch", action="store_true", help="train in this process (no torchrun)")
    p.add_argument("--quick-eval", action="store_true", help="small quality evaluation (smoke runs)")
    p.add_argument("--json", action="store_true", help="print JSON")


# command -> the function that adds its parser, in the order `difflab --help` lists them.
PARSERS = {
    "app": add_app,
    "spectrum": add_spectrum,
    "bench": add_bench,
    "increments": add_increments,
    "bounds": add_bounds,
    "schedule": add_schedule,
    "basis-forward": add_basis_forward,
    "component-schedule": add_component_schedule,
    "sample": add_sample,
    "models": add_models,
    "train": add_train,
}
