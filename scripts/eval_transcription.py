"""Measure transcription on the real clips of ../shared/eval/mfa (see scripts/eval_transcription)."""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from pathlib import Path

import jiwer
import numpy as np

from mockmic.audio import load_audio
from mockmic.transcribe import FILLER_PROMPT, TranscribeOptions, Transcriber

from mockmic.config import shared_dir  # noqa: E402

EVAL = Path(os.environ.get("MOCKMIC_EVAL") or (shared_dir() or Path("../shared")) / "eval")
FILLERS = ("um", "uh")
# The references spell some fillers differently from Whisper.
SPELLINGS = {"umm": "um", "uhh": "uh", "hmm": "hm", "mm": "hm", "mhm": "hm"}


def norm(text: str) -> list[str]:
    words = re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " ")).split()
    return [SPELLINGS.get(w, w) for w in words]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default=None)
    ap.add_argument("--mode", default="batched", choices=("batched", "sequential"),
                    help="TranscribeOptions.mode (default batched, as mockmic runs)")
    args = ap.parse_args()
    clips = [json.loads(l) for l in open(EVAL / "mfa" / "manifest.jsonl")]
    audio = {c["id"]: load_audio(EVAL / "mfa" / c["audio"])[0] for c in clips}
    total_audio = sum(a.size for a in audio.values()) / 16000
    print(f"{len(clips)} clips, {total_audio:.0f} s of real speech; model {args.model or 'tiny.en'}, {args.mode}")
    print(f"{'prompt':<10} {'WER':>6} {'WER(no fillers)':>16} {'um/uh recall':>13} {'um/uh extra':>12} {'RTF':>7}")
    for label, prompt, keep in (("none", None, False), ("disfluent", FILLER_PROMPT, True)):
        tr = Transcriber(args.model, TranscribeOptions(initial_prompt=prompt, keep_prompt_in_force=keep, mode=args.mode))
        refs, hyps, refs_nf, hyps_nf = [], [], [], []
        hit = ref_n = extra = 0
        spent = 0.0
        for c in clips:
            t0 = time.perf_counter()
            h = norm(tr.transcribe(audio[c["id"]]).text)
            spent += time.perf_counter() - t0
            r = norm(c["reference"])
            refs.append(" ".join(r) or "<empty>")
            hyps.append(" ".join(h))
            refs_nf.append(" ".join(w for w in r if w not in FILLERS) or "<empty>")
            hyps_nf.append(" ".join(w for w in h if w not in FILLERS))
            for f in FILLERS:
                hit += min(h.count(f), r.count(f))
                ref_n += r.count(f)
                extra += max(0, h.count(f) - r.count(f))
        wer = jiwer.wer(refs, hyps)
        wer_nf = jiwer.wer(refs_nf, hyps_nf)
        print(f"{label:<10} {wer:6.3f} {wer_nf:16.3f} {hit:>6}/{ref_n:<6} {extra:>12} {total_audio / spent:6.1f}x")
    print("RTF = seconds of audio transcribed per second of wall time (higher is faster).")


if __name__ == "__main__":
    main()
