"""The delivery analysis's thresholds, with their defaults and sources, validated on entry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any



@dataclass(frozen=True)
class DeliveryOptions:
    """Thresholds of the delivery analysis. Defaults from DESIGN.md unless noted.

    DESIGN.md's figures come from public speaking-coach tools and interview guides; they are
    defaults to calibrate, and every one can be set from ``--config`` or ``--delivery``.

    Attributes
    ----------
    comfortable_min_wpm, comfortable_max_wpm : float, words/min
        Comfortable interview pace (DESIGN.md: 130-170).
    slow_wpm, fast_wpm : float, words/min
        Below ``slow_wpm`` is slow, above ``fast_wpm`` fast (DESIGN.md: 110, 190).
    pace_window_s : float, s
        Length of the ``pace_over_time`` windows (issue 3: 10-15 s).
    min_pause_s : float, s
        Shortest silence inside the answer that counts as a pause (DESIGN.md: 0.25).
    long_pause_s : float, s
        A long pause (DESIGN.md: 1.0).
    stall_s : float, s
        A stall, named in feedback with its time (DESIGN.md: 3.0).
    silence_below_peak_db : float, dB
        Frames this far under the speech level are silence. 30 dB keeps breaths inside
        pauses and the quietest consonants inside speech (measured on the eval clips).
    noise_margin_db : float, dB
        The silence threshold stays this far above the noise floor.
    fillers_good_per_100, fillers_high_per_100 : float, fillers per 100 words
        Under 2 is good, over 5 is high (DESIGN.md).
    cluster_window_s : float, s
        Fillers within this many seconds of each other form a cluster...
    cluster_min : int
        ...when there are at least this many (DESIGN.md: clusters matter more than singles).
    acoustic_fillers : bool
        Look for filled pauses that the transcript left out.
    monotone_semitones : float, semitones
        Monotone when the median pitch spread over windows is under this (DESIGN.md: 2).
    pitch_window_s : float, s
        Window for the pitch spread (DESIGN.md: 8 s).
    fmin_hz, fmax_hz : float, Hz
        Pitch search range: covers low male to high female speaking voices.
    flat_loudness_db : float, dB
        Loudness is flat when it varies less than this (DESIGN.md: 3 dB).
    trailing_off_db : float, dB
        A sentence trails off when its last word is this much quieter than its middle.
    min_answer_s, max_answer_s : float, s
        Target answer length (DESIGN.md: 60-120 s for a behavioural answer).
    star_pace_change : float, fraction
        A STAR part spoken this much faster than the rest of the answer (0.4: 40%), or as much
        slower (at most 1 / 1.4 of its pace), gets a note: e.g. a rushed Result (issue 12).
    star_pace_min_words : int
        ... when the part and the rest each have at least this many words.
    """

    comfortable_min_wpm: float = 130.0
    comfortable_max_wpm: float = 170.0
    slow_wpm: float = 110.0
    fast_wpm: float = 190.0
    pace_window_s: float = 15.0
    min_pause_s: float = 0.25
    long_pause_s: float = 1.0
    stall_s: float = 3.0
    silence_below_peak_db: float = 30.0
    noise_margin_db: float = 6.0
    fillers_good_per_100: float = 2.0
    fillers_high_per_100: float = 5.0
    cluster_window_s: float = 10.0
    cluster_min: int = 3
    acoustic_fillers: bool = True
    monotone_semitones: float = 2.0
    pitch_window_s: float = 8.0
    fmin_hz: float = 60.0
    fmax_hz: float = 400.0
    flat_loudness_db: float = 3.0
    trailing_off_db: float = 6.0
    min_answer_s: float = 60.0
    max_answer_s: float = 120.0
    star_pace_change: float = 0.4
    star_pace_min_words: int = 12

    def __post_init__(self) -> None:
        from ..config import check_options

        check_options(
            self, section="delivery",
            above_zero=("pace_window_s", "pitch_window_s", "fmin_hz", "long_pause_s", "stall_s", "min_pause_s",
                        "cluster_window_s", "cluster_min", "star_pace_change", "star_pace_min_words"),
            ordered=(("slow_wpm", "fast_wpm"), ("comfortable_min_wpm", "comfortable_max_wpm"),
                     ("min_answer_s", "max_answer_s"), ("fmin_hz", "fmax_hz"),
                     ("fillers_good_per_100", "fillers_high_per_100"), ("min_pause_s", "long_pause_s"),
                     ("long_pause_s", "stall_s")),
        )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], base: "DeliveryOptions | None" = None) -> "DeliveryOptions":
        """Options from a mapping such as a TOML ``[delivery]`` table; strings are parsed.

        Raises
        ------
        ConfigError
            An unknown key or a value of the wrong type, named in the message.
        """
        from ..config import options_from_mapping

        return options_from_mapping(base or cls(), values, section="delivery")
