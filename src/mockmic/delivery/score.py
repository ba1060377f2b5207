"""The delivery score: 100 less capped penalties per area, so one habit never hides the rest."""

from __future__ import annotations

from ..results import DeliveryMetrics
from .options import DeliveryOptions


def delivery_score(metrics: DeliveryMetrics, options: DeliveryOptions | None = None) -> int:
    """A 0-100 delivery score: 100 less penalties for pace, pauses, fillers, voice and length.

    Each area can cost at most its share (pace 25, fillers 25, pauses 20, pitch and loudness
    15, length 15), so one bad habit never hides the rest.
    """
    opts = options or DeliveryOptions()
    if metrics.words == 0:
        return 0
    penalty = 0.0
    wpm = metrics.words_per_minute
    if wpm is not None:
        if wpm < opts.comfortable_min_wpm:
            span = max(1.0, opts.comfortable_min_wpm - opts.slow_wpm)
            penalty += min(25.0, 12.5 * (opts.comfortable_min_wpm - wpm) / span)
        elif wpm > opts.comfortable_max_wpm:
            span = max(1.0, opts.fast_wpm - opts.comfortable_max_wpm)
            penalty += min(25.0, 12.5 * (wpm - opts.comfortable_max_wpm) / span)
    per100 = metrics.fillers_per_100_words or 0.0
    if per100 > opts.fillers_good_per_100:
        span = max(0.1, opts.fillers_high_per_100 - opts.fillers_good_per_100)
        penalty += min(25.0, 12.5 * (per100 - opts.fillers_good_per_100) / span)
    penalty += min(5.0, 5.0 * len(metrics.filler_clusters))
    minutes = max(metrics.answer_duration_s, 1.0) / 60.0
    stalls = sum(1 for p in metrics.pauses if p.duration_s >= opts.stall_s)
    long_per_min = (metrics.long_pause_count - stalls) / minutes
    penalty += min(20.0, 6.0 * stalls + 3.0 * max(0.0, long_per_min - 2.0))
    voice = 0.0
    if metrics.pitch.monotone:
        voice += 10.0
    if metrics.loudness_flat:
        voice += 5.0
    penalty += min(15.0, voice)
    dur = metrics.answer_duration_s
    if dur < opts.min_answer_s:
        penalty += min(15.0, 15.0 * (opts.min_answer_s - dur) / max(1.0, opts.min_answer_s))
    elif dur > opts.max_answer_s:
        penalty += min(15.0, 15.0 * (dur - opts.max_answer_s) / max(1.0, opts.max_answer_s))
    return int(round(max(0.0, min(100.0, 100.0 - penalty))))
