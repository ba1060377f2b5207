"""Words with no speech under them: the filler prompt echoed over silence or noise.

Whisper, prompted with "Um, uh, er, hmm.", sometimes writes those words again where nobody
spoke (after the last word, in a long pause). A word before the first or after the last heard word is taken as not heard when all three hold:

- Whisper itself doubts it (probability under ``max_probability``);
- the audio under it is near the noise floor (its median 30 ms frame level at most
  ``floor_margin_db`` over the recording's 10th-percentile frame level);
- the Silero speech detector (bundled with faster-whisper) gives it a speech probability under
  ``max_speech_probability`` everywhere under the word.

The speech detector runs only around the few words that pass the first two checks, so it costs
next to nothing. The detector is passed in as a function so this module stays pure numpy.

>>> import numpy as np
>>> from mockmic.results import Word
>>> sr = 16000
>>> rng = np.random.default_rng(0)
>>> sig = np.concatenate([0.2 * rng.standard_normal(sr), 0.001 * rng.standard_normal(sr)]).astype(np.float32)
>>> words = [Word("fixed", 0.1, 0.8, 0.9), Word("Um,", 1.2, 1.5, 0.3)]
>>> no_speech = lambda audio: np.zeros(len(audio) // 512)
>>> [w.text for w in unheard_words(sig, words, no_speech)]
['Um,']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..audio.frames import frame_rms
from ..config import SAMPLE_RATE
from ..results import Word

VAD_WINDOW = 512  # samples per Silero speech probability (32 ms)
FRAME_S = 0.03
MIN_PROBE_S = 0.4  # a word is judged on at least this much audio about its middle
CONTEXT_S = 0.5  # audio the detector hears before a word, so its state has settled

SpeechProb = Callable[[np.ndarray], np.ndarray]  # audio (multiple of 512 samples) -> one probability per 512


def unheard_words(
    samples: np.ndarray,
    words: Sequence[Word],
    speech_prob: SpeechProb,
    *,
    max_probability: float = 0.5,
    floor_margin_db: float = 10.0,
    max_speech_probability: float = 0.15,
) -> list[Word]:
    """The words of ``words`` with no speech under them (see the module docstring).

    Only the runs before the first and after the last heard word are judged: inside the
    answer a real "uh" in a noisy recording can look the same to all three checks (on
    ../shared/eval/mfa cold_corpus two spoken "uh"s have speech probability 0.03 and 0.10).
    """
    if not words or samples.size == 0:
        return []
    hop = int(FRAME_S * SAMPLE_RATE)
    rms = frame_rms(samples, hop)
    if rms.size == 0:
        return []
    floor = max(float(np.percentile(rms, 10)), 1e-5)
    near_floor = floor * 10 ** (floor_margin_db / 20)
    def unheard(w: Word) -> bool:
        if w.probability >= max_probability:
            return False
        start_s, end_s = _probe(w)
        a = int(start_s / FRAME_S)
        b = max(a + 1, int(np.ceil(end_s / FRAME_S)))
        level = rms[a:b]
        if level.size and float(np.median(level)) > near_floor:
            return False
        return _peak_speech_probability(samples, start_s, end_s, speech_prob) < max_speech_probability

    out: list[Word] = []
    first = 0
    while first < len(words) and unheard(words[first]):
        out.append(words[first])
        first += 1
    tail: list[Word] = []
    last = len(words) - 1
    while last >= first and unheard(words[last]):
        tail.append(words[last])
        last -= 1
    return out + tail[::-1]


def _probe(w: Word) -> tuple[float, float]:
    """The stretch judged for ``w``: its own span, widened to MIN_PROBE_S about its middle.

    Whisper gives some real words no length at all ("put" of "putty" at 4.00-4.00 s, before
    the speech at 4.19 s); a word judged on no audio would be dropped for nothing.
    """
    pad = max(0.0, (MIN_PROBE_S - (w.end_s - w.start_s)) / 2)
    return max(0.0, w.start_s - pad), w.end_s + pad


def _peak_speech_probability(samples: np.ndarray, start_s: float, end_s: float, speech_prob: SpeechProb) -> float:
    a = max(0, int((start_s - CONTEXT_S) * SAMPLE_RATE))
    a -= a % VAD_WINDOW
    first = int(start_s * SAMPLE_RATE)
    b = min(samples.size, int(np.ceil(end_s * SAMPLE_RATE)))
    if b <= first:
        return 0.0
    audio = samples[a:b].astype(np.float32)
    audio = np.pad(audio, (0, (-audio.size) % VAD_WINDOW))
    probs = np.asarray(speech_prob(audio), dtype=np.float64).reshape(-1)
    under = probs[(first - a) // VAD_WINDOW:]
    return float(under.max()) if under.size else 0.0


def silero_speech_prob() -> SpeechProb:
    """The Silero detector faster-whisper bundles (no download), as a :data:`SpeechProb`."""
    from faster_whisper.vad import get_vad_model

    model = get_vad_model()
    return lambda audio: model(audio)
