"""A cohort at a glance: counts, score distributions, common pitfalls and delivery issues,
who improved most and least, and each person's latest scores (text and CSV; HTML in cohort_html).

Built from the index rows (:class:`mockmic.store.SessionSummary`) and, for pitfalls and
delivery issues, the stored reports; pure, so the tests give it known sessions.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..results import SessionReport

SCORES = ("overall", "delivery", "structure", "accountability")
DELIVERY_AREAS = ("length", "pace", "pauses", "fillers", "pitch", "loudness")
NO_PERSON = "(no person)"
BIN_WIDTH = 10  # histogram bins of 10 points: 0-9, ..., 90-100


@dataclass(frozen=True)
class Distribution:
    """One score across the cohort's answers (points out of 100)."""

    name: str
    count: int
    min_points: int | None
    q1_points: float | None
    median_points: float | None
    q3_points: float | None
    max_points: int | None
    bins: tuple[int, ...]  # answers per BIN_WIDTH-point bin, the last one holding 100


@dataclass(frozen=True)
class PersonRow:
    person: str
    answers: int
    first_at: str
    latest_at: str
    first_overall: int | None
    latest_overall: int | None
    change_points: int | None  # latest minus first overall; None with fewer than 2 scored answers
    latest: Mapping[str, int | None]  # the latest answer's scores by SCORES name


@dataclass(frozen=True)
class CohortSummary:
    answers: int
    people: int
    first_at: str | None
    latest_at: str | None
    distributions: tuple[Distribution, ...]
    pitfalls: tuple[tuple[str, str, int], ...]  # (kind, an example message, answers with it), most common first
    delivery_issues: tuple[tuple[str, int], ...]  # (area, answers with a high/medium note), most common first
    persons: tuple[PersonRow, ...]  # by name
    improved_most: tuple[PersonRow, ...]
    improved_least: tuple[PersonRow, ...]


def quantile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile with linear interpolation (numpy's default).

    >>> quantile([10, 20, 30, 40], 0.5)
    25.0
    >>> quantile([7], 0.25)
    7.0
    """
    xs = sorted(values)
    pos = (len(xs) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return float(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo))


def distribution(name: str, values: Sequence[int | None]) -> Distribution:
    xs = [v for v in values if v is not None]
    bins = [0] * (100 // BIN_WIDTH)
    for v in xs:
        bins[min(int(v) // BIN_WIDTH, len(bins) - 1)] += 1
    if not xs:
        return Distribution(name, 0, None, None, None, None, None, tuple(bins))
    return Distribution(name, len(xs), min(xs), quantile(xs, 0.25), quantile(xs, 0.5), quantile(xs, 0.75), max(xs),
                        tuple(bins))


def cohort_summary(rows: Sequence, reports: Mapping[str, SessionReport] | None = None, *, top: int = 5) -> CohortSummary:
    """The summary of ``rows`` (SessionSummary, any order); ``reports`` by id, for pitfalls and
    delivery issues (a row without its report counts in everything else)."""
    rows = sorted(rows, key=lambda r: (r.created_at, r.id))
    reports = reports or {}
    pitfalls: Counter[str] = Counter()
    examples: dict[str, str] = {}
    issues: Counter[str] = Counter()
    for r in rows:
        report = reports.get(r.id)
        if report is None:
            continue
        if report.content is not None:
            for p in {p.kind: p for p in report.content.pitfalls}.values():
                pitfalls[p.kind] += 1
                examples.setdefault(p.kind, p.message)
        issues.update({f.area for f in report.feedback if f.area in DELIVERY_AREAS and f.severity in ("high", "medium")})
    by_person: dict[str, list] = defaultdict(list)
    for r in rows:
        by_person[r.person or NO_PERSON].append(r)
    persons = tuple(_person(name, rs) for name, rs in sorted(by_person.items(), key=lambda kv: kv[0].casefold()))
    changed = [p for p in persons if p.change_points is not None and p.person != NO_PERSON]
    # The upper half (at most ``top``) improved most, the lower half least: nobody is in both.
    ranked = sorted(changed, key=lambda p: (-p.change_points, p.person))
    most = ranked[: min(top, (len(ranked) + 1) // 2)]
    least = [p for p in reversed(ranked) if p not in most][: min(top, len(ranked) // 2)]
    return CohortSummary(
        answers=len(rows),
        people=len([p for p in by_person if p != NO_PERSON]),
        first_at=rows[0].created_at if rows else None,
        latest_at=rows[-1].created_at if rows else None,
        distributions=tuple(distribution(name, [getattr(r, name) for r in rows]) for name in SCORES),
        pitfalls=tuple((k, examples[k], n) for k, n in sorted(pitfalls.items(), key=lambda kv: (-kv[1], kv[0]))[:top]),
        delivery_issues=tuple(sorted(issues.items(), key=lambda kv: (-kv[1], kv[0]))[:top]),
        persons=persons,
        improved_most=tuple(most),
        improved_least=tuple(least),
    )


def _person(name: str, rows: Sequence) -> PersonRow:
    scored = [r for r in rows if r.overall is not None]
    first, latest = (scored[0], scored[-1]) if scored else (None, None)
    return PersonRow(
        person=name,
        answers=len(rows),
        first_at=rows[0].created_at,
        latest_at=rows[-1].created_at,
        first_overall=first.overall if first else None,
        latest_overall=latest.overall if latest else None,
        change_points=latest.overall - first.overall if len(scored) >= 2 else None,
        latest={s: getattr(rows[-1], s) for s in SCORES},
    )


def label(kind: str) -> str:
    """``no_learning`` as a person reads it.

    >>> label("no_learning")
    'No learning'
    """
    text = kind.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def _n(v) -> str:
    if v is None:
        return "–"
    return f"{v:.0f}" if isinstance(v, float) else str(v)


def render_cohort_text(s: CohortSummary) -> str:
    out = [f"Cohort: {s.answers} answer{'s' if s.answers != 1 else ''} from {s.people} "
           f"{'person' if s.people == 1 else 'people'}"
           + (f", {s.first_at[:10]} to {s.latest_at[:10]}" if s.first_at else ""), ""]
    out.append(f"{'Score':<15}{'n':>5}{'min':>6}{'Q1':>6}{'median':>8}{'Q3':>6}{'max':>6}")
    for d in s.distributions:
        out.append(f"{d.name.capitalize():<15}{d.count:>5}{_n(d.min_points):>6}{_n(d.q1_points):>6}"
                   f"{_n(d.median_points):>8}{_n(d.q3_points):>6}{_n(d.max_points):>6}")
    out += ["", "Most common pitfalls:"]
    out += [f"  {n:>4}  {label(k)}: {msg}" for k, msg, n in s.pitfalls] or ["  none"]
    out += ["", "Most common delivery issues:"]
    out += [f"  {n:>4}  {label(a)}" for a, n in s.delivery_issues] or ["  none"]
    for title, rows in (("Improved most", s.improved_most), ("Improved least", s.improved_least)):
        out += ["", f"{title} (first to latest overall score):"]
        out += [f"  {p.person}: {_n(p.first_overall)} -> {_n(p.latest_overall)} ({p.change_points:+d})" for p in rows] \
            or ["  nobody has two scored answers yet"]
    out += ["", "Latest scores:", f"  {'Person':<20}{'answers':>8}{'overall':>9}{'delivery':>10}{'structure':>11}"
            f"{'account.':>10}  latest"]
    for p in s.persons:
        out.append(f"  {p.person[:20]:<20}{p.answers:>8}{_n(p.latest['overall']):>9}{_n(p.latest['delivery']):>10}"
                   f"{_n(p.latest['structure']):>11}{_n(p.latest['accountability']):>10}  {p.latest_at[:10]}")
    return "\n".join(out) + "\n"


CSV_FIELDS = ("person", "answers", "first_at", "latest_at", "first_overall", "latest_overall", "change_points",
              *(f"latest_{s}" for s in SCORES))


def render_cohort_csv(s: CohortSummary) -> str:
    """One row per person: answers, first and latest overall, the change, the latest scores."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    w.writeheader()
    for p in s.persons:
        w.writerow({"person": p.person, "answers": p.answers, "first_at": p.first_at, "latest_at": p.latest_at,
                    "first_overall": p.first_overall, "latest_overall": p.latest_overall,
                    "change_points": p.change_points, **{f"latest_{k}": v for k, v in p.latest.items()}})
    return buf.getvalue()
