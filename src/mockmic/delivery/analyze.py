"""Delivery analysis: pace, pauses, filler words, pitch and loudness of a spoken answer.

Pure functions: a 16 kHz mono signal and the timed words in, :class:`DeliveryMetrics` out. The
parts live in :mod:`.prosody` (level, speech mask, pitch), :mod:`.pauses` (answer span, pauses)
and :mod:`.fillers` (the three filler kinds); :mod:`.feedback` turns the figures into sentences
and :mod:`.score` into a 0-100 score, with the thresholds of :mod:`.options`.

Example
-------
>>> import numpy as np
>>> from mockmic.results import Word
>>> sr = 16000
>>> t = np.arange(sr) / sr
>>> tone = (0.3 * np.sin(2 * np.pi * 140 * t)).astype(np.float32)
>>> signal = np.concatenate([tone, np.zeros(sr, np.float32), tone])
>>> words = [Word("Hello", 0.0, 1.0, 0.9), Word("there.", 2.0, 3.0, 0.9)]
>>> m = analyze_delivery(signal, words)
>>> [(round(p.start_s, 1), round(p.duration_s, 1)) for p in m.pauses]
[(1.0, 1.0)]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..results import DeliveryMetrics, LoudnessStats, PaceWindow, PitchStats, TrailingOff, Word
from .options import DeliveryOptions


def counted_words(words: Sequence[Word], skip: set[int] = frozenset()) -> list[Word]:
    """Words that count towards pace: not hesitations, not punctuation, not '-' pieces.

    Whisper splits some words ("high -pitched", "chant -like") into a word and a piece that
    starts with a hyphen; the piece is part of the word before it.
    """
    out = []
    for i, w in enumerate(words):
        text = w.text.strip()
        if i in skip or not any(ch.isalnum() for ch in text) or text.startswith("-"):
            continue
        out.append(w)
    return out


def _pace_windows(words: Sequence[Word], span: tuple[float, float], window_s: float) -> list[PaceWindow]:
    """Words per minute in consecutive windows; a short last window joins the one before."""
    start, end = span
    if end <= start:
        return []
    edges = list(np.arange(start, end, window_s)) + [end]
    if len(edges) > 2 and edges[-1] - edges[-2] < window_s / 2:
        del edges[-2]
    mids = np.array([0.5 * (w.start_s + w.end_s) for w in words])
    out = []
    for a, b in zip(edges[:-1], edges[1:]):
        last = b == edges[-1]
        n = int(np.sum((mids >= a) & ((mids <= b) if last else (mids < b))))
        out.append(PaceWindow(start_s=round(float(a), 3), end_s=round(float(b), 3),
                              words_per_minute=round(60.0 * n / (b - a), 1)))
    return out


PITCH_TRACK_FRAMES = 5  # pitch frames (40 ms) per point of the track a report keeps: 0.2 s


def _pitch_track(ac) -> tuple[float, tuple[float | None, ...]]:
    """The voiced pitch every :data:`PITCH_TRACK_FRAMES` frames: the median where at least two
    of them are voiced, None elsewhere."""
    from .prosody import PITCH_HOP_S, voiced_mask

    voiced = voiced_mask(ac, slice(0, ac.f0_hz.size), min_prob=0.3)
    f0 = np.where(voiced, ac.f0_hz, np.nan)
    n = int(np.ceil(f0.size / PITCH_TRACK_FRAMES))
    padded = np.pad(f0, (0, n * PITCH_TRACK_FRAMES - f0.size), constant_values=np.nan).reshape(n, PITCH_TRACK_FRAMES)
    enough = np.sum(~np.isnan(padded), axis=1) >= 2
    track = tuple(round(float(np.nanmedian(row)), 1) if ok else None for row, ok in zip(padded, enough))
    return PITCH_TRACK_FRAMES * PITCH_HOP_S, track


def _pitch_stats(ac, span, opts: DeliveryOptions) -> PitchStats:
    """Median pitch of voiced frames, the median 10-90% spread over ``pitch_window_s``, the track."""
    from .prosody import PITCH_HOP_S, semitone_spread, voiced_mask

    if span is None or ac.f0_hz.size == 0:
        return PitchStats(None, None, None)
    hop_s, track = _pitch_track(ac)
    sl = ac.pitch_slice(*span)
    voiced = voiced_mask(ac, sl, min_prob=0.3)
    f0 = ac.f0_hz[sl]
    if voiced.sum() < 10:
        return PitchStats(None, None, None, hop_s, track)
    median = float(np.median(f0[voiced]))
    spreads = []
    per_window = max(1, int(round(opts.pitch_window_s / PITCH_HOP_S)))
    for a in range(0, f0.size, per_window):
        seg_v = voiced[a: a + per_window]
        # A window needs a second of voiced speech to say anything about intonation.
        if seg_v.sum() * PITCH_HOP_S >= 1.0:
            s = semitone_spread(f0[a: a + per_window][seg_v])
            if s is not None:
                spreads.append(s)
    if not spreads:  # answers shorter than a window: the whole answer is one window
        s = semitone_spread(f0[voiced])
        spreads = [s] if s is not None else []
    variation = float(np.median(spreads)) if spreads else None
    monotone = None if variation is None else variation < opts.monotone_semitones
    return PitchStats(round(median, 1), None if variation is None else round(variation, 2), monotone, hop_s, track)


def _loudness(ac, words: Sequence[Word], span, opts: DeliveryOptions) -> tuple[LoudnessStats, bool | None, list[TrailingOff]]:
    """Median level of speech frames, its spread over 1 s windows, flatness, trailing off."""
    from .prosody import LEVEL_HOP_S

    if span is None or not ac.speech.any():
        return LoudnessStats(None, None), None, []
    a, b = ac.level_index(span[0]), ac.level_index(span[1]) + 1
    speech = ac.speech[a:b]
    level = ac.level_dbfs[a:b]
    if not speech.any():
        return LoudnessStats(None, None), None, []
    median = float(np.median(level[speech]))
    # Variation between whole stretches of speech (1 s windows), not between phonemes:
    # vowels and consonants alone differ by 20 dB.
    per = int(round(1.0 / LEVEL_HOP_S))
    window_levels = []
    for k in range(0, level.size, per):
        m = speech[k: k + per]
        if m.sum() >= per // 4:
            p = 10 ** (level[k: k + per][m] / 10)
            window_levels.append(10 * np.log10(np.mean(p)))
    variation = float(np.std(window_levels)) if len(window_levels) >= 2 else None
    flat = None if variation is None else variation < opts.flat_loudness_db
    trailing = _trailing_off(ac, words, opts)
    return LoudnessStats(round(median, 1), None if variation is None else round(variation, 2)), flat, trailing


def _word_level(ac, w: Word) -> float | None:
    a, b = ac.level_index(w.start_s), ac.level_index(w.end_s) + 1
    m = ac.speech[a:b]
    if not m.any():
        return None
    return float(10 * np.log10(np.mean(10 ** (ac.level_dbfs[a:b][m] / 10))))


def _trailing_off(ac, words: Sequence[Word], opts: DeliveryOptions) -> list[TrailingOff]:
    """Sentences whose last word is ``trailing_off_db`` quieter than the sentence's median word."""
    import re

    out: list[TrailingOff] = []
    sentence: list[Word] = []
    for w in words:
        sentence.append(w)
        if re.search(r"[.?!]$", w.text.strip()) or w is words[-1]:
            if len(sentence) >= 4:
                levels = [_word_level(ac, x) for x in sentence[:-1]]
                levels = [v for v in levels if v is not None]
                last = _word_level(ac, sentence[-1])
                if levels and last is not None:
                    drop = float(np.median(levels)) - last
                    if drop >= opts.trailing_off_db:
                        out.append(TrailingOff(start_s=round(sentence[-1].start_s, 3), drop_db=round(drop, 1),
                                               text=" ".join(x.text for x in sentence[-4:])))
            sentence = []
    return out


def signal_acoustics(samples: np.ndarray, sample_rate: int = 16000, options: DeliveryOptions | None = None,
                     *, pitch: bool = True):
    """Level, speech mask and pitch of ``samples``: the part of the delivery analysis that needs
    no transcript, so it can run while the transcription does."""
    from .prosody import compute_acoustics

    opts = options or DeliveryOptions()
    return compute_acoustics(
        np.asarray(samples, dtype=np.float32).reshape(-1), sample_rate,
        below_peak_db=opts.silence_below_peak_db, noise_margin_db=opts.noise_margin_db,
        fmin_hz=opts.fmin_hz, fmax_hz=opts.fmax_hz, pitch=pitch,
    )


def analyze_delivery(
    samples: np.ndarray,
    words: Sequence[Word],
    *,
    sample_rate: int = 16000,
    options: DeliveryOptions | None = None,
    acoustics=None,
) -> DeliveryMetrics:
    """Measure pace, pauses, fillers, pitch and loudness of one spoken answer.

    Parameters
    ----------
    samples : np.ndarray, shape (n,), float32 in [-1, 1]
        The answer, mono.
    words : sequence of Word
        Timed transcript of ``samples`` (seconds from the start of the signal).
    sample_rate : int, Hz
    options : DeliveryOptions, optional
        Thresholds; the defaults of :class:`DeliveryOptions` when None.
    acoustics : prosody.Acoustics, optional
        :func:`signal_acoustics` of ``samples`` computed beforehand (e.g. while the
        transcription ran); computed here when None.

    Returns
    -------
    DeliveryMetrics
        The contract's fields, plus the answer span (``answer_start_s``, ``answer_end_s``,
        ``answer_duration_s``), ``stall_count``, ``filler_clusters``, ``loudness_flat`` and
        ``trailing_off``.
    """
    from . import fillers as fl
    from .pace import invented_words
    from .pauses import answer_span, find_pauses, speech_mask
    from .prosody import LEVEL_HOP_S

    opts = options or DeliveryOptions()
    samples = np.asarray(samples, dtype=np.float32).reshape(-1)
    words = tuple(words)
    ac = acoustics if acoustics is not None else signal_acoustics(samples, sample_rate, opts, pitch=bool(words))
    span = answer_span(words, ac) if words else None
    pauses = find_pauses(words, ac, span, min_pause_s=opts.min_pause_s)
    hesitations, hes_idx = fl.hesitation_fillers(words, ac)
    lexical = fl.lexical_fillers(words, ac)
    found = hesitations + lexical
    if opts.acoustic_fillers:
        found += fl.acoustic_fillers(words, ac, span, found)
    found.sort(key=lambda f: f.start_s)

    counted = counted_words(words, hes_idx | invented_words(words, speech_mask(ac), LEVEL_HOP_S))
    n_words = len(counted)
    duration = (span[1] - span[0]) if span else 0.0
    paused = sum(p.duration_s for p in pauses)
    speaking = max(0.0, duration - paused)
    wpm = 60.0 * n_words / duration if duration > 0 and n_words else None
    art = 60.0 * n_words / speaking if speaking > 0 and n_words else None
    minutes = duration / 60.0
    pitch = _pitch_stats(ac, span, opts)
    loudness, flat, trailing = _loudness(ac, words, span, opts)
    return DeliveryMetrics(
        words=n_words,
        speaking_time_s=round(speaking, 3),
        words_per_minute=None if wpm is None else round(wpm, 1),
        articulation_wpm=None if art is None else round(art, 1),
        pace_over_time=tuple(_pace_windows(counted, span, opts.pace_window_s)) if span and counted else (),
        pauses=tuple(pauses),
        long_pause_count=sum(1 for p in pauses if p.duration_s >= opts.long_pause_s),
        fillers=tuple(found),
        filler_count=len(found),
        fillers_per_minute=round(len(found) / minutes, 2) if minutes > 0 else None,
        fillers_per_100_words=round(100.0 * len(found) / n_words, 2) if n_words else None,
        pitch=pitch,
        loudness=loudness,
        answer_start_s=round(span[0], 3) if span else None,
        answer_end_s=round(span[1], 3) if span else None,
        answer_duration_s=round(duration, 3),
        stall_count=sum(1 for p in pauses if p.duration_s >= opts.stall_s),
        filler_clusters=tuple(fl.filler_clusters(found, window_s=opts.cluster_window_s, min_count=opts.cluster_min)),
        loudness_flat=flat,
        trailing_off=tuple(trailing),
    )


