"""A single self-contained HTML report: charts, audio and script inline, nothing fetched.

All text that came from a person (transcript, question, file names) goes through jinja2's
autoescaping, and the page's Content-Security-Policy allows only its own nonce-tagged script,
so injected markup shows as text and could not run even if escaping were bypassed.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..config import SAMPLE_RATE
from ..results import SessionReport, clock
from .summary import (
    delivery_rows,
    delivery_thresholds,
    ranked_feedback,
    score_rows,
    star_rows,
    suggestion_label,
    when,
)

HISTORY_METRICS = ("overall", "pace", "fillers")  # names in charts.TREND_METRICS


def _env():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("mockmic.render", "templates"),
        autoescape=True,  # every {{ }} is escaped; nothing is marked safe
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = clock
    env.filters["when"] = when
    env.filters["num"] = lambda v: "–" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))
    return env


def wav_data_uri(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> str:
    """The analysed signal as a 16-bit WAV data URI (large: 32 kB per second)."""
    from ..audio.wav import wav_bytes

    return "data:audio/wav;base64," + base64.b64encode(wav_bytes(samples, sample_rate)).decode("ascii")


OPUS_BITRATE = 32_000  # bit/s: clear speech, about 4 kB per second (a WAV is 32 kB)


def opus_bytes(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bytes:
    """``samples`` (float32 mono) as Ogg Opus, encoded in memory with PyAV (FFmpeg's libopus)."""
    import io

    import av

    buf = io.BytesIO()
    # bitexact: a fixed Ogg stream serial (FFmpeg draws it at random), so the same answer gives the same page
    with av.open(buf, "w", format="ogg", options={"fflags": "+bitexact"}) as out:
        stream = out.add_stream("libopus", rate=48000, layout="mono")
        stream.bit_rate = OPUS_BITRATE
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
        step = sample_rate * 10  # ten seconds at a time: no copy of a long answer
        for a in range(0, max(len(samples), 1), step):
            chunk = np.asarray(samples[a:a + step], dtype=np.float32)[None, :]
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="flt", layout="mono")
            frame.sample_rate = sample_rate
            for resampled in resampler.resample(frame):
                for packet in stream.encode(resampled):
                    out.mux(packet)
        for resampled in resampler.resample(None):
            for packet in stream.encode(resampled):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def audio_data_uri(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> str:
    """The analysed signal, compressed for the page: Ogg Opus (every current browser plays
    it; an hour is about 15 MB instead of 150 MB of base64 WAV), or FLAC if Opus cannot be
    encoded here."""
    try:
        data, mime = opus_bytes(samples, sample_rate), "audio/ogg"
    except Exception:  # an FFmpeg without libopus: FLAC, lossless and still a third of WAV
        import io

        import soundfile as sf

        buf = io.BytesIO()
        sf.write(buf, np.asarray(samples, dtype=np.float32), sample_rate, format="FLAC", subtype="PCM_16")
        data, mime = buf.getvalue(), "audio/flac"
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


@dataclass
class _Token:
    kind: str  # "word" | "pause" | "acoustic"
    start_s: float
    text: str = ""
    classes: list[str] = field(default_factory=list)
    title: str = ""


@dataclass
class _Segment:
    star: str | None
    tokens: list[_Token]


def _norm(text: str) -> str:
    return re.sub(r"[^\w']+", "", text.casefold())


FILLER_REACH_S = 1.0  # fillers are timed from the audio; Whisper may place the word this far off


def _filler_words(words, fillers) -> tuple[dict[int, object], list]:
    """Which transcribed words are the spoken fillers, and the fillers no word matches.

    A filler marks the nearest words with its text (``you know``: a "you" and a "know")
    within :data:`FILLER_REACH_S` of it; one that no word matches is shown on its own.
    """
    marked: dict[int, object] = {}
    unplaced = []
    for f in fillers:
        if f.kind == "acoustic":
            unplaced.append(f)
            continue
        tokens = [_norm(t) for t in f.text.split()] or [""]
        near = sorted(
            (abs(w.start_s - f.start_s), i)
            for i, w in enumerate(words)
            if i not in marked and _norm(w.text) in tokens
            and w.start_s < f.end_s + FILLER_REACH_S and w.end_s > f.start_s - FILLER_REACH_S
        )
        picked: list[int] = []
        for _dist, i in near:
            if _norm(words[i].text) not in [_norm(words[j].text) for j in picked]:
                picked.append(i)
        if not picked:
            unplaced.append(f)
        for i in picked:
            marked[i] = f
    return marked, unplaced


def transcript_segments(report: SessionReport) -> list[_Segment]:
    """Words, pauses and fillers in time order, grouped by STAR sentence."""
    long_s = delivery_thresholds(report).long_pause_s
    d, c = report.delivery, report.content
    words = report.transcript.words
    marked, unplaced = _filler_words(words, d.fillers if d else ())
    tokens: list[_Token] = []
    for i, w in enumerate(words):
        classes = ["w"]
        title = clock(w.start_s)
        if i in marked:
            classes.append("filler")
            title += f" · filler ({marked[i].kind})"
        if w.probability is not None and w.probability < 0.5:
            classes.append("unsure")
        tokens.append(_Token("word", w.start_s, w.text.strip(), classes, title))
    if d is not None:
        for p in d.pauses:
            tokens.append(_Token("pause", p.start_s, f"{p.duration_s:.1f} s",
                                 ["pause", "long" if p.duration_s >= long_s else "short"], f"pause at {clock(p.start_s)}"))
    for f in unplaced:
        if f.kind == "acoustic":
            tokens.append(_Token("acoustic", f.start_s, f.text or "(filled pause)", ["filler", "acoustic"],
                                 f"filled pause heard at {clock(f.start_s)}, not transcribed"))
        else:
            tokens.append(_Token("acoustic", f.start_s, f.text, ["filler"], f"filler ({f.kind}) at {clock(f.start_s)}"))
    order = {"pause": 0, "acoustic": 1, "word": 2}
    tokens.sort(key=lambda t: (t.start_s, order[t.kind]))

    sentences = list(c.sentences) if c is not None else []

    def star_at(t: float) -> str | None:
        for s in sentences:
            if s.start_s - 0.05 <= t < s.end_s + 0.05:
                return s.star
        return None

    segments: list[_Segment] = []
    for tok in tokens:
        star = star_at(tok.start_s) if tok.kind == "word" else (segments[-1].star if segments else None)
        if not segments or segments[-1].star != star:
            segments.append(_Segment(star, []))
        segments[-1].tokens.append(tok)
    return segments


_PLACEHOLDER = re.compile(r"(\[[^\]]*\])")


@dataclass
class _SuggestionView:
    label: str
    quote: str
    start_s: float | None
    why: str
    parts: list[tuple[str, bool]]  # the better shape in pieces: (text, is a [placeholder])


def suggestion_views(report: SessionReport) -> list[_SuggestionView]:
    """The content's suggestions as the page shows them, placeholders marked for their own style."""
    if report.content is None:
        return []
    return [
        _SuggestionView(suggestion_label(g.for_), g.quote, g.start_s, g.why,
                        [(piece, bool(_PLACEHOLDER.fullmatch(piece))) for piece in _PLACEHOLDER.split(g.try_) if piece])
        for g in report.content.suggestions
    ]


def render_html(
    report: SessionReport,
    *,
    samples: np.ndarray | None = None,
    history: Sequence = (),
    audio_link: str | None = None,
) -> str:
    """The report as one HTML page.

    Parameters
    ----------
    report : SessionReport
    samples : np.ndarray, optional
        The analysed signal (float32 mono 16 kHz): waveform, pitch, loudness and the
        embedded audio. Without it the page shows the timeline from the transcript alone.
    history : sequence of store.SessionSummary
        Attempts at the same question, oldest first, including this one; a trend is shown
        when there are two or more.
    audio_link : str, optional
        A URL of the stored audio to play instead of embedding it (``--no-embed``).
    """
    from .charts import TREND_METRICS, timeline_chart, trend_chart

    thresholds = delivery_thresholds(report)
    timeline = timeline_chart(report, samples)
    history = list(history)
    trend = trend_chart(history, HISTORY_METRICS, highlight_id=report.id) if len(history) >= 2 else None
    template = _env().get_template("report.html.j2")
    return template.render(
        report=report,
        nonce=secrets.token_urlsafe(16),
        file_name=Path(report.audio.path).name if report.audio.path else "",
        scores=score_rows(report),
        feedback=ranked_feedback(report),
        delivery=delivery_rows(report.delivery, thresholds) if report.delivery is not None else None,
        star=star_rows(report.content) if report.content is not None else None,
        content=report.content,
        suggestions=suggestion_views(report),
        timeline=timeline,
        audio_uri=audio_link or (audio_data_uri(samples) if samples is not None and len(samples) else None),
        segments=transcript_segments(report),
        history=history,
        trend=trend,
        history_metrics=[TREND_METRICS[m] for m in HISTORY_METRICS],
    )


def render_trend_html(history: Sequence, metrics: Sequence[str], *, title: str = "Progress over sessions") -> str:
    """A page with the trend chart and the table of ``history`` (SessionSummary, oldest first)."""
    from .charts import TREND_METRICS, trend_chart

    chart = trend_chart(list(history), metrics)
    return _env().get_template("trend.html.j2").render(
        title=title,
        nonce=secrets.token_urlsafe(16),
        chart=chart,
        history=list(history),
        metrics=[TREND_METRICS[m] for m in metrics if m in TREND_METRICS],
    )
