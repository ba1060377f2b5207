"""Answer span and pauses, found in the audio and cross-checked with the words' times.

Whisper's word times are good to a few tenths of a second at best, and its first and last
words often stretch over leading and trailing silence. So the span of the answer and every
pause come from the level track (:mod:`.prosody`); the words only say where the answer
is, and vouch for the short silences that could otherwise be stop closures inside a word.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np

from ..audio.frames import runs
from ..results import Pause, Word
from .prosody import LEVEL_HOP_S, Acoustics

MIN_SOUND_S = 0.05  # s: shorter bursts inside a silence are clicks, not speech
HYSTERESIS_DB = 6.0  # dB: a sound must rise this far above the threshold somewhere to be speech
STEADY_S = 0.2  # s: or stay half that far above it for this long


def speech_mask(ac: Acoustics) -> np.ndarray:
    """The speech mask without clicks and noise swells.

    A run of frames above the silence threshold is speech only when it lasts
    :data:`MIN_SOUND_S` and rises :data:`HYSTERESIS_DB` above the threshold somewhere; in a
    noisy room the noise floor wanders a few dB across the threshold during a pause.
    """
    # In a recording with little headroom between noise and speech (a cheap headset in a
    # noisy room), whole words stay within a few dB of the threshold: shrink the hysteresis.
    rise = float(np.clip(ac.peak_dbfs - ac.threshold_dbfs - 6.0, 0.0, HYSTERESIS_DB))
    mask = ac.speech.copy()
    for a, b in runs(ac.speech):
        level = ac.level_dbfs[a:b]
        if (b - a) * LEVEL_HOP_S < MIN_SOUND_S:
            mask[a:b] = False
        elif level.max() < ac.threshold_dbfs + rise and not (
            # A steady sound held for a syllable's length well over the threshold is a word
            # (a soft "um" in a noisy room), not the noise floor wandering across it.
            (b - a) * LEVEL_HOP_S >= STEADY_S and np.median(level) >= ac.threshold_dbfs + rise / 2
        ):
            mask[a:b] = False
    return _extend_while_audible(ac, mask)


TAIL_DB = 2.0  # dB under the silence threshold (level over FAINT_SMOOTH_S) that still continues a sound
TAIL_MAX_S = 0.15  # s: how far a sound's faint tail may reach past the loud part


def _extend_while_audible(ac: Acoustics, mask: np.ndarray) -> np.ndarray:
    """Grow each stretch of speech by up to :data:`TAIL_MAX_S` either side while the smoothed
    level stays within :data:`TAIL_DB` under the silence threshold: the fading end of a drawn-out word
    flickers across the threshold and is not silence (the low side of a two-threshold
    detector; the high side is the hysteresis). Longer faint sound beside speech is a breath
    or the room, which is part of the pause."""
    from scipy.ndimage import uniform_filter1d

    if not mask.any():
        return mask
    width = max(1, int(round(FAINT_SMOOTH_S / LEVEL_HOP_S)))
    power = uniform_filter1d(10 ** (ac.level_dbfs / 10), width)
    low = ac.threshold_dbfs - TAIL_DB
    # The smoothed level bridges the flicker; the frame's own level keeps the smoothing from
    # carrying a loud sound's edge into the silence next to it.
    audible = (10 * np.log10(np.maximum(power, 1e-12)) > low) & (ac.level_dbfs > low - TAIL_DB)
    reach = int(round(TAIL_MAX_S / LEVEL_HOP_S))
    out = mask.copy()
    n = mask.size
    for a, b in runs(mask):
        if (b - a) * LEVEL_HOP_S < MERGE_S:
            continue  # a click has no tail
        k = a
        while k > 0 and a - k < reach and audible[k - 1]:
            k -= 1
        out[k:a] = True
        k = b
        while k < n and k - b < reach and audible[k]:
            k += 1
        out[b:k] = True
    return out


SNAP_S = 0.5  # s: how far the audio may move the answer's edges from Whisper's


def sound_runs(ac: Acoustics) -> list[tuple[float, float]]:
    """(start_s, end_s) of stretches of speech (:func:`speech_mask`)."""
    return [(a * LEVEL_HOP_S, b * LEVEL_HOP_S) for a, b in runs(speech_mask(ac))]


def answer_span(words: Sequence[Word], ac: Acoustics) -> tuple[float, float] | None:
    """First word start to last word end, in seconds, with both edges moved onto the audio.

    Whisper often starts the first word at 0.0 over a leading silence, or ends the last word
    a second into the trailing silence; the edge moves to where sound starts (ends) when the
    nearest sound lies within the word or :data:`SNAP_S` of it.
    """
    if not words:
        return None
    first_s = min(w.start_s for w in words)
    last_s = max(w.end_s for w in words)
    first_end = min(w.end_s for w in words if w.start_s == first_s)
    last_start = max(w.start_s for w in words if w.end_s == last_s)
    sounds = sound_runs(ac)
    if not sounds:
        return None  # words over digital silence: Whisper invented them; nothing to time
    start, end = first_s, last_s
    after = [s for s in sounds if s[1] > first_s]
    if after:
        s0 = after[0][0]
        # Sound begins inside or just before the first word: that is where speech starts.
        if first_s - SNAP_S <= s0 <= max(first_end, first_s) + SNAP_S:
            start = s0
        elif s0 > first_end + SNAP_S and s0 < last_s:
            start = s0  # the first "word" sits on silence (Whisper's 0.0 start)
    before = [s for s in sounds if s[0] < last_s]
    if before:
        e0 = before[-1][1]
        if min(last_start, last_s) - SNAP_S <= e0 <= last_s + SNAP_S:
            end = e0
        elif e0 < last_start - SNAP_S and e0 > start:
            end = e0
    if end <= start:
        start, end = first_s, max(last_s, first_s)
    return start, end


def _near_word_edge(words: Sequence[Word], start_s: float, end_s: float, tol_s: float) -> bool:
    """True when a silence lines up with a word boundary or a gap between words."""
    for w in words:
        if abs(w.end_s - start_s) <= tol_s or abs(w.start_s - end_s) <= tol_s:
            return True
    ends = np.array([w.end_s for w in words])
    starts = np.array([w.start_s for w in words])
    # A gap between consecutive words that overlaps the silence.
    for e, s in zip(ends[:-1], starts[1:]):
        if s > e and min(s, end_s) - max(e, start_s) > 0:
            return True
    return False


HEARD_PROB = 0.5  # Whisper's word probability from which a word inside a silence is believed
FAINT_DB = 2.5  # dB over the file's noise floor: where a quiet word can hide inside a "silence"
FAINT_SMOOTH_S = 0.05  # s: level averaged over this before the faint test (noise flickers, words do not)
MIN_FAINT_S = 0.06  # s: shorter faint stretches are noise
MERGE_S = 0.08  # s: shorter sounds (clicks) between two silences, under no heard word, join them
WORD_REACH_S = 0.2  # s: how far from Whisper's times a heard word's sound may lie
MIN_TIMED_S = 0.02  # s: a word Whisper timed shorter than this has no usable times
EXPLAINED = 0.6  # a word with this share of its letters' time (_letters_s) over loud frames is that sound


def noise_floor_dbfs(ac: Acoustics) -> float:
    """The file's noise floor: the 10th percentile of its frame levels, in dBFS."""
    return float(np.percentile(ac.level_dbfs, 10)) if ac.level_dbfs.size else 0.0


def _faint_runs(ac: Acoustics, a: int, b: int, floor_dbfs: float) -> list[tuple[int, int]]:
    """Frame ranges in [a, b) a little above the noise floor (:data:`FAINT_DB`) for
    :data:`MIN_FAINT_S` or more: where a quiet word may be."""
    from scipy.ndimage import uniform_filter1d

    width = max(1, int(round(FAINT_SMOOTH_S / LEVEL_HOP_S)))
    lo, hi = max(0, a - width), min(ac.level_dbfs.size, b + width)
    power = uniform_filter1d(10 ** (ac.level_dbfs[lo:hi] / 10), width)
    faint = 10 * np.log10(np.maximum(power, 1e-12))[a - lo: b - lo] > floor_dbfs + FAINT_DB
    return [(a + s, a + e) for s, e in runs(faint) if (e - s) * LEVEL_HOP_S >= MIN_FAINT_S]


def _letters_s(w: Word) -> float:
    """Seconds a word needs at the least: 80 ms a letter, 0.15 s for the shortest."""
    return max(0.15, 0.08 * sum(ch.isalpha() for ch in w.text))


def _heard_inside(words: Sequence[Word], s: float, e: float, loud: np.ndarray | None = None) -> list[Word]:
    """Words Whisper heard well (:data:`HEARD_PROB`) that lie mostly inside [s, e].

    Whisper often stretches a word over the silence next to it ("lower" from 13.08 to 14.72 s
    when it is spoken at 13.99-14.67). A word whose loud frames (``loud``, the speech mask)
    already give it most of the time its letters need (:func:`_letters_s`) is that sound, not
    a quiet word hiding in the silence; and a word Whisper timed with no duration at all
    carries no timing to go by.
    """
    out = []
    for w in words:
        length = w.end_s - w.start_s
        if w.probability < HEARD_PROB or not any(ch.isalnum() for ch in w.text) or length < MIN_TIMED_S:
            continue
        inside = max(0.0, min(w.end_s, e) - max(w.start_s, s))
        if inside < 0.5 * length:
            continue
        if loud is not None:
            a, b = int(round(w.start_s / LEVEL_HOP_S)), int(round(w.end_s / LEVEL_HOP_S))
            if loud[max(0, a): max(0, b)].sum() * LEVEL_HOP_S >= EXPLAINED * _letters_s(w):
                continue
        out.append(w)
    return out


def _quiet_words(ac: Acoustics, words: Sequence[Word], a: int, b: int, floor_dbfs: float,
                 loud: np.ndarray | None = None) -> np.ndarray:
    """Frames of [a, b) (a stretch under the silence threshold) that are quiet speech.

    In a noisy recording a quiet word sits only a few dB over the noise, under any threshold
    that keeps the noise out. The transcript says where to look: a word Whisper heard inside
    the stretch is the faint sound nearest its times, or, when there is none, its own times
    (as long as its letters need, from its start).
    """
    from .filler_words import hesitation_family

    quiet = np.zeros(b - a, dtype=bool)
    heard = _heard_inside(words, a * LEVEL_HOP_S, b * LEVEL_HOP_S, loud)
    if not heard:
        return quiet
    faint = _faint_runs(ac, a, b, floor_dbfs)
    reach = WORD_REACH_S / LEVEL_HOP_S
    for w in heard:
        ws, we = w.start_s / LEVEL_HOP_S, w.end_s / LEVEL_HOP_S
        near = [(s, e) for s, e in faint if s < we + reach and e > ws - reach]
        if near:
            for s, e in near:
                quiet[s - a: e - a] = True
        elif not hesitation_family(w.text):  # Whisper writes "um" over silence: no sound, no um
            need = _letters_s(w)
            s = int(round(ws)) - a
            e = int(round(min(we, ws + need / LEVEL_HOP_S))) - a
            quiet[max(0, s): max(0, e)] = True
    return quiet


class _Overlapping:
    """The words whose times overlap [s, e], found by bisection instead of a scan of the whole
    transcript for each silence (a 2-minute answer has about 200 silences and 300 words).
    Exact: every word that overlaps [s, e] starts after s minus the longest word's length."""

    def __init__(self, words: Sequence[Word]):
        self.words = sorted(words, key=lambda w: w.start_s)
        self.starts = [w.start_s for w in self.words]
        self.longest_s = max((w.end_s - w.start_s for w in self.words), default=0.0)

    def __call__(self, s: float, e: float) -> list[Word]:
        i = bisect.bisect_left(self.starts, s - self.longest_s)
        j = bisect.bisect_right(self.starts, e)
        return [w for w in self.words[i:j] if w.end_s >= s and w.start_s <= e]


def find_pauses(
    words: Sequence[Word],
    ac: Acoustics,
    span: tuple[float, float] | None,
    *,
    min_pause_s: float = 0.25,
    trust_audio_s: float = 0.5,
    word_tolerance_s: float = 0.15,
) -> list[Pause]:
    """Silences inside the answer span of at least ``min_pause_s`` seconds.

    A silence is a stretch under the silence threshold (:func:`speech_mask`: clicks and
    noise swells do not end it), less the quiet words the transcript says are in it
    (:func:`_quiet_words`): in a noisy room a quiet word is not silence.

    Parameters
    ----------
    words : sequence of Word
        The timed transcript.
    ac : Acoustics
        Level track and speech mask of the signal.
    span : (start_s, end_s) or None
        The answer span from :func:`answer_span`; silences outside it are not pauses.
    min_pause_s : float, s
        Shortest silence that counts (DESIGN.md: 0.25 s).
    trust_audio_s : float, s
        Silences at least this long count on the audio alone; shorter ones must also line
        up with a word boundary (within ``word_tolerance_s``), since a stop closure inside a
        word ("Mont-real") can be silent for a quarter second.

    Returns
    -------
    list of Pause, in time order.
    """
    if span is None or ac.speech.size == 0:
        return []
    start, end = span
    floor = noise_floor_dbfs(ac)
    loud = speech_mask(ac)
    silent = ~loud
    near = _Overlapping(words)
    for a, b in runs(silent):
        silent[a:b] &= ~_quiet_words(ac, near(a * LEVEL_HOP_S, b * LEVEL_HOP_S), a, b, floor, loud)
    # A click of under MERGE_S between two silences, where no heard word lies,
    # does not split one pause in two.
    for a, b in runs(~silent):
        if 0 < a and b < silent.size and (b - a) * LEVEL_HOP_S < MERGE_S and not any(
            w.probability >= HEARD_PROB and w.start_s < b * LEVEL_HOP_S and w.end_s > a * LEVEL_HOP_S
            for w in near(a * LEVEL_HOP_S, b * LEVEL_HOP_S)
        ):
            silent[a:b] = True
    pauses = []
    for a, b in runs(silent):
        s = max(a * LEVEL_HOP_S, start)
        e = min(b * LEVEL_HOP_S, end)
        if e - s < min_pause_s:
            continue
        if e - s < trust_audio_s and not _near_word_edge(words, s, e, word_tolerance_s):
            continue
        pauses.append(Pause(start_s=round(s, 3), end_s=round(e, 3), duration_s=round(e - s, 3)))
    return pauses
