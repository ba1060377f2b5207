"""Each missed or false pause and each pace error of the real clips, with the version, the
level and threshold around it, Whisper's words and the aligned ones (issue 13's diagnosis).

``real_delivery_misses.py [tune|test] [-v]``; Whisper's words are cached in $TMPDIR so the
pause rules can be rerun quickly. Look at the tune half only; the test half is measured once.
"""
import pickle, sys
from pathlib import Path
import tempfile
W = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(W / "scripts")); sys.path.insert(0, str(W / "tests"))
from evaluation.real_delivery import PauseScore, load_clips, pace_error, score_pauses, variants, truth_pace
from mockmic.delivery import analyze_delivery
from mockmic.delivery.analyze import signal_acoustics
from mockmic.delivery.pauses import speech_mask, noise_floor_dbfs
split = sys.argv[1] if len(sys.argv) > 1 else "tune"
verbose = "-v" in sys.argv
cache = Path(tempfile.gettempdir()) / f"mockmic_real_words_{split}.pkl"
C = pickle.loads(cache.read_bytes()) if cache.exists() else {}
tr = None
tot = PauseScore(); worst = 0
for clip in load_clips():
    if clip.split != split: continue
    for v in variants(clip):
        if v.id not in C:
            if tr is None:
                from mockmic.transcribe import Transcriber; tr = Transcriber()
            C[v.id] = tr.transcribe(v.samples).words
            cache.write_bytes(pickle.dumps(C))
        words = C[v.id]
        ac = signal_acoustics(v.samples)
        m = analyze_delivery(v.samples, words, acoustics=ac)
        sc = score_pauses(v, m.pauses); tot = tot.add(sc)
        pe = pace_error(v, m.words_per_minute) if len(v.tokens) >= 20 else float("nan")
        if pe == pe: worst = max(worst, abs(pe))
        print(f"{v.id:40s} found {sc.found}/{sc.truth} false {sc.false}/{sc.reported} split {sc.split} pace {pe:+.1f}%  thr {ac.threshold_dbfs:.1f} peak {ac.peak_dbfs:.1f} floor {noise_floor_dbfs(ac):.1f}")
        if verbose and pe == pe:
            n, twpm = truth_pace(v)
            print(f"    pace: {m.words} words vs {n} truth; span {m.answer_start_s}-{m.answer_end_s} vs {v.tokens[0][0]:.2f}-{v.tokens[-1][1]:.2f}; wpm {m.words_per_minute} vs {twpm:.1f}")
        if verbose:
            mask = speech_mask(ac)
            for miss in sc.misses:
                print("   ", miss)
                if miss[1] == "false": a, b = miss[2], miss[3]
                else: a, b = miss[1], miss[2]
                i0, i1 = int((a - 0.3) / 0.01), int((b + 0.3) / 0.01)
                ws = [(w.text, round(w.start_s, 2), round(w.end_s, 2), round(w.probability, 2)) for w in words if w.end_s > a - 0.5 and w.start_s < b + 0.5]
                print("      words:", ws)
                toks = [t for t in v.tokens if t[1] > a - 0.5 and t[0] < b + 0.5]
                print("      truth:", [(t[2], round(t[0], 2), round(t[1], 2)) for t in toks])
                for k in range(max(0, i0), min(ac.level_dbfs.size, i1), 2):
                    print(f"      {k*0.01:6.2f} {ac.level_dbfs[k]:6.1f} {'S' if ac.speech[k] else '.'}{'M' if mask[k] else '.'} zcr {ac.zcr[k]:.2f}")
print(f"ALL found {tot.found}/{tot.truth} false {tot.false}/{tot.reported} split {tot.split} pace worst {worst:.1f}%")
