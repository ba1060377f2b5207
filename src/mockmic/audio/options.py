"""Thresholds of the speech check (audio/speech.py), with where each figure comes from."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError


@dataclass(frozen=True)
class SpeechOptions:
    """When a recording counts as holding speech.

    Attributes
    ----------
    above_floor_db : float
        A frame is active this far above the recording's floor (its 10th-percentile frame
        level); speech clears it by 15-40 dB, steady noise and hum by nothing.
    min_level_dbfs : float
        ...and above this absolute level (frame power, dBFS), below any microphone's hiss.
    min_speech_s : float
        Seconds of active frames needed: the shortest real clip ("six", 0.69 s active) passes,
        a 0.1 s beep does not.
    min_voiced_s : float
        Seconds of active frames with a pitch period; noise bursts have next to none.
    voicing_min : float
        Normalised autocorrelation peak (70-400 Hz lags) that counts as voiced.
    flux_min : float
        Median spectral flux (log-spectrum RMS between frames) below which the sound is held
        tones or notes: speech measured 1.5-1.9, tones, chords and melodies 0-0.4.
    """

    above_floor_db: float = 10.0
    min_level_dbfs: float = -65.0
    min_speech_s: float = 0.3
    min_voiced_s: float = 0.15
    voicing_min: float = 0.5
    flux_min: float = 0.9

    def __post_init__(self) -> None:
        for name in ("above_floor_db", "min_speech_s", "min_voiced_s", "flux_min"):
            if not getattr(self, name) >= 0:
                raise ConfigError(f"Speech option {name} must be a number >= 0, not {getattr(self, name)!r}.")
        if not 0 <= self.voicing_min <= 1:
            raise ConfigError(f"Speech option voicing_min is a share: it must lie between 0 and 1, not {self.voicing_min!r}.")
        if not self.min_level_dbfs <= 0:
            raise ConfigError(f"Speech option min_level_dbfs must be 0 or below, not {self.min_level_dbfs!r}.")
