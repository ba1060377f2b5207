"""Input levels while recording: a meter, and when speech starts and stops.

Pure functions and a small state machine over numpy blocks, so the recorder's behaviour on
silence, speech and clipping can be tested with signals whose answer is known.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

FLOOR_DBFS = -120.0  # dBFS reported for digital silence, instead of -inf


@dataclass(frozen=True)
class LevelOptions:
    """Thresholds for the live meter and the silence logic; all levels in dBFS of 50 ms blocks.

    Attributes
    ----------
    speech_dbfs : float
        A block at or above this RMS level counts as voice. Speech at a normal distance from a
        laptop or headset mic sits around -35..-15 dBFS RMS; room noise well below -45.
    silence_dbfs : float
        A block below this RMS level counts as silence. Between the two thresholds the current
        state holds (hysteresis), so breathing and room noise neither start nor end speech.
    speech_start_s : float
        Voice must add up to this long before speech counts as started (a cough or a click
        does not start the silence timer).
    silent_input_dbfs : float
        Peak level under which the input is "silent": a muted or wrong device gives this.
    silent_input_warn_s : float
        Warn after this long of silent input.
    clip_level : float
        A sample whose magnitude reaches this (full scale is 1.0) is clipping.
    clip_hold_s : float
        How long the clipping warning stays shown after the last clipped block.
    """

    speech_dbfs: float = -40.0
    silence_dbfs: float = -45.0
    speech_start_s: float = 0.15
    silent_input_dbfs: float = -60.0
    silent_input_warn_s: float = 3.0
    clip_level: float = 0.999
    clip_hold_s: float = 2.0


def rms_dbfs(block: np.ndarray) -> float:
    """RMS level of ``block`` in dBFS (a full-scale square wave is 0 dBFS).

    Parameters
    ----------
    block : np.ndarray, shape (n,) or (n, channels), float in [-1, 1]

    Returns
    -------
    float
        ``20 log10(rms)``, or :data:`FLOOR_DBFS` for an empty or all-zero block.

    Examples
    --------
    >>> t = np.arange(16000) / 16000
    >>> round(rms_dbfs(0.5 * np.sin(2 * np.pi * 440 * t)), 2)
    -9.03
    """
    x = np.asarray(block, dtype=np.float64)
    if x.size == 0:
        return FLOOR_DBFS
    rms = math.sqrt(float(np.mean(x * x)))
    return max(FLOOR_DBFS, 20 * math.log10(rms)) if rms > 0 else FLOOR_DBFS


def peak_dbfs(block: np.ndarray) -> float:
    """Peak absolute sample of ``block`` in dBFS; :data:`FLOOR_DBFS` when empty or zero."""
    x = np.asarray(block)
    if x.size == 0:
        return FLOOR_DBFS
    peak = float(np.max(np.abs(x)))
    return max(FLOOR_DBFS, 20 * math.log10(peak)) if peak > 0 else FLOOR_DBFS


def is_clipping(block: np.ndarray, *, clip_level: float = 0.999) -> bool:
    """True when any sample of ``block`` reaches ``clip_level`` of full scale."""
    x = np.asarray(block)
    return bool(x.size) and float(np.max(np.abs(x))) >= clip_level


def meter_bar(level_dbfs: float, *, width: int = 20, floor_dbfs: float = -60.0) -> str:
    """A text bar for a level: empty at ``floor_dbfs``, full at 0 dBFS.

    >>> meter_bar(-30.0, width=10)
    '█████·····'
    """
    fraction = (min(0.0, max(floor_dbfs, level_dbfs)) - floor_dbfs) / -floor_dbfs
    filled = int(round(fraction * width))
    return "█" * filled + "·" * (width - filled)


@dataclass
class LevelTracker:
    """Follows the input block by block: speech started?, silence since?, silent input?, clipping?

    Feed every block in order with :meth:`update`; read the state from the attributes.
    Times are seconds of audio fed, not wall-clock time.
    """

    options: LevelOptions = field(default_factory=LevelOptions)
    elapsed_s: float = 0.0
    level_dbfs: float = FLOOR_DBFS  # RMS of the last block
    peak_dbfs: float = FLOOR_DBFS  # peak of the last block
    speech_started: bool = False
    speech_started_at_s: float | None = None
    voiced_s: float = 0.0  # voice added up before speech counted as started
    silence_s: float = 0.0  # length of the current run of silence (after speech started)
    silent_input_s: float = 0.0  # length of the current run of near-zero input
    clipped_blocks: int = 0
    last_clip_at_s: float | None = None
    max_peak_dbfs: float = FLOOR_DBFS

    def update(self, block: np.ndarray, duration_s: float) -> None:
        """Account for one block of ``duration_s`` seconds."""
        o = self.options
        self.level_dbfs = rms_dbfs(block)
        self.peak_dbfs = peak_dbfs(block)
        self.max_peak_dbfs = max(self.max_peak_dbfs, self.peak_dbfs)
        self.elapsed_s += duration_s
        if is_clipping(block, clip_level=o.clip_level):
            self.clipped_blocks += 1
            self.last_clip_at_s = self.elapsed_s
        if self.peak_dbfs < o.silent_input_dbfs:
            self.silent_input_s += duration_s
        else:
            self.silent_input_s = 0.0
        if not self.speech_started:
            if self.level_dbfs >= o.speech_dbfs:
                self.voiced_s += duration_s
                if self.voiced_s >= o.speech_start_s:
                    self.speech_started = True
                    self.speech_started_at_s = self.elapsed_s - self.voiced_s
            elif self.level_dbfs < o.silence_dbfs:
                self.voiced_s = 0.0  # isolated clicks do not add up to speech
            return
        if self.level_dbfs < o.silence_dbfs:
            self.silence_s += duration_s
        elif self.level_dbfs >= o.speech_dbfs:
            self.silence_s = 0.0
        # between the thresholds: the current run neither grows nor resets

    def silence_exceeds(self, seconds: float | None) -> bool:
        """True once speech has started and the silence since then lasts ``seconds`` or more."""
        return seconds is not None and self.speech_started and self.silence_s >= seconds

    @property
    def input_silent(self) -> bool:
        """The input has been near zero long enough to suspect a muted or wrong device."""
        return self.silent_input_s >= self.options.silent_input_warn_s

    @property
    def clipping(self) -> bool:
        """A block clipped within the last ``clip_hold_s`` seconds."""
        return self.last_clip_at_s is not None and self.elapsed_s - self.last_clip_at_s <= self.options.clip_hold_s

    def warnings(self) -> list[str]:
        """Short warnings for the live line, most urgent first."""
        out = []
        if self.clipping:
            out.append("clipping: lower the input gain or move back")
        if self.input_silent:
            out.append("no sound: is the mic muted or the wrong device?")
        return out
