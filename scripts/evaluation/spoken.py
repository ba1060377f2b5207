"""The spoken subset: test answers spoken by espeak-ng, transcribed by tiny.en, with gold labels.

Each transcribed word gets the label of the source sentence it came from, found by aligning the
transcript's normalised tokens to the source text's (difflib); a word that matches nothing takes
the label of the nearest matched word before it. ``make`` writes ``spoken/<id>.json``;
``load_spoken`` reads them back as the ``inputs`` of :func:`content_eval.evaluate`.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from mockmic.results import Word

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from evaluation.content_eval import SET_DIR, Answer, load_split  # noqa: E402

SPOKEN_DIR = SET_DIR / "spoken"
VOICES = ("en-us", "en-gb", "en-us+f3", "en-gb-x-rp")
SPEEDS = (140, 155, 170)


def _norm(t: str) -> str:
    return re.sub(r"[^\w']+", "", t.lower())


def voice_of(answer_id: str) -> tuple[str, int]:
    h = int(hashlib.sha256(("voice:" + answer_id).encode()).hexdigest(), 16)
    return VOICES[h % len(VOICES)], SPEEDS[(h // 7) % len(SPEEDS)]


def align_labels(words: list[str], answer: Answer) -> list[str]:
    """The gold STAR label of each transcribed word, by token alignment to the source sentences."""
    src_tokens, src_labels = [], []
    for lab, text in answer.sentences:
        for t in text.split():
            if _norm(t):
                src_tokens.append(_norm(t))
                src_labels.append(lab)
    hyp = [_norm(w) for w in words]
    out: list[str | None] = [None] * len(hyp)
    sm = difflib.SequenceMatcher(a=hyp, b=src_tokens, autojunk=False)
    for blk in sm.get_matching_blocks():
        for k in range(blk.size):
            out[blk.a + k] = src_labels[blk.b + k]
    # Unmatched words: the label of the source word at the same relative place.
    for i, lab in enumerate(out):
        if lab is None:
            j = min(len(src_labels) - 1, int(i * len(src_labels) / max(1, len(hyp))))
            out[i] = src_labels[j] if src_labels else "none"
    return [x or "none" for x in out]


def make(force: bool = False) -> None:
    import numpy as np

    from mockmic.audio import load_audio
    from mockmic.transcribe import Transcriber

    SPOKEN_DIR.mkdir(exist_ok=True)
    answers = load_split("test")
    tr = Transcriber("tiny.en")
    for n, ans in enumerate(answers, 1):
        out = SPOKEN_DIR / f"{ans.id}.json"
        if out.exists() and not force:
            continue
        voice, speed = voice_of(ans.id)
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "a.wav"
            # Sentences as the person wrote them; the unpunctuated ones run on as one.
            text = " ".join(t for _, t in ans.sentences)
            if not ans.punctuation:
                text = re.sub(r"[^\w' ]+", " ", text.lower())
            subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text], check=True)
            samples = load_audio(wav)[0]
        t = tr.transcribe(np.asarray(samples, dtype=np.float32))
        labels = align_labels([w.text for w in t.words], ans)
        out.write_text(json.dumps({
            "id": ans.id, "voice": voice, "speed_wpm": speed, "model": "tiny.en",
            "words": [[w.text, round(w.start_s, 3), round(w.end_s, 3), round(w.probability, 3), lab]
                      for w, lab in zip(t.words, labels)],
        }, indent=0) + "\n", encoding="utf-8")
        print(f"{n}/{len(answers)} {ans.id} {voice} {speed} wpm: {len(t.words)} words", flush=True)


def load_spoken(spoken_dir: Path = SPOKEN_DIR) -> dict[str, tuple[tuple[Word, ...], list[tuple[int, int, str]]]]:
    """Per answer id: the transcribed words and gold ``(first, end, label)`` runs of words."""
    out = {}
    for f in sorted(spoken_dir.glob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        words = tuple(Word(w[0], w[1], w[2], w[3]) for w in d["words"])
        labels = [w[4] for w in d["words"]]
        gold: list[tuple[int, int, str]] = []
        for i, lab in enumerate(labels):
            if gold and gold[-1][2] == lab:
                gold[-1] = (gold[-1][0], i + 1, lab)
            else:
                gold.append((i, i + 1, lab))
        out[d["id"]] = (words, gold)
    return out


if __name__ == "__main__":
    make(force="--force" in sys.argv)
