"""Benchmarks for mockmic (run through scripts/bench). Every figure printed is measured here.

Each measurement runs in a fresh child process so its peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
from mockmic.config import shared_dir  # noqa: E402

EVAL = Path(os.environ.get("MOCKMIC_EVAL") or (shared_dir() or REPO.parent / "shared") / "eval")
SR = 16000

PARAGRAPH = (
    "Um, in my last role I was responsible for the monthly revenue report. One month I made a "
    "mistake in a spreadsheet formula, so the report overstated revenue by four percent. "
    "I told my manager that it was my mistake, I rebuilt the calculation, and I sent a corrected "
    "report the same afternoon. Uh, then I wrote a checklist and added an automated check. "
    "As a result, no decision was based on the wrong number, and I learned to verify my work. "
)


def make_speech(seconds: float, path: Path) -> Path:
    """espeak-ng speech of about ``seconds``, with short pauses between paragraphs."""
    import numpy as np
    import soundfile as sf

    raw = subprocess.run(["espeak-ng", "-s", "160", "--stdout", PARAGRAPH], check=True, capture_output=True).stdout
    tmp = path.with_suffix(".raw.wav")
    tmp.write_bytes(raw)
    import librosa

    para, _ = librosa.load(str(tmp), sr=SR)
    tmp.unlink()
    gap = np.zeros(int(0.6 * SR), np.float32)
    reps = int(np.ceil(seconds * SR / (para.size + gap.size)))
    signal = np.concatenate([np.concatenate([para, gap]) for _ in range(reps)])[: int(seconds * SR)]
    sf.write(str(path), signal, SR, subtype="PCM_16")
    return path


def child(kind: str, path: str) -> dict:
    """Run one measurement in this process (called in a child)."""
    t0 = time.perf_counter()
    if kind == "plain":
        from faster_whisper import WhisperModel

        from mockmic.transcribe import resolve_model

        model = WhisperModel(str(resolve_model(None).path), device="cpu", compute_type="int8", local_files_only=True)
        load_s = time.perf_counter() - t0
        from mockmic.audio import load_audio
        from mockmic.transcribe import FILLER_PROMPT

        samples, _ = load_audio(path)
        t1 = time.perf_counter()
        segments, _ = model.transcribe(samples, language="en", beam_size=5, word_timestamps=True,
                                       initial_prompt=FILLER_PROMPT, hotwords=FILLER_PROMPT)
        for _ in segments:
            pass
        work_s = time.perf_counter() - t1
    elif kind.startswith("tx-"):
        import bench_transcribe

        return bench_transcribe.child(kind, path)
    elif kind == "stream":
        return stream_latency(Path(path))
    elif kind == "analyze":
        from mockmic.pipeline import Analyzer

        analyzer = Analyzer()
        analyzer.transcriber  # load the model
        load_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        report, _ = analyzer.analyze_file(path)
        work_s = time.perf_counter() - t1
    elif kind == "long":
        return long_outside_whisper(Path(path))
    else:
        raise SystemExit(f"unknown kind {kind}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"load_s": load_s, "work_s": work_s, "peak_mb": peak_mb}


def long_outside_whisper(path: Path) -> dict:
    """Everything but Whisper on a long file, with peak memory: decode, the speech check, the
    delivery and content stages and the HTML report (embedded Opus audio). The transcript is
    the known text spread over the audio at 150 words/min (Whisper on an hour does not fit
    this machine's time; its own peak is measured on the --lengths files)."""
    import numpy as np

    from mockmic.audio import check_speech, load_audio
    from mockmic.content.analyze import words_from_text
    from mockmic.pipeline import analyze_report
    from mockmic.render import render
    from mockmic.results import SessionReport, Transcript

    t0 = time.perf_counter()
    samples, info = load_audio(path)
    decode_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t1 = time.perf_counter()
    found = check_speech(samples).found
    t2 = time.perf_counter()
    n_words = int(info.duration_s / 60 * 150)
    text = " ".join((PARAGRAPH.split() * (n_words // len(PARAGRAPH.split()) + 1))[:n_words])
    words = words_from_text(text, words_per_minute=150)
    report = SessionReport(id="20261202-000000-000000", created_at="2026-12-02T00:00:00+00:00", question=None,
                           audio=info, transcript=Transcript(text, "en", "known", words))
    report = analyze_report(report, samples)
    t3 = time.perf_counter()
    html = render(report, "html", samples=samples)
    t4 = time.perf_counter()
    return {"decode_s": t1 - t0, "speech_check_s": t2 - t1, "stages_s": t3 - t2, "html_s": t4 - t3,
            "speech_found": found, "html_mb": len(html) / 1e6, "feedback_items": len(report.feedback),
            "decode_peak_mb": decode_mb, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "audio_s": float(np.asarray(samples).size / SR)}


def stream_latency(path: Path) -> dict:
    """Feed a recording to the live transcriber at real-time pace (as the microphone would, at
    44.1 kHz in 0.1 s blocks; the delivery acoustics measured as it arrives, as `mockmic record`
    does), then time what is left after the "person" stops: the last chunk's transcription plus
    the whole analysis. ``MOCKMIC_BENCH_PROFILE=FILE`` writes a cProfile of that part to FILE."""
    import librosa
    import numpy as np

    from mockmic.audio import load_audio
    from mockmic.delivery import LiveAcoustics
    from mockmic.pipeline import Analyzer
    from mockmic.transcribe.streaming import LiveTranscriber

    samples, info = load_audio(path)
    device = librosa.resample(samples, orig_sr=SR, target_sr=44100).astype(np.float32)
    analyzer = Analyzer()
    live = LiveTranscriber(lambda: analyzer.transcriber, acoustics=LiveAcoustics(options=analyzer.delivery_options))
    block = 4410
    start = time.perf_counter()
    for i in range(0, device.size, block):
        live(device[i:i + block], 44100)
        wait = start + (i + block) / 44100 - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
    profile = os.environ.get("MOCKMIC_BENCH_PROFILE")
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    stopped = time.perf_counter()
    transcript = live.finish()
    transcribed = time.perf_counter()
    analyzer.analyze_samples(samples, info, transcript=transcript, acoustics=live.acoustics_result)
    done = time.perf_counter()
    if profile:
        prof.disable()
        prof.dump_stats(profile)
    return {"wait_s": done - stopped, "finish_s": transcribed - stopped, "chunks": live.timing.chunks,
            "tail_s": live.timing.tail_s, "live_acoustics": live.acoustics_result is not None}


def batch_throughput(paths: list[Path], jobs: int) -> float:
    """Files per minute for `mockmic analyze --jobs N` over ``paths`` (whole command)."""
    t0 = time.perf_counter()
    subprocess.run([str(REPO / ".venv" / "bin" / "mockmic"), "analyze", *map(str, paths), "--jobs", str(jobs),
                    "--no-save", "-q", "--format", "json"], check=True, capture_output=True)
    return len(paths) / (time.perf_counter() - t0) * 60


def cohort_throughput(count: int, tmp: Path) -> None:
    """--cohort: --jobs 2 against --cluster local:2 on the same files, and on paper a large cohort."""
    clip = make_speech(30, tmp / "cohort.wav")
    paths = []
    for i in range(count):
        p = tmp / "cohort" / f"person{i % 4}" / f"answer{i}.wav"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(clip.read_bytes())
        paths.append(p)
    mockmic = str(REPO / ".venv" / "bin" / "mockmic")
    rates = {}
    for label, flags in (("--jobs 2", ["--jobs", "2"]), ("--cluster local:2", ["--cluster", "local:2"])):
        t0 = time.perf_counter()
        subprocess.run([mockmic, "analyze", str(tmp / "cohort"), *flags, "--person-from", "folder", "--no-save", "-q",
                        "--format", "json"], check=True, capture_output=True)
        wall = time.perf_counter() - t0
        rates[label] = count / wall * 60
        print(f"Cohort of {count} x 30 s files, {label}: {wall:.1f} s, {rates[label]:.1f} files/min "
              "(whole command: start-up, model loads, analysis)", flush=True)
    print(f"Cluster overhead: --cluster local:2 takes {rates['--jobs 2'] / rates['--cluster local:2']:.2f}x "
          "the time of --jobs 2 on the same files")
    cores = os.cpu_count() or 1
    per_core = max(rates.values()) * 0.5 / cores  # audio minutes analysed per core-minute
    audio_min = 10_000 * 2.0
    print(f"Per-core rate: {per_core:.2f} audio minutes per core-minute (best of the two, {cores} cores). "
          "On paper, assuming the rate grows with audio length and machines linearly:")
    for machines in (1, 10, 100):
        hours = audio_min / (per_core * cores * machines) / 60
        print(f"  10,000 two-minute answers on {machines:>3} machine{'s' if machines > 1 else ' '} of {cores} cores: "
              f"{hours:.1f} h")


def measure(kind: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {cpu}, {mem_gb:.0f} GB RAM, Python {platform.python_version()}"


def content_child(judge: str) -> dict:
    """Content analysis cost in this fresh process: one-time load, ms per answer, peak RSS."""
    sys.path.insert(0, str(REPO / "scripts"))
    from evaluation.content_eval import answer_words, load_split

    from mockmic.content import ContentOptions, analyze_content

    word_lists = [(answer_words(a)[0], a.question) for split in CONTENT_SPLITS for a in load_split(split)]
    t0 = time.perf_counter()
    if judge != "rules":
        from mockmic.content.learned import load_judge

        load_judge()
    load_s = time.perf_counter() - t0
    opts = ContentOptions(judge=judge)
    ms, cpu_ms = [], []
    for words, q in word_lists:  # one pass: no answer seen before (the embedding cache is cold)
        t0, c0 = time.perf_counter(), time.process_time()
        analyze_content(words, question=q, options=opts)
        ms.append(1000 * (time.perf_counter() - t0))
        cpu_ms.append(1000 * (time.process_time() - c0))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"load_s": load_s, "ms": ms, "cpu_ms": cpu_ms, "peak_mb": peak_mb, "answers": len(word_lists)}


# The answers timed by --content: the tuning splits of tests/data/content_set (never the test split).
CONTENT_SPLITS = ("train", "dev")


def content_bench() -> None:
    """``--content``: each judge in a fresh process, one after the other, on the same answers.

    Targets (issue 12): <= 150 ms an answer, <= 1 s load (it runs while Whisper transcribes),
    <= 200 MB more peak memory than the rules judge's process.
    """
    import numpy as np

    print(f"{'judge':<10} {'median ms':>10} {'p90 ms':>7} {'mean ms':>8} {'x rules':>8} {'CPU ms':>7} {'load s':>7} "
          f"{'peak MB':>8} {'+MB vs rules':>13}  (answers of {'+'.join(CONTENT_SPLITS)}, cold cache)")
    rules = None
    for judge in ("rules", "learned", "combined"):
        out = subprocess.run([sys.executable, __file__, "--content-child", judge], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        med, p90, mean = np.median(r["ms"]), np.percentile(r["ms"], 90), np.mean(r["ms"])
        rules = rules or {"median": med, "peak_mb": r["peak_mb"]}
        print(f"{judge:<10} {med:10.1f} {p90:7.1f} {mean:8.1f} {med / rules['median']:7.2f}x {np.median(r['cpu_ms']):7.1f} {r['load_s']:7.2f} "
              f"{r['peak_mb']:8.0f} {r['peak_mb'] - rules['peak_mb']:+13.0f}  ({r['answers']} answers)", flush=True)
    print("ms: wall time an answer; x rules: median over the rules judge's median in this run; CPU ms: median "
          f"process CPU time an answer (less sensitive to a busy machine). Load average: {os.getloadavg()[0]:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    ap.add_argument("--content", action="store_true", help="only the content judges' cost per answer, load and memory")
    ap.add_argument("--content-child", help=argparse.SUPPRESS)
    ap.add_argument("--lengths", default="30,120,600", help="speech lengths in seconds (default 30,120,600)")
    ap.add_argument("--skip-eval", action="store_true", help="skip the real clips of ../shared/eval/mfa")
    ap.add_argument("--stream-lengths", default="30,120,180",
                    help="answer lengths (s) for the wait after recording stops, fed in real time ('' to skip)")
    ap.add_argument("--batch", type=int, default=6, help="files in the --jobs 1/2 throughput run (0 to skip)")
    ap.add_argument("--cohort", type=int, nargs="?", const=12, default=0, metavar="N",
                    help="only the cohort run: N (default 12) 30 s files with --jobs 2 and --cluster local:2")
    ap.add_argument("--transcribe", action="store_true",
                    help="only the transcription figures: whole analysis vs plain faster-whisper, WER, peak memory, "
                         "the wait after a recording (scripts/bench_transcribe.py)")
    ap.add_argument("--batch-sizes", default="", metavar="N,N",
                    help="with --transcribe: only transcription alone of --lengths at each batch size (time, peak memory)")
    ap.add_argument("--long", type=float, default=0, metavar="SECONDS",
                    help="only the long-answer run: peak memory of everything but Whisper on SECONDS of speech (3600: an hour)")
    args = ap.parse_args()
    if args.content_child:
        print(json.dumps(content_child(args.content_child)))
        return
    if args.content:
        content_bench()
        return
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    if args.cohort:
        print(f"Machine: {machine()}")
        with tempfile.TemporaryDirectory() as tmp:
            cohort_throughput(args.cohort, Path(tmp))
        return
    if args.transcribe:
        import bench_transcribe

        print(f"Machine: {machine()}")
        with tempfile.TemporaryDirectory() as tmp:
            bench_transcribe.run(args, Path(tmp), EVAL, measure)
        return
    if args.long:
        with tempfile.TemporaryDirectory() as tmp:
            path = make_speech(args.long, Path(tmp) / "long.flac")
            r = measure("long", path)
        print(f"Long answer, {r['audio_s']:.0f} s of espeak-ng speech (FLAC), everything but Whisper: "
              f"peak {r['peak_mb']:.0f} MB (after decoding {r['decode_peak_mb']:.0f} MB); decode {r['decode_s']:.1f} s, "
              f"speech check {r['speech_check_s']:.1f} s, stages {r['stages_s']:.1f} s, HTML {r['html_s']:.1f} s "
              f"({r['html_mb']:.1f} MB, {r['feedback_items']} feedback items); speech found: {r['speech_found']}")
        return

    print(f"Machine: {machine()}")
    t0 = time.perf_counter()
    subprocess.run([str(REPO / ".venv" / "bin" / "mockmic"), "--help"], check=True, capture_output=True)
    print(f"mockmic --help: {time.perf_counter() - t0:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        inputs = []
        for seconds in [float(s) for s in args.lengths.split(",") if s]:
            inputs.append((f"espeak {seconds:.0f} s", seconds, make_speech(seconds, Path(tmp) / f"speech{seconds:.0f}.wav")))
        if not args.skip_eval and (EVAL / "mfa").is_dir():
            import numpy as np
            import soundfile as sf

            from mockmic.audio import load_audio

            clips = [json.loads(l) for l in open(EVAL / "mfa" / "manifest.jsonl")]
            joined = np.concatenate([load_audio(EVAL / "mfa" / c["audio"])[0] for c in clips])
            path = Path(tmp) / "mfa_all.wav"
            sf.write(str(path), joined, SR, subtype="PCM_16")
            inputs.append((f"eval/mfa joined ({len(clips)} clips)", joined.size / SR, path))
        header = f"{'input':<28} {'audio s':>8} {'plain RTF':>10} {'analyze RTF':>12} {'ratio':>6} {'peak MB plain/analyze':>22} {'model load s':>13}"
        print(header)
        for label, seconds, path in inputs:
            plain = measure("plain", path)
            full = measure("analyze", path)
            print(
                f"{label:<28} {seconds:8.0f} {seconds / plain['work_s']:9.1f}x {seconds / full['work_s']:11.1f}x "
                f"{full['work_s'] / plain['work_s']:6.2f} {plain['peak_mb']:>10.0f}/{full['peak_mb']:<11.0f} {full['load_s']:13.2f}",
                flush=True,
            )
        print("RTF: seconds of audio per second of wall time; ratio: whole analysis time / plain faster-whisper time.")
        for seconds in [float(s) for s in args.stream_lengths.split(",") if s]:
            path = make_speech(seconds, Path(tmp) / f"stream{seconds:.0f}.wav")
            r = measure("stream", path)
            print(f"Recording of {seconds:.0f} s, transcribed while spoken: report ready {r['wait_s']:.1f} s after it stopped "
                  f"({r['chunks']} chunks, last chunk {r['tail_s']:.1f} s)", flush=True)
        if args.batch:
            clip = make_speech(30, Path(tmp) / "batch.wav")
            paths = []
            for i in range(args.batch):
                p = Path(tmp) / f"batch{i}.wav"
                p.write_bytes(clip.read_bytes())
                paths.append(p)
            for jobs in (1, 2):
                print(f"Batch of {args.batch} x 30 s files, --jobs {jobs}: {batch_throughput(paths, jobs):.1f} files/min", flush=True)


if __name__ == "__main__":
    main()
