"""A mock interview as a person reads it in a terminal: short notes per answer, the summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..results import SCORE_NAMES, STAR_PARTS, SessionReport
from .summary import score_rows, when

if TYPE_CHECKING:
    from ..practice.record import InterviewRecord, InterviewSummary


FOLLOW_UP_STATUS_TEXT = {
    "answered": "answered", "no_speech": "nothing said", "no_recording": "not answered",
    "failed": "could not be analysed",
}


def _fmt(v: int | None) -> str:
    return "–" if v is None else str(v)


def _delta(before: int | None, now: int | None) -> str:
    if before is None or now is None:
        return f"{_fmt(before)} -> {_fmt(now)}"
    return f"{before} -> {now} ({now - before:+d})"


def summary_text(record: InterviewRecord, summary: InterviewSummary | None = None) -> str:
    """The summary as a person reads it in a terminal (``summary``: the record's own when None)."""
    s = summary or record.summary
    if s is None:
        raise ValueError("the interview has no summary yet: practice.summary.summarise makes one")
    numbers = {a.question_id: i for i, a in enumerate(record.answers, 1)}
    asked = max(len(record.planned), len(record.answers))
    lines = [f"Interview {record.id}: {s.answered} of {asked} question(s) answered"
             + (f", {s.skipped} skipped" if s.skipped else "")
             + {"interrupted": " (interrupted)", "terminated": " (stopped by SIGTERM)",
                "failed": " (stopped by an error)"}.get(record.status, "") + "."]
    if record.answers:
        lines += ["", f"  {'#':>2}  {'question':<34} {'overall':>7} {'delivery':>8} {'structure':>9} {'accountability':>14}"]
        for i, a in enumerate(record.answers, 1):
            sc = a.scores
            if sc is None:
                lines.append(f"  {i:>2}  {a.question_id[:34]:<34} {a.status}")
                continue
            lines.append(f"  {i:>2}  {a.question_id[:34]:<34} {_fmt(sc.overall):>7} {_fmt(sc.delivery):>8} "
                         f"{_fmt(sc.structure):>9} {_fmt(sc.accountability):>14}")
            if a.follow_up is not None:
                first = a.first_scores.overall if a.first_scores else None
                status = FOLLOW_UP_STATUS_TEXT.get(a.follow_up_status or "", "not answered")
                lines.append(f"      follow-up: \"{a.follow_up.text}\" ({status}; "
                             f"first answer alone {_fmt(first)})")
        av = s.average
        lines.append(f"  {'':>2}  {'average':<34} {_fmt(av.overall):>7} {_fmt(av.delivery):>8} "
                     f"{_fmt(av.structure):>9} {_fmt(av.accountability):>14}")
    by_id = {a.question_id: a for a in record.answers}
    if s.strongest is not None:
        st, wk = by_id[s.strongest], by_id[s.weakest]
        lines.append("")
        if s.strongest == s.weakest:
            lines.append(f"Only one answer was scored: {numbers[st.question_id]}. {st.text} ({st.scores.overall}/100).")
        else:
            lines.append(f"Strongest: {numbers[st.question_id]}. {st.text} ({st.scores.overall}/100).")
            lines.append(f"Weakest:   {numbers[wk.question_id]}. {wk.text} ({wk.scores.overall}/100).")
    if s.work_on:
        lines += ["", "Work on first:"]
        for k, w in enumerate(s.work_on, 1):
            where = ", ".join(str(numbers[q]) for q in w.question_ids if q in numbers)
            lines.append(f"  {k}. {w.message} (question{'s' if len(w.question_ids) > 1 else ''} {where})")
    elif s.answered:
        lines += ["", "Nothing stood out to work on: keep practising the same way."]
    c = s.comparison
    lines.append("")
    if c is None:
        lines.append("No earlier interview to compare with: this is the first.")
    else:
        lines.append(f"Compared with the last interview ({when(c.previous_started_at)}, {c.previous_answered} answer(s)):")
        for name in SCORE_NAMES:
            lines.append(f"  {name:<15} {_delta(getattr(c.previous_average, name), getattr(c.average, name))}")
        for qid, before, now in c.same_questions:
            lines.append(f"  same question {qid}: {_delta(before, now)}")
        for w in c.fixed:
            lines.append(f"  fixed since then: {w.message}")
        for w in c.still:
            lines.append(f"  still to work on: {w.message}")
    return "\n".join(lines) + "\n"


def short_report(report: SessionReport, *, label: str = "Answer", max_notes: int = 3) -> str:
    """A few lines after each answer: scores, STAR parts heard, the most important notes."""
    rows = score_rows(report)
    head = f"{label} (session {report.id}, {report.audio.duration_s:.0f} s): "
    head += "  ".join(f"{name.lower()} {value}/100" for name, value in rows) if rows else "no scores"
    lines = [head]
    for n in report.notices:
        lines.append(f"  Note: {n}")
    c = report.content
    if c is not None and c.sentences:
        parts = "  ".join(f"{p} {'yes' if getattr(c.star, p).present else 'no'}"
                          for p in STAR_PARTS)
        lines.append(f"  STAR: {parts}")
    notes = [fb for fb in report.feedback if fb.severity in ("high", "medium", "low")][:max_notes]
    for fb in notes:
        lines.append(f"  [{fb.severity}] {fb.message}")
    if not notes and report.transcript.words:
        good = [fb for fb in report.feedback if fb.severity == "good"][:1]
        lines += [f"  [good] {fb.message}" for fb in good]
    return "\n".join(lines) + "\n"
