"""Measure transcription on the real clips of ../shared/eval/mfa (see scripts/eval_transcription).

Rows: mockmic as it runs (filler prompt, ``--mode``), the same without the prompt, and plain
tiny.en/base as other tools call faster-whisper (sequential ``WhisperModel.transcribe``, its
default temperature fallback, the filler prompt, as ``scripts/bench --transcribe`` runs it).
Each is measured clip by clip and on the clips joined into one file (0.5 s apart), so clips of
many unrelated utterances are decoded together as a long answer is.

``--split tune`` takes the clips at even positions of the sorted ids (where options were tuned),
``--split test`` the odd ones (held out), ``--split all`` every clip.
"""

from __future__ import annotations

import argparse
import dataclasses
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
GAP_S = 0.5  # silence between joined clips, as scripts/bench_transcribe.py joins them
SR = 16000


def norm(text: str) -> list[str]:
    words = re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " ")).split()
    return [SPELLINGS.get(w, w) for w in words]


def split_clips(clips: list[dict], split: str) -> list[dict]:
    """``tune``: even positions of the sorted ids; ``test``: odd ones; ``all``: every clip."""
    ordered = sorted(clips, key=lambda c: c["id"])
    if split == "all":
        return ordered
    return ordered[0 if split == "tune" else 1::2]


def filler_counts(refs: list[list[str]], hyps: list[list[str]]) -> tuple[int, int, int]:
    """(um/uh in the references, in the transcripts, matched: per utterance, the lesser count)."""
    ref_n = sum(r.count(f) for r in refs for f in FILLERS)
    hyp_n = sum(h.count(f) for h in hyps for f in FILLERS)
    hit = sum(min(h.count(f), r.count(f)) for r, h in zip(refs, hyps) for f in FILLERS)
    return ref_n, hyp_n, hit


class Plain:
    """faster-whisper as other tools call it: sequential, default temperature fallback."""

    def __init__(self, model: str | None):
        from faster_whisper import WhisperModel

        from mockmic.transcribe import resolve_model

        self._model = WhisperModel(str(resolve_model(model).path), device="cpu", compute_type="int8",
                                   local_files_only=True)

    def text(self, samples: np.ndarray) -> str:
        segments, _ = self._model.transcribe(samples, language="en", beam_size=5, word_timestamps=True,
                                             initial_prompt=FILLER_PROMPT, hotwords=FILLER_PROMPT)
        return " ".join(s.text for s in segments)


def measure(text_of, clips: list[dict], audio: dict[str, np.ndarray], *, joined_only: bool = False) -> dict:
    refs = [norm(c["reference"]) for c in clips]
    t0 = time.perf_counter()
    hyps = [[] if joined_only else norm(text_of(audio[c["id"]])) for c in clips]
    per_clip_s = time.perf_counter() - t0
    gap = np.zeros(int(GAP_S * SR), np.float32)
    joined = np.concatenate([x for c in clips for x in (audio[c["id"]], gap)])
    t0 = time.perf_counter()
    joined_hyp = norm(text_of(joined))
    joined_s = time.perf_counter() - t0
    joined_ref = [w for r in refs for w in r]
    nf = lambda ws: " ".join(w for w in ws if w not in FILLERS)  # noqa: E731
    ref_n, hyp_n, hit = filler_counts(refs, hyps)
    return {
        "wer": jiwer.wer([" ".join(r) or "<empty>" for r in refs], [" ".join(h) for h in hyps]),
        "wer_nf": jiwer.wer([nf(r) or "<empty>" for r in refs], [nf(h) for h in hyps]),
        "joined_wer": jiwer.wer(" ".join(joined_ref), " ".join(joined_hyp)),
        "fillers": (ref_n, hyp_n, hit),
        "per_clip_s": per_clip_s,
        "joined_s": joined_s,
        "hyps": hyps,
    }


def show_fillers(tr, clips: list[dict], audio: dict[str, np.ndarray]) -> None:
    """Where um/uh are missed or extra: did cleanup drop them, or did Whisper never write them?"""
    for c in clips:
        ref = norm(c["reference"])
        t = tr.transcribe(audio[c["id"]])
        hyp = norm(t.text)
        if all(ref.count(f) == hyp.count(f) for f in FILLERS):
            continue
        print(f"  {c['id']}: um/uh {sum(map(ref.count, FILLERS))} in the reference, {sum(map(hyp.count, FILLERS))} written"
              f"\n    ref {' '.join(ref)}"
              f"\n    hyp {' '.join(f'{w.text}@{w.start_s:.2f}-{w.end_s:.2f}({w.probability:.2f})' for w in t.words)}"
              f"\n    dropped {list(t.dropped_hallucinations)}")


def streamed_text(tr, samples: np.ndarray, mode: str) -> str:
    """The transcript the recorder would get streaming ``samples`` (fed as fast as they come:
    where chunks are cut depends on the audio alone, and they are transcribed in order)."""
    from mockmic.transcribe.streaming import StreamingTranscriber
    from mockmic.web.engine.recordings import LIVE_STREAM

    st = StreamingTranscriber(tr, LIVE_STREAM if mode == "streamed-web" else None)
    block = int(0.1 * SR)
    for i in range(0, samples.size, block):
        st.feed(samples[i : i + block])
    return st.finish().text


def parse_set(items: list[str]) -> dict:
    """``--set max_clip_s=15`` into TranscribeOptions keywords (numbers and booleans parsed)."""
    fields = {f.name: f for f in dataclasses.fields(TranscribeOptions)}
    out = {}
    for item in items:
        key, _, value = item.partition("=")
        if key not in fields:
            raise SystemExit(f"--set: TranscribeOptions has no field {key!r}")
        out[key] = {"true": True, "false": False}.get(value.lower(), value)
        for cast in (int, float):
            try:
                out[key] = cast(value)
                break
            except ValueError:
                pass
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default=None)
    ap.add_argument("--mode", default="batched", choices=("batched", "sequential", "streamed", "streamed-web"),
                    help="TranscribeOptions.mode (default batched, as mockmic runs files); streamed: the audio fed "
                         "in 0.1 s blocks through the terminal recorder's StreamingTranscriber (chunks cut at "
                         "pauses, each transcribed batched with the text before), streamed-web: the browser's")
    ap.add_argument("--split", default="all", choices=("all", "tune", "test"),
                    help="tune: even positions of the sorted clip ids; test: odd positions (held out)")
    ap.add_argument("--rows", default="mockmic,no-prompt,plain",
                    help="comma-separated rows to measure: mockmic, no-prompt, plain")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                    help="override a TranscribeOptions field for the mockmic rows (tuning)")
    ap.add_argument("--joined-only", action="store_true", help="only the joined file (per-clip columns are then meaningless)")
    ap.add_argument("--show", action="store_true", help="print each clip's reference and mockmic's words where they differ")
    ap.add_argument("--fillers", action="store_true",
                    help="print each clip whose um/uh count differs: mockmic's timed words (probability) and what cleanup dropped")
    args = ap.parse_args()
    clips = split_clips([json.loads(line) for line in open(EVAL / "mfa" / "manifest.jsonl")], args.split)
    audio = {c["id"]: load_audio(EVAL / "mfa" / c["audio"])[0] for c in clips}
    total_audio = sum(a.size for a in audio.values()) / SR
    overrides = parse_set(args.set)
    print(f"{len(clips)} clips ({args.split}), {total_audio:.0f} s of real speech; model {args.model or 'tiny.en'}, "
          f"{args.mode}{' ' + str(overrides) if overrides else ''}")
    print(f"{'row':<10} {'WER':>6} {'WER(no fillers)':>16} {'joined WER':>11} {'um/uh recall':>13} "
          f"{'precision':>10} {'RTF':>6}")
    rows = [r for r in args.rows.split(",") if r]
    for label in rows:
        if label == "plain":
            text_of = Plain(args.model).text
        else:
            prompt = None if label == "no-prompt" else FILLER_PROMPT
            streamed = args.mode.startswith("streamed")  # each chunk is transcribed batched
            opts = TranscribeOptions(initial_prompt=prompt, keep_prompt_in_force=prompt is not None,
                                     mode="batched" if streamed else args.mode, **overrides)
            tr = Transcriber(args.model, opts)
            if streamed:
                text_of = lambda samples, tr=tr: streamed_text(tr, samples, args.mode)  # noqa: E731
            else:
                text_of = lambda samples, tr=tr: tr.transcribe(samples).text  # noqa: E731
            if args.fillers and label == "mockmic":
                show_fillers(tr, clips, audio)
        m = measure(text_of, clips, audio, joined_only=args.joined_only)
        ref_n, hyp_n, hit = m["fillers"]
        rtf = 2 * total_audio / (m["per_clip_s"] + m["joined_s"])
        print(f"{label:<10} {m['wer']:6.3f} {m['wer_nf']:16.3f} {m['joined_wer']:11.3f} {hit:>6}/{ref_n:<6} "
              f"{hit / max(hyp_n, 1):10.2f} {rtf:5.1f}x", flush=True)
        if args.show and label == "mockmic":
            for c, h in zip(clips, m["hyps"]):
                r = norm(c["reference"])
                if r != h:
                    print(f"  {c['id']}: {jiwer.wer(' '.join(r) or '<empty>', ' '.join(h)):.2f}\n    ref {' '.join(r)}\n    hyp {' '.join(h)}")
    print("um/uh recall: matched / in the references; precision: matched / um and uh written "
          "(per clip, on mfa_er and mfa_erpause 'er' is 'her'). RTF: seconds of audio per second of wall time.")


if __name__ == "__main__":
    main()
