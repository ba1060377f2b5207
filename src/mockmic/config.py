"""Paths and shared constants. Options dataclasses for each stage live beside the stage."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

SAMPLE_RATE = 16000  # Hz: what every analysis stage receives
DEFAULT_MODEL = "tiny.en"
DATA_HOME_ENV = "MOCKMIC_HOME"
MODELS_DIR_ENV = "MOCKMIC_MODELS"

# The project checkout this package sits in when installed in editable mode (src/ layout).
_PROJECT_ROOT = Path(__file__).resolve().parents[2]


def data_home() -> Path:
    """Where sessions live: $MOCKMIC_HOME, or ``recordings/`` in the current directory."""
    env = os.environ.get(DATA_HOME_ENV)
    return Path(env).expanduser() if env else Path.cwd() / "recordings"


def models_dirs() -> list[Path]:
    """Folders searched for models by name, first match wins.

    $MOCKMIC_MODELS alone when set; otherwise ``models/`` in the current directory, then the
    checkout's ``models/``.
    """
    env = os.environ.get(MODELS_DIR_ENV)
    if env:
        return [Path(env).expanduser()]
    dirs: list[Path] = [Path.cwd() / "models"]
    if (_PROJECT_ROOT / "pyproject.toml").is_file():
        dirs.append(_PROJECT_ROOT / "models")
    seen: list[Path] = []
    for d in dirs:
        if d.resolve() not in [s.resolve() for s in seen]:
            seen.append(d)
    return seen


def models_install_dir() -> Path:
    """Where ``mockmic models install`` puts a model: the first of :func:`models_dirs`."""
    return models_dirs()[0]


def shared_dir() -> Path | None:
    """The team's shared folder (seed guides, the real-speech eval set) beside the checkout.

    $MOCKMIC_SHARED when set; otherwise the first ``shared/`` found walking up from the
    checkout (it sits at ``../shared``), then the team machines' ``/work/shared`` (for a
    checkout cloned elsewhere, as CI may). Used only by evaluation scripts and tests.
    """
    env = os.environ.get("MOCKMIC_SHARED")
    if env:
        return Path(env).expanduser()
    for parent in [*_PROJECT_ROOT.parents, Path("/work")]:
        if (parent / "shared" / "eval").is_dir() or (parent / "shared" / "seeds").is_dir():
            return parent / "shared"
    return None


_Options = TypeVar("_Options")


def check_options(
    options: object,
    *,
    section: str,
    above_zero: tuple[str, ...] = (),
    fractions: tuple[str, ...] = (),
    ordered: tuple[tuple[str, str], ...] = (),
) -> None:
    """Raise ConfigError, naming the option, unless every number of ``options`` (a dataclass) is
    finite and >= 0, those in ``above_zero`` are > 0, ``fractions`` lie in 0..1, and each pair
    ``(lo, hi)`` of ``ordered`` has ``lo <= hi``. Flags and strings are left to the class.
    """
    import math

    from .errors import ConfigError

    name = section.capitalize()
    for f in dataclasses.fields(options):
        value = getattr(options, f.name)
        if isinstance(value, (bool, str)):
            continue
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise ConfigError(f"{name} option {f.name} must be a number >= 0, not {value!r}.")
    for key in above_zero:
        if getattr(options, key) <= 0:
            raise ConfigError(f"{name} option {key} must be above 0, not {getattr(options, key)!r}.")
    for key in fractions:
        if getattr(options, key) > 1:
            raise ConfigError(f"{name} option {key} is a share: it must lie between 0 and 1, not {getattr(options, key)!r}.")
    for lo, hi in ordered:
        if getattr(options, lo) > getattr(options, hi):
            raise ConfigError(f"{name} option {lo} ({getattr(options, lo)}) must not exceed {hi} ({getattr(options, hi)}).")


_TRUE = ("true", "yes", "1", "on")
_FALSE = ("false", "no", "0", "off")


def options_from_mapping(base: _Options, values: Mapping[str, Any], *, section: str) -> _Options:
    """``base`` (an options dataclass) with ``values`` from a TOML table or ``KEY=VALUE`` flags.

    Keys may use dashes for underscores; strings are parsed to each field's type (numbers,
    true/false/yes/no/on/off). An unknown key or an unparsable value raises ConfigError naming
    it; range checks stay with the options class (``__post_init__``).
    """
    from .errors import ConfigError

    fields = {f.name for f in dataclasses.fields(base)}
    changes: dict[str, Any] = {}
    for key, raw in values.items():
        name = str(key).replace("-", "_")
        if name not in fields:
            raise ConfigError(f"Unknown {section} option '{key}' (known: {', '.join(sorted(fields))}).")
        current = getattr(base, name)
        try:
            if isinstance(current, bool):
                if isinstance(raw, str):
                    if raw.lower() not in _TRUE + _FALSE:
                        raise ValueError(raw)
                    value: Any = raw.lower() in _TRUE
                else:
                    value = bool(raw)
            elif isinstance(current, (int, float, str)):
                value = type(current)(raw)
            else:
                value = raw
        except (TypeError, ValueError):
            raise ConfigError(
                f"{section.capitalize()} option {name} needs a {type(current).__name__}, not {raw!r}."
            ) from None
        changes[name] = value
    return dataclasses.replace(base, **changes)
