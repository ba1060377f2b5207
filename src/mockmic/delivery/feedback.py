"""Delivery findings as feedback: one plain sentence each, with the words and time they are about.

Areas: "length", "pace", "pauses", "fillers", "pitch", "loudness". Severities: "high" (fix
first), "medium", "low", "good" (keep doing it).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..results import DeliveryMetrics, Feedback, Word, clock
from .options import DeliveryOptions

QUOTE_WORDS = 4  # words quoted around a moment


def _clean(text: str) -> str:
    return text.strip().strip(",.;:?!\"")


def words_after(words: Sequence[Word], t_s: float, n: int = QUOTE_WORDS) -> str:
    """The first ``n`` words starting at or after ``t_s``, as spoken."""
    picked = [_clean(w.text) for w in words if w.start_s >= t_s - 0.05][:n]
    return " ".join(p for p in picked if p)


def words_before(words: Sequence[Word], t_s: float, n: int = QUOTE_WORDS) -> str:
    picked = [_clean(w.text) for w in words if w.end_s <= t_s + 0.05][-n:]
    return " ".join(p for p in picked if p)


def words_around(words: Sequence[Word], t_s: float, n: int = 3) -> str:
    before = words_before(words, t_s, n)
    after = words_after(words, t_s, n)
    return " ".join(x for x in (before, after) if x)


MAX_SEPARATE = 3  # more stalls than this are grouped into one feedback item


def _pause_feedback(m: DeliveryMetrics, words: Sequence[Word], o: DeliveryOptions) -> list[Feedback]:
    out = []
    stalls = [p for p in m.pauses if p.duration_s >= o.stall_s]
    longs = [p for p in m.pauses if o.long_pause_s <= p.duration_s < o.stall_s]
    if len(stalls) > MAX_SEPARATE:  # one item with the count, not dozens of the same advice
        first = ", ".join(clock(p.start_s) for p in stalls[:MAX_SEPARATE])
        worst = max(stalls, key=lambda p: p.duration_s)
        out.append(Feedback(
            "pauses", "high",
            f"You stalled {len(stalls)} times ({o.stall_s:g} s or more), first at {first}; the longest was "
            f"{worst.duration_s:.1f} s at {clock(worst.start_s)}. A short bridge such as \"let me think\" "
            "keeps the listener with you.",
            f"Stalls at {first} and {len(stalls) - MAX_SEPARATE} more; longest ({worst.duration_s:.1f} s) "
            f"after '{words_before(words, worst.start_s)}'",
            stalls[0].start_s,
        ))
        stalls_listed: list = []
    else:
        stalls_listed = stalls
    for p in stalls_listed:
        nxt = words_after(words, p.end_s)
        out.append(Feedback(
            "pauses", "high",
            f"You stalled for {p.duration_s:.1f} s at {clock(p.start_s)}; a short bridge such as "
            "\"let me think\" keeps the listener with you.",
            f"Stall ({p.duration_s:.1f} s) at {clock(p.start_s)}, after '{words_before(words, p.start_s)}'"
            + (f" and before '{nxt}'" if nxt else ""),
            p.start_s,
        ))
    minutes = max(m.answer_duration_s / 60.0, 1 / 60)
    if longs:
        worst = max(longs, key=lambda p: p.duration_s)
        per_min = len(longs) / minutes
        severity = "medium" if per_min > 2 else "low"
        nxt = words_after(words, worst.end_s)
        out.append(Feedback(
            "pauses", severity,
            f"{len(longs)} long pause{'s' if len(longs) > 1 else ''} of {o.long_pause_s:g} s or more "
            f"({per_min:.1f} per minute); the longest was {worst.duration_s:.1f} s at {clock(worst.start_s)}.",
            f"Long pause ({worst.duration_s:.1f} s) at {clock(worst.start_s)}"
            + (f", before '{nxt}'" if nxt else f", after '{words_before(words, worst.start_s)}'"),
            worst.start_s,
        ))
    if not stalls and not longs and m.words:
        out.append(Feedback("pauses", "good", f"No pause reached {o.long_pause_s:g} s: the answer flowed.",
                            f"{len(m.pauses)} short pauses, none longer than {o.long_pause_s:g} s"))
    return out


def _filler_feedback(m: DeliveryMetrics, words: Sequence[Word], o: DeliveryOptions) -> list[Feedback]:
    out = []
    per100 = m.fillers_per_100_words or 0.0
    if m.fillers:
        shown = "; ".join(
            f"'{f.text}' at {clock(f.start_s)} ('{words_around(words, f.start_s)}')" for f in m.fillers[:3]
        )
        counts: dict[str, int] = {}
        for f in m.fillers:
            counts[f.text] = counts.get(f.text, 0) + 1
        top = ", ".join(f"{t} x{c}" for t, c in sorted(counts.items(), key=lambda kv: -kv[1])[:3])
        if per100 > o.fillers_high_per_100:
            sev = "high"
        elif per100 > o.fillers_good_per_100:
            sev = "medium"
        else:
            sev = "good"
        msg = (f"{m.filler_count} filler word{'s' if m.filler_count != 1 else ''} ({per100:.1f} per 100 words; "
               f"most used: {top})")
        msg += "; replace them with a silent breath." if sev != "good" else f", under {o.fillers_good_per_100:g} per 100 words."
        out.append(Feedback("fillers", sev, msg, shown, m.fillers[0].start_s))
    elif m.words:
        out.append(Feedback("fillers", "good", "No filler words were found.", ""))
    for c in m.filler_clusters:
        out.append(Feedback(
            "fillers", "medium",
            f"{c.count} fillers came within {c.end_s - c.start_s:.0f} s at {clock(c.start_s)}: "
            "slow down and plan the next point there.",
            f"Filler cluster at {clock(c.start_s)}-{clock(c.end_s)}: "
            f"'{words_after(words, c.start_s - 0.5, 8)}'",
            c.start_s,
        ))
    return out


def _pace_feedback(m: DeliveryMetrics, words: Sequence[Word], o: DeliveryOptions) -> list[Feedback]:
    wpm = m.words_per_minute
    if wpm is None:
        return []
    windows = m.pace_over_time
    if wpm > o.comfortable_max_wpm:
        sev = "high" if wpm > o.fast_wpm else "low"
        w = max(windows, key=lambda p: p.words_per_minute) if windows else None
        msg = f"Your pace was {wpm:.0f} words/min, faster than the comfortable {o.comfortable_min_wpm:g}-{o.comfortable_max_wpm:g}; slow down and let key points land."
    elif wpm < o.comfortable_min_wpm:
        sev = "high" if wpm < o.slow_wpm else "low"
        w = min(windows, key=lambda p: p.words_per_minute) if windows else None
        msg = f"Your pace was {wpm:.0f} words/min, slower than the comfortable {o.comfortable_min_wpm:g}-{o.comfortable_max_wpm:g}; tighten the long gaps."
    else:
        return [Feedback("pace", "good", f"Your pace was {wpm:.0f} words/min, in the comfortable "
                         f"{o.comfortable_min_wpm:g}-{o.comfortable_max_wpm:g} range.",
                         f"articulation {m.articulation_wpm:.0f} words/min without pauses" if m.articulation_wpm else "")]
    ev = ""
    if w is not None:
        ev = (f"{w.words_per_minute:.0f} words/min at {clock(w.start_s)}-{clock(w.end_s)}: "
              f"'{words_after(words, w.start_s, 6)}'")
    return [Feedback("pace", sev, msg, ev, w.start_s if w else None)]


def _voice_feedback(m: DeliveryMetrics, words: Sequence[Word], o: DeliveryOptions) -> list[Feedback]:
    out = []
    p = m.pitch
    if p.monotone:
        out.append(Feedback("pitch", "medium",
                            f"Your pitch moved only {p.variation_semitones:.1f} semitones in a typical "
                            f"{o.pitch_window_s:g} s stretch (monotone under {o.monotone_semitones:g}); "
                            "lift your voice on the result and the numbers.",
                            f"median pitch {p.median_hz:.0f} Hz across the answer", None))
    elif p.monotone is False:
        out.append(Feedback("pitch", "good", f"Your pitch varied by {p.variation_semitones:.1f} semitones "
                            f"in a typical {o.pitch_window_s:g} s stretch: not monotone.",
                            f"median pitch {p.median_hz:.0f} Hz"))
    if m.loudness_flat:
        out.append(Feedback("loudness", "low",
                            f"Your loudness hardly changed ({m.loudness.variation_db:.1f} dB); stress the words that matter.",
                            f"median level {m.loudness.median_dbfs:.0f} dBFS"))
    trailing = m.trailing_off
    if trailing:
        t = trailing[0]
        out.append(Feedback("loudness", "medium" if len(trailing) >= 3 else "low",
                            f"{len(trailing)} sentence{'s' if len(trailing) > 1 else ''} trailed off at the end; "
                            "keep your voice up to the last word.",
                            f"Trailed off ({t.drop_db:.0f} dB quieter) at {clock(t.start_s)}: '{t.text}'",
                            t.start_s))
    return out


def _length_feedback(m: DeliveryMetrics, words: Sequence[Word], o: DeliveryOptions) -> list[Feedback]:
    dur = m.answer_duration_s
    if not m.words:
        return []
    target = f"{clock(o.min_answer_s)}-{clock(o.max_answer_s)}"
    if dur < o.min_answer_s:
        sev = "medium" if dur < 0.5 * o.min_answer_s else "low"
        return [Feedback("length", sev, f"Your answer lasted {clock(dur)} ({dur:.0f} s); aim for {target} to "
                         "give the situation, your actions and the result.",
                         f"ends at {clock(m.answer_end_s or dur)} with '{words_before(words, 1e9)}'")]
    if dur > o.max_answer_s:
        sev = "medium" if dur > 1.5 * o.max_answer_s else "low"
        return [Feedback("length", sev, f"Your answer lasted {clock(dur)} ({dur:.0f} s), over the {target} "
                         "target; cut the background and keep the actions and result.",
                         f"at {clock(o.max_answer_s)}: '{words_after(words, (m.answer_start_s or 0.0) + o.max_answer_s)}'",
                         (m.answer_start_s or 0.0) + o.max_answer_s)]
    return [Feedback("length", "good", f"Your answer lasted {clock(dur)}, within the {target} target.", "")]


def delivery_feedback(
    metrics: DeliveryMetrics, words: Sequence[Word], options: DeliveryOptions | None = None
) -> list[Feedback]:
    """Every delivery finding as a :class:`Feedback`, in area order (scoring ranks them).

    Parameters
    ----------
    metrics : DeliveryMetrics
        From :func:`mockmic.delivery.analyze_delivery`.
    words : sequence of Word
        The timed transcript, quoted in the evidence.
    options : DeliveryOptions, optional
        The thresholds the metrics were judged by.
    """
    o = options or DeliveryOptions()
    words = tuple(words)
    if metrics.words == 0:
        return []
    out: list[Feedback] = []
    for part in (_length_feedback, _pace_feedback, _pause_feedback, _filler_feedback, _voice_feedback):
        out += part(metrics, words, o)
    return out
