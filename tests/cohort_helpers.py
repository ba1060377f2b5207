"""A small cohort of known speech on disk: one folder per person, one answer per sentence."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from conftest import espeak_samples, silence, write_wav

ANSWERS = {
    "alice": ["I sent the wrong invoice to a customer and I fixed it the same day.",
              "I led the release and we shipped on time."],
    "bob": ["I broke the build and I told my manager at once.",
            "I wrote a checklist so the mistake never happened again."],
}


def make_cohort(root: Path, people: dict[str, list[str]] = ANSWERS) -> dict[Path, str]:
    """``root/<person>/q<n>.wav`` for each answer; returns each file's spoken text."""
    spoken: dict[Path, str] = {}
    for person, answers in people.items():
        (root / person).mkdir(parents=True, exist_ok=True)
        for n, text in enumerate(answers, 1):
            samples = np.concatenate([silence(0.3), espeak_samples(text), silence(0.3)])
            spoken[write_wav(root / person / f"q{n}.wav", samples)] = text
    return spoken


def broken_file(path: Path) -> Path:
    path.write_bytes(b"RIFF" + b"\0" * 200)
    return path
