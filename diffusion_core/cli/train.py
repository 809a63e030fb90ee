"""`difflab train PRESET [--nproc N] [--device auto|cpu|cuda|mps] [--out-dir DIR] [--no-launch] [--json]`:
train a UNet denoiser, or a Flexi-UNet for scale-space diffusion when the preset says
objective = "scale-space" (models/ssd_training.py).

The preset (presets/train/*.toml, train.TrainPreset) is validated first. Outside torchrun the command
relaunches itself as `python -m torch.distributed.run --standalone --nproc-per-node N -m diffusion_core
train PRESET ...` (N from --nproc, else the preset's nproc; DDP over gloo on CPU, nccl on GPU); under
torchrun (RANK / WORLD_SIZE set) or with --no-launch it trains in this process. Rank 0 writes
<out-dir>/<name>.safetensors and <name>.json (sha256, params, train_time, quality, ...).
--device (default auto: cuda, then mps, then cpu; the sidecar records it, and the same preset gives the
same bytes on the same kind of device): under torchrun each rank takes cuda:LOCAL_RANK and DDP uses
nccl; on the CPU, gloo.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

from ..devices import resolve_device
from ..models.registry import WEIGHTS_DIR
from ..presets import PRESET_ROOT, resolve_preset_path
from ..progress import bar
from ..progress import enabled as progress_enabled
from ..training.edm import TrainPreset, train
from ..training.gud import GUDPreset
from ..training.gud import train as gud_train
from ..training.loop import under_torchrun
from ..training.scale_space import load_train_preset
from ..training.scale_space import train as ssd_train
from ..validation import check_int
from .main import emit

STEP_LINE = re.compile(r"step (\d+)/\d+ (.*)")


def launch(args: argparse.Namespace, nproc: int) -> int:
    """Re-run this command under torchrun with `nproc` processes."""
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        f"--nproc-per-node={nproc}",
        "-m",
        "diffusion_core",
        "train",
        args.preset,
        "--out-dir",
        args.out_dir,
        "--device",
        args.device,
    ]
    cmd += ["--quick-eval"] * args.quick_eval + ["--json"] * args.json
    return subprocess.call(cmd)


def progress_log(b, stream):
    """The trainer's log lines 'step k/N loss ...' move the bar to k; other lines go to `stream`."""

    def log(*parts, **kw):
        text = " ".join(str(p) for p in parts)
        m = STEP_LINE.match(text)
        if m and not b.disable:
            b.update(int(m.group(1)) - b.n)
            b.set_postfix_str(m.group(2), refresh=False)
            return
        print(text, file=stream, flush=True)

    return log


def run(args: argparse.Namespace) -> int:

    if Path(args.preset).parts[:1] == ("presets",):  # accept presets/train/X.toml from the repo root
        args.preset = str(Path(*Path(args.preset).parts[1:]))
    preset = load_train_preset(args.preset)
    args.out_dir = args.out_dir or str(WEIGHTS_DIR)  # the package's models/weights
    resolve_device(args.device)  # a missing device fails here, before torchrun
    if not under_torchrun() and not args.no_launch:
        return launch(args, check_int("nproc", args.nproc, 1, 64) if args.nproc is not None else preset.nproc)
    rel = "presets/" + resolve_preset_path(args.preset).relative_to(PRESET_ROOT).as_posix()
    out = Path(args.out_dir)
    with bar(preset.steps, f"train {Path(args.preset).stem}", unit="step") as b:
        log = progress_log(b, sys.stderr if args.json or progress_enabled() else sys.stdout)
        if isinstance(preset, TrainPreset):
            side = train(preset, out, rel, args.quick_eval, log, args.device)
        elif isinstance(preset, GUDPreset):
            side = gud_train(preset, out, rel, log, args.device)
        else:
            side = ssd_train(preset, out, rel, args.quick_eval, log, args.device)
    if side is not None:
        emit({k: v for k, v in side.items() if k not in ("loss_curve",)}, args.json)
    return 0
