"""Filler words of three kinds: hesitations, lexical fillers and filled pauses heard only.

- Hesitations ("um", "uh", ...) come from the transcript but are timed and confirmed in the
  audio: Whisper gives fillers zero-length or misplaced times, writes one long "uhhh" as
  several tokens, and now and then writes an "um" over silence or a whisper. Each run of
  hesitation tokens is matched to the filled pauses (voiced, steady-pitch sounds) found
  between the neighbouring words.
- Lexical fillers ("like", "you know", "kind of", ...) are judged by their place in the
  sentence, using Whisper's punctuation and the words around them; see :func:`lexical_fillers`.
- Acoustic fillers are filled pauses in the audio that no word covers: the filler Whisper
  dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..audio.frames import runs
from ..results import Filler, FillerCluster, Word
from . import filler_words as lex
from .prosody import LEVEL_HOP_S, Acoustics, semitone_spread, voiced_mask

_SENTENCE_END = re.compile(r"[.?!…]+[\"')\]]*$")


@dataclass(frozen=True)
class FilledPauseRules:
    """What a filled pause ("uhhh", "mmm") sounds like; defaults tuned on the eval clips.

    Attributes
    ----------
    min_s : float, s
        Shortest sound taken as a filled pause.
    min_voiced : float, 0..1
        When at least this share of its pitch frames is voiced, the pitch must also be flat;
        below it (creaky or breathy voice) the spectrum alone decides.
    voiced_prob : float, 0..1
        pYIN voicing probability above which a frame counts as voiced (pYIN is cautious
        with creaky voices, so this is lower than its own 0.5).
    max_spread_semitones : float, semitones
        Largest 10th-90th percentile pitch range: fillers hold one pitch, words glide.
    max_flux : float
        Largest median MFCC flux inside the sound: a held "uhh" keeps one spectrum, a word
        moves through several. Pitch alone fails on creaky voices, where pYIN finds none.
    max_zcr : float, 0..1
        Largest median zero-crossing rate: fillers are voiced, hiss and whispers are not.
    segment_below_peak_db : float, dB
        Sounds are cut apart wherever the level drops this far under the speech level, so a
        filler that runs on from a word without a real silence is still seen on its own.
    valley_db : float, dB
        Sounds are also cut at dips this deep below the level on both sides.
    reach_s : float, s
        How far past the neighbouring words' edges a transcribed filler is looked for.
    min_inside : float, 0..1
        Share of a sound that must lie between the neighbouring words for it to be the
        filler Whisper wrote there.
    acoustic_min_s : float, s
        Shortest untranscribed sound reported as an acoustic filler (stricter, because
        nothing in the transcript supports it).
    """

    min_s: float = 0.12
    min_voiced: float = 0.5
    voiced_prob: float = 0.1
    max_spread_semitones: float = 2.0
    max_flux: float = 12.0
    max_zcr: float = 0.3
    segment_below_peak_db: float = 22.0
    valley_db: float = 12.0
    reach_s: float = 0.15
    min_inside: float = 0.5
    acoustic_min_s: float = 0.3


def _segments(
    ac: Acoustics, start_s: float, end_s: float, rules: FilledPauseRules, min_gap_s: float = 0.05
) -> list[tuple[float, float]]:
    """Sound segments overlapping [start_s, end_s], cut where the level dips for min_gap_s."""
    a = ac.level_index(start_s)
    b = ac.level_index(end_s) + 1
    level = ac.level_dbfs[a:b]
    cut = max(ac.threshold_dbfs, ac.peak_dbfs - rules.segment_below_peak_db)
    valley = _valleys(level, depth_db=rules.valley_db)
    silent = (level <= cut) | valley
    # Silences shorter than min_gap_s do not split a sound, unless a deep dip is in them.
    for s, e in runs(silent):
        if (e - s) * LEVEL_HOP_S < min_gap_s and s > 0 and e < silent.size and not valley[s:e].any():
            silent[s:e] = False
    return [((a + s) * LEVEL_HOP_S, (a + e) * LEVEL_HOP_S) for s, e in runs(~silent)]


def _valleys(level: np.ndarray, *, depth_db: float, reach_s: float = 0.3) -> np.ndarray:
    """Frames at the bottom of a dip at least ``depth_db`` deep on both sides.

    A filler that follows a word with only a dip in level, not a silence ("Montreal-uhh"),
    is split from it here.
    """
    from scipy.ndimage import maximum_filter1d, minimum_filter1d

    if level.size < 3:
        return np.zeros(level.size, dtype=bool)
    reach = max(1, int(round(reach_s / LEVEL_HOP_S)))
    left = maximum_filter1d(level, size=reach, origin=(reach - 1) // 2)  # max over frames before
    right = maximum_filter1d(level, size=reach, origin=-(reach // 2))  # max over frames after
    local_min = level <= minimum_filter1d(level, size=5)
    return local_min & (level <= np.minimum(left, right) - depth_db)


def is_filled_pause(ac: Acoustics, start_s: float, end_s: float, rules: FilledPauseRules, *, min_s: float | None = None) -> bool:
    """True when [start_s, end_s] sounds like a filled pause: long enough, voiced, one pitch."""
    if end_s - start_s < (rules.min_s if min_s is None else min_s) or ac.flux.size == 0:
        return False
    # Judge the inside of the sound: its first and last 30 ms are on- and offset transients.
    a, b = ac.level_index(start_s + 0.03), ac.level_index(end_s - 0.03)
    if b <= a:
        return False
    if np.median(ac.flux[a:b]) > rules.max_flux or np.median(ac.zcr[a:b]) > rules.max_zcr:
        return False
    sl = ac.pitch_slice(start_s, end_s)
    voiced = voiced_mask(ac, sl, min_prob=rules.voiced_prob)
    if voiced.size and voiced.mean() >= rules.min_voiced:
        spread = semitone_spread(ac.f0_hz[sl][voiced])
        return spread is None or spread <= rules.max_spread_semitones
    return True  # creaky or breathy voice: pYIN finds no pitch, the steady spectrum decides


SECONDS_PER_LETTER = 0.1  # s: generous for speech at 110-230 words/min
MIN_WORD_S = 0.25  # s: a short word's time including its onset
CLAIM_FACTOR = 1.0  # a word longer than this many times its letters need is over-long


def _needed_s(w: Word) -> float:
    letters = sum(ch.isalpha() for ch in w.text)
    return max(MIN_WORD_S, SECONDS_PER_LETTER * letters)


def _claimed_end(w: Word) -> float:
    """End of a word as far as its letters go: over-long words hide fillers at their end."""
    return min(w.end_s, w.start_s + CLAIM_FACTOR * _needed_s(w))


def _claimed_start(w: Word) -> float:
    return max(w.start_s, w.end_s - CLAIM_FACTOR * _needed_s(w))


def _steadiness(ac: Acoustics, seg: tuple[float, float]) -> float:
    """Median spectral flux inside a sound: lower is steadier, more like a filled pause."""
    a, b = ac.level_index(seg[0] + 0.03), ac.level_index(seg[1] - 0.03)
    return float(np.median(ac.flux[a:b])) if b > a else float("inf")


def _inside_share(seg: tuple[float, float], lo: float, hi: float) -> float:
    dur = seg[1] - seg[0]
    return max(0.0, min(seg[1], hi) - max(seg[0], lo)) / dur if dur > 0 else 0.0


def hesitation_fillers(
    words: Sequence[Word], ac: Acoustics, rules: FilledPauseRules = FilledPauseRules()
) -> tuple[list[Filler], set[int]]:
    """Hesitation tokens confirmed and timed in the audio.

    Returns
    -------
    fillers : list of Filler (kind "hesitation"), times from the audio
    token_indexes : set of int
        Indexes of every hesitation token in ``words`` (confirmed or not), so the caller
        can leave them out of the word count.
    """
    families = [lex.hesitation_family(w.text) for w in words]
    token_indexes = {i for i, f in enumerate(families) if f}
    fillers: list[Filler] = []
    i = 0
    while i < len(words):
        if not families[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(words) and families[j + 1]:
            j += 1
        run = list(range(i, j + 1))
        # Whisper often stretches the word next to a filler over it ("the,[6.80-8.10] uh,
        # [8.10-8.12]"): an over-long neighbour only claims the time its letters need.
        lo = _claimed_end(words[i - 1]) if i > 0 else 0.0
        hi = _claimed_start(words[j + 1]) if j + 1 < len(words) else ac.duration_s
        if hi < lo:  # overlapping neighbours: search around the tokens themselves
            lo, hi = min(words[k].start_s for k in run), max(words[k].end_s for k in run)
        # Sounds that lie mostly between the neighbouring words. Their edges are loose, so
        # the search reaches a little past them, and the sounds are cut at its edges: a
        # filler that runs on from a word without a dip is still found.
        candidates = [
            seg for seg in _segments(ac, lo - rules.reach_s, hi + rules.reach_s, rules)
            if _inside_share(seg, lo, hi) >= rules.min_inside and is_filled_pause(ac, seg[0], seg[1], rules)
        ]
        if candidates:
            # One filler per filled pause, never more than the tokens Whisper wrote. When
            # there are more sounds than tokens, keep the steadiest: Whisper's filler times
            # lag by up to a second after a silence, so nearness to them misleads.
            if len(candidates) > len(run):
                candidates = sorted(sorted(candidates, key=lambda seg: _steadiness(ac, seg))[: len(run)])
            for seg in candidates:
                mid = 0.5 * (seg[0] + seg[1])
                k = min(run, key=lambda k: abs(0.5 * (words[k].start_s + words[k].end_s) - mid))
                fillers.append(Filler(text=lex.normalise(words[k].text), start_s=round(seg[0], 3),
                                      end_s=round(seg[1], 3), kind="hesitation"))
        # No filled pause under the tokens: silence, a whisper, a cut-off word or "know 'er".
        # Whisper misheard, and counting it would blame the speaker for it.
        i = j + 1
    return fillers, token_indexes


def acoustic_fillers(
    words: Sequence[Word],
    ac: Acoustics,
    span: tuple[float, float] | None,
    known: Sequence[Filler],
    rules: FilledPauseRules = FilledPauseRules(),
) -> list[Filler]:
    """Filled pauses in the audio that no word covers and no known filler already marks."""
    if span is None or ac.f0_hz.size == 0:
        return []
    covered = np.zeros(ac.speech.size, dtype=bool)
    for w in words:
        if lex.hesitation_family(w.text):
            continue  # a hesitation token does not vouch for the sound it claims
        # Whisper gives some words no length ("words,[21.94-21.94]"): a word covers at
        # least the time its letters need.
        end = max(w.end_s, w.start_s + _needed_s(w))
        covered[ac.level_index(w.start_s - 0.1): ac.level_index(end + 0.1) + 1] = True
    for f in known:
        covered[ac.level_index(f.start_s): ac.level_index(f.end_s) + 1] = True
    out = []
    for seg in _segments(ac, span[0], span[1], rules):
        a, b = ac.level_index(seg[0]), ac.level_index(seg[1])
        if b <= a or covered[a:b].mean() > 0.3:
            continue
        if is_filled_pause(ac, seg[0], seg[1], rules, min_s=rules.acoustic_min_s):
            out.append(Filler(text="(filled pause)", start_s=round(seg[0], 3), end_s=round(seg[1], 3), kind="acoustic"))
    return out


def _sound_bounds(ac: Acoustics, start_s: float, end_s: float) -> tuple[float, float]:
    """A word's span trimmed to the sound inside it (Whisper's edges drift into silences)."""
    a, b = ac.level_index(start_s), ac.level_index(end_s) + 1
    idx = np.flatnonzero(ac.speech[a:b])
    if idx.size == 0:
        return start_s, end_s
    return float((a + idx[0]) * LEVEL_HOP_S), float((a + idx[-1] + 1) * LEVEL_HOP_S)


def lexical_fillers(words: Sequence[Word], ac: Acoustics | None = None) -> list[Filler]:
    """Lexical fillers judged by sentence structure, not by the bare word.

    The structure comes from Whisper's punctuation (sentence ends, commas that set a word
    off) and from the word before and after:

    - "like" counts when set off by commas ("it was, like, broken") or opening a sentence
      with a comma, and never after a subject, modal or verb that takes it as a verb or
      preposition ("I like my job", "looks like rain", "something like that");
    - "you know" counts unless it is asked or governs a clause ("do you know", "if you
      know", "you know the answer"): it must be set off by a comma or end a sentence;
    - "I mean" counts at a sentence start or before a comma, not in "what I mean is";
    - "kind of" / "sort of" count as hedges unless a determiner makes them a noun phrase
      ("a kind of bug", "what sort of");
    - "basically", "actually", "literally" count when set off by commas or opening a
      sentence;
    - "so" and "right" count only when they open a sentence ("So, um, ...", "Right, so").
    """
    norms = [lex.normalise(w.text) for w in words]
    hes = [bool(lex.hesitation_family(w.text)) for w in words]
    n = len(words)

    def prev_idx(i: int) -> int | None:
        k = i - 1
        while k >= 0 and hes[k]:
            k -= 1
        return k if k >= 0 else None

    opened: set[int] = set()  # tokens that open a sentence after a sentence-initial filler

    def sentence_start(i: int) -> bool:
        k = prev_idx(i)
        if k is None or i in opened:
            return True
        gap = words[i].start_s - words[k].end_s
        return bool(_SENTENCE_END.search(words[k].text)) or gap >= 1.0

    def comma_after(i: int) -> bool:
        return words[i].text.rstrip().endswith((",", ";", ":", "—", "..."))

    def ends_sentence(i: int) -> bool:
        return i == n - 1 or bool(_SENTENCE_END.search(words[i].text))

    def comma_before(i: int) -> bool:
        k = i - 1
        return k >= 0 and (words[k].text.rstrip().endswith((",", ";", ":", "—")) or hes[k])

    found: list[tuple[int, int]] = []  # (first, last) token index
    i = 0
    while i < n:
        w, nxt = norms[i], (norms[i + 1] if i + 1 < n else "")
        p = prev_idx(i)
        prev = norms[p] if p is not None else ""
        start = sentence_start(i)
        hit: int | None = None  # last token of the filler
        if w == "yknow":
            hit = i
        elif w == "like":
            set_off = (comma_before(i) or start) and (comma_after(i) or ends_sentence(i))
            role = prev in lex.BE_FORMS or nxt in lex.LIKE_FILLER_AFTER or nxt.isdigit()
            if (start or prev not in lex.LIKE_NOT_FILLER_BEFORE) and (set_off or role):
                hit = i
        elif w == "you" and nxt == "know":
            if prev not in lex.YOU_KNOW_NOT_FILLER_BEFORE and (
                comma_after(i + 1) or ends_sentence(i + 1) or prev in lex.BE_FORMS
            ):
                hit = i + 1
        elif w == "i" and nxt == "mean":
            after = norms[i + 2] if i + 2 < n else ""
            # "I mean, it was..." : a comma after "mean" ends the phrase, so the next word is no object.
            object_next = after in lex.I_MEAN_NOT_FILLER_AFTER and not comma_after(i + 1)
            if prev not in lex.I_MEAN_NOT_FILLER_BEFORE and not object_next and (comma_after(i + 1) or start):
                hit = i + 1
        elif w in ("kind", "sort") and nxt == "of":
            if prev not in lex.DETERMINERS and not comma_after(i):
                hit = i + 1
        elif w in ("kinda", "sorta"):
            if prev not in lex.DETERMINERS:
                hit = i
        elif w in lex.ADVERB_FILLERS:
            if comma_after(i) or comma_before(i) or start or prev in lex.BE_FORMS | lex.SUBJECTS:
                hit = i
        elif w in lex.SENTENCE_START_ONLY and start:
            if w == "so" and nxt not in ("that", "far", "much", "many", "long"):
                hit = i
            elif w == "right" and (comma_after(i) or nxt == "so"):
                hit = i
        if hit is not None:
            if start:  # "Right, so ...": what follows an opening filler still opens the sentence
                opened.add(hit + 1)
            found.append((i, hit))
            i = hit + 1
        else:
            i += 1
    out = []
    for a, b in found:
        s, e = words[a].start_s, words[b].end_s
        if ac is not None:
            s, e = _sound_bounds(ac, s, e)
        text = " ".join(norms[a: b + 1])
        out.append(Filler(text=text, start_s=round(s, 3), end_s=round(e, 3), kind="lexical"))
    return out


def filler_clusters(fillers: Sequence[Filler], *, window_s: float, min_count: int) -> list[FillerCluster]:
    """Stretches where at least ``min_count`` fillers fall within ``window_s`` seconds."""
    times = sorted(f.start_s for f in fillers)
    clusters: list[FillerCluster] = []
    i = 0
    while i < len(times):
        j = i
        while j + 1 < len(times) and times[j + 1] - times[i] <= window_s:
            j += 1
        if j - i + 1 >= min_count:
            clusters.append(FillerCluster(start_s=times[i], end_s=times[j], count=j - i + 1))
            i = j + 1
        else:
            i += 1
    return clusters


__all__ = [
    "FilledPauseRules",
    "acoustic_fillers",
    "filler_clusters",
    "hesitation_fillers",
    "is_filled_pause",
    "lexical_fillers",
]
