"""`scripts/bench --transcribe`: the whole analysis against plain sequential faster-whisper.

For each input (espeak-ng speech of 30 s, 2 min and 10 min made of whole paragraphs; real clips
of ../shared/eval/mfa joined to about 2 min and all of them), in fresh child processes:

- plain: ``WhisperModel.transcribe`` as other tools call it (sequential, default temperature
  fallback, word timestamps, mockmic's filler prompt);
- analyze: mockmic's whole analysis of the file (decode, batched transcription, delivery,
  content, scores), as ``mockmic analyze`` runs it after the model has loaded;

and prints the time ratio, each child's peak memory and both transcripts' word error rate
against the known text. Then the wait after a 2-minute recording stops (streamed transcription).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

SR = 16000


def _norm(text: str) -> str:
    from eval_transcription import norm

    return " ".join(norm(text))


def child(kind: str, path: str) -> dict:
    """One measurement in this (child) process; ``kind`` is "tx-plain" or "tx-analyze"."""
    t0 = time.perf_counter()
    from mockmic.audio import load_audio

    if kind == "tx-plain":
        from faster_whisper import WhisperModel

        from mockmic.transcribe import FILLER_PROMPT, resolve_model

        model = WhisperModel(str(resolve_model(None).path), device="cpu", compute_type="int8", local_files_only=True)
        load_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        samples, _ = load_audio(path)
        segments, _ = model.transcribe(samples, language="en", beam_size=5, word_timestamps=True,
                                       initial_prompt=FILLER_PROMPT, hotwords=FILLER_PROMPT)
        text = " ".join(s.text for s in segments)
        work_s = time.perf_counter() - t1
    elif kind == "tx-analyze":
        from mockmic.pipeline import Analyzer

        analyzer = Analyzer()
        analyzer.transcriber  # load the model, as a warm `mockmic serve` or a batch worker has it
        load_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        report, _ = analyzer.analyze_file(path)
        work_s = time.perf_counter() - t1
        text = report.transcript.text
    elif kind.startswith("tx-batch-"):  # transcription alone at one batch size (no analysis stages loaded)
        from mockmic.transcribe import TranscribeOptions, Transcriber

        transcriber = Transcriber(None, TranscribeOptions(batch_size=int(kind.rsplit("-", 1)[1])))
        load_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        samples, _ = load_audio(path)
        text = transcriber.transcribe(samples).text
        work_s = time.perf_counter() - t1
    else:
        raise SystemExit(f"unknown kind {kind}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"load_s": load_s, "work_s": work_s, "peak_mb": peak_mb, "text": text}


def espeak_input(seconds: float, path: Path) -> tuple[Path, str]:
    """Whole paragraphs of espeak-ng speech (0.6 s apart) up to about ``seconds``, and their text."""
    import librosa
    import numpy as np
    import soundfile as sf

    from bench import PARAGRAPH

    raw = subprocess.run(["espeak-ng", "-s", "160", "--stdout", PARAGRAPH], check=True, capture_output=True).stdout
    tmp = path.with_suffix(".raw.wav")
    tmp.write_bytes(raw)
    para, _ = librosa.load(str(tmp), sr=SR)
    tmp.unlink()
    one = np.concatenate([para, np.zeros(int(0.6 * SR), np.float32)])
    reps = max(1, int(round(seconds * SR / one.size)))
    sf.write(str(path), np.concatenate([one] * reps), SR, subtype="PCM_16")
    return path, PARAGRAPH * reps


def real_input(eval_dir: Path, seconds: float | None, path: Path) -> tuple[Path, str, int]:
    """Real clips joined (0.5 s apart) up to ``seconds`` (None: all), their references, the count."""
    import numpy as np
    import soundfile as sf

    from mockmic.audio import load_audio

    clips = [json.loads(line) for line in open(eval_dir / "mfa" / "manifest.jsonl")]
    parts, refs, total = [], [], 0.0
    for c in clips:
        if seconds is not None and total >= seconds:
            break
        samples = load_audio(eval_dir / "mfa" / c["audio"])[0]
        parts += [samples, np.zeros(int(0.5 * SR), np.float32)]
        refs.append(c["reference"])
        total += samples.size / SR + 0.5
    sf.write(str(path), np.concatenate(parts), SR, subtype="PCM_16")
    return path, " ".join(refs), len(refs)


def batch_sizes(args, tmp: Path, measure) -> None:
    """``--batch-sizes 8,4,2``: transcription alone of each ``--lengths`` input at each batch size."""
    for seconds in [float(s) for s in args.lengths.split(",") if s]:
        p, _ = espeak_input(seconds, tmp / f"tx-espeak{seconds:.0f}.wav")
        for size in [int(b) for b in args.batch_sizes.split(",")]:
            r = measure(f"tx-batch-{size}", p)
            print(f"espeak-ng {seconds:.0f} s, batch size {size}: transcription {r['work_s']:.1f} s, "
                  f"peak {r['peak_mb']:.0f} MB", flush=True)


def run(args, tmp: Path, eval_dir: Path, measure) -> None:
    import jiwer
    import soundfile as sf

    if args.batch_sizes:
        batch_sizes(args, tmp, measure)
        return

    inputs = []
    for seconds in [float(s) for s in args.lengths.split(",") if s]:
        p, text = espeak_input(seconds, tmp / f"tx-espeak{seconds:.0f}.wav")
        inputs.append((f"espeak-ng {seconds:.0f} s", p, text))
    if not args.skip_eval and (eval_dir / "mfa").is_dir():
        p, text, n = real_input(eval_dir, 120.0, tmp / "tx-mfa120.wav")
        inputs.append((f"real, {n} mfa clips joined", p, text))
        p, text, n = real_input(eval_dir, None, tmp / "tx-mfa-all.wav")
        inputs.append((f"real, all {n} mfa clips", p, text))
    print(f"{'input':<30} {'audio s':>8} {'plain s':>8} {'mockmic s':>10} {'ratio':>6} "
          f"{'peak MB plain/mockmic':>22} {'WER plain':>10} {'WER mockmic':>12}")
    for label, path, text in inputs:
        seconds = sf.info(str(path)).duration
        plain = measure("tx-plain", path)
        full = measure("tx-analyze", path)
        ref = _norm(text)
        print(f"{label:<30} {seconds:8.1f} {plain['work_s']:8.2f} {full['work_s']:10.2f} "
              f"{full['work_s'] / plain['work_s']:6.2f} {plain['peak_mb']:>10.0f}/{full['peak_mb']:<11.0f} "
              f"{jiwer.wer(ref, _norm(plain['text'])):10.3f} {jiwer.wer(ref, _norm(full['text'])):12.3f}", flush=True)
    print("ratio: mockmic's whole analysis of the file (model loaded) / plain sequential faster-whisper's "
          "transcription of it; targets 0.8 at 2 min, 0.7 at 10 min; peak memory target < 1024 MB at 10 min.")
    for seconds in [float(s) for s in args.stream_lengths.split(",") if s]:
        p, _ = espeak_input(seconds, tmp / f"tx-stream{seconds:.0f}.wav")
        r = measure("stream", p)
        print(f"Recording of {sf.info(str(p)).duration:.0f} s, transcribed while spoken: report ready "
              f"{r['wait_s']:.2f} s after it stopped (last chunk and acoustics {r['finish_s']:.2f} s, then the "
              f"analysis; {r['chunks']} chunks, last chunk {r['tail_s']:.1f} s); target 1.5 s at 2 min", flush=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run through scripts/bench --transcribe")
