"""Charts for the HTML report, drawn with matplotlib and embedded as PNG data URIs.

Figures are built with ``matplotlib.figure.Figure`` directly (no pyplot), so nothing touches
a global backend or needs a display. Margins are fixed rather than "tight" so the HTML page
knows where the time axis sits in the image and a click on it can seek the audio.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..config import SAMPLE_RATE
from ..results import SessionReport

STAR_COLOURS = {"situation": "#8fb8de", "task": "#c3a6d9", "action": "#f2b36b", "result": "#7cc49a"}
FILLER_COLOUR = "#d6453d"
PAUSE_COLOUR = "#9aa3ad"
WAVE_COLOUR = "#3d6e9e"
FIG_WIDTH_IN = 11.0
DPI = 100
LEFT, RIGHT = 0.07, 0.9  # axes extent as figure fractions: the page maps clicks with these


@dataclass(frozen=True)
class Chart:
    """A rendered chart: a ``data:image/png`` URI and where its time axis lies."""

    data_uri: str
    width_px: int
    height_px: int
    x_left: float = LEFT  # fraction of the image width where t = t0
    x_right: float = RIGHT  # fraction where t = t1
    t0_s: float = 0.0
    t1_s: float = 0.0


def _png(fig) -> tuple[str, int, int]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    buf = io.BytesIO()
    canvas.print_png(buf)
    w, h = canvas.get_width_height()
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii"), w, h


def loudness_contour(samples: np.ndarray, *, hop_s: float = 0.02) -> tuple[np.ndarray, np.ndarray]:
    """Loudness as heard (dBFS, NaN below -60) every ``hop_s`` seconds, smoothed over ~0.25 s.

    Returns (times_s, loudness_dbfs), each shape (frames,). The pitch drawn beside it is the one
    the delivery analysis measured (``report.delivery.pitch.track_hz``), not computed here.
    """
    hop = int(round(hop_s * SAMPLE_RATE))
    frame = 1024
    y = np.asarray(samples, dtype=np.float32)
    n = max(1, int(np.ceil(len(y) / hop)))
    y = np.pad(y, (frame // 2, frame // 2 + frame))  # frames centred on their times
    view = np.lib.stride_tricks.sliding_window_view(y, frame)[::hop][:n]
    power = np.empty(n)
    for a in range(0, n, 1000):  # in blocks: bounded memory for long answers
        frames = view[a:a + 1000] - view[a:a + 1000].mean(axis=1, keepdims=True)
        power[a:a + len(frames)] = np.mean(frames**2, axis=1)
    # Loudness as heard follows syllables, not 20 ms frames: smooth the power over ~0.25 s.
    width = max(1, int(round(0.25 / hop_s)))
    smooth = np.convolve(power, np.ones(width) / width, mode="same")
    loud = 10 * np.log10(np.maximum(smooth * 2, 1e-12))  # full-scale sine = 0 dBFS
    loud = np.where(loud < -60.0, np.nan, loud)
    return np.arange(n) * hop / SAMPLE_RATE, loud


def _envelope(samples: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(samples)
    bins = max(1, min(bins, n))
    edges = np.linspace(0, n, bins + 1).astype(int)
    lo = np.array([samples[a:b].min() if b > a else 0.0 for a, b in zip(edges[:-1], edges[1:])])
    hi = np.array([samples[a:b].max() if b > a else 0.0 for a, b in zip(edges[:-1], edges[1:])])
    t = (edges[:-1] + edges[1:]) / 2 / SAMPLE_RATE
    return t, lo, hi


def timeline_chart(report: SessionReport, samples: np.ndarray | None) -> Chart:
    """Waveform with STAR parts, pauses and fillers; pace over time; pitch and loudness."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    from .summary import delivery_thresholds

    d, c = report.delivery, report.content
    o = delivery_thresholds(report)
    comfortable = (o.comfortable_min_wpm, o.comfortable_max_wpm)
    duration = report.audio.duration_s or (len(samples) / SAMPLE_RATE if samples is not None else 0.0)
    if report.transcript.words:
        duration = max(duration, report.transcript.words[-1].end_s)
    duration = max(duration, 0.1)
    has_audio = samples is not None and len(samples) > 0
    panels = [("wave", 2.2), ("pace", 1.3)]
    if has_audio:
        panels.append(("voice", 1.5))
    height = sum(h for _, h in panels) + 0.9
    fig = Figure(figsize=(FIG_WIDTH_IN, height), dpi=DPI)
    fig.subplots_adjust(left=LEFT, right=RIGHT, top=1 - 0.35 / height, bottom=0.55 / height, hspace=0.35)
    axes = fig.subplots(len(panels), 1, sharex=True, gridspec_kw={"height_ratios": [h for _, h in panels]})
    axes = list(np.atleast_1d(axes))
    ax = axes[0]

    # waveform, or the words' spans when the audio is not available
    if has_audio:
        t, lo, hi = _envelope(samples, 2400)
        ax.fill_between(t, lo, hi, color=WAVE_COLOUR, linewidth=0, label="waveform")
        peak = max(float(np.max(np.abs(samples))), 1e-3)
    else:
        peak = 1.0
        for w in report.transcript.words:
            ax.axvspan(w.start_s, w.end_s, ymin=0.3, ymax=0.7, color=WAVE_COLOUR, alpha=0.6, linewidth=0)
    top = peak * 1.45
    ax.set_ylim(-peak * 1.1, top)
    ax.set_yticks([])
    handles = []
    if c is not None:
        for s in c.sentences:
            if s.star in STAR_COLOURS:
                ax.axvspan(s.start_s, s.end_s, ymin=0.84, ymax=0.98, color=STAR_COLOURS[s.star], linewidth=0)
                ax.text((s.start_s + s.end_s) / 2, peak * 1.32, s.star[0].upper(), ha="center", va="center",
                        fontsize=8, fontweight="bold", color="#333333")
        handles += [Patch(color=col, label=part.capitalize()) for part, col in STAR_COLOURS.items()]
    if d is not None:
        for p in d.pauses:
            ax.axvspan(p.start_s, p.end_s, ymax=0.8, color=PAUSE_COLOUR,
                       alpha=0.45 if p.duration_s >= o.long_pause_s else 0.25, linewidth=0)
            if p.duration_s >= o.long_pause_s:
                ax.text((p.start_s + p.end_s) / 2, -peak * 0.95, f"{p.duration_s:.1f}s", ha="center",
                        fontsize=7, color="#555555")
        for f in d.fillers:
            ax.axvline(f.start_s, ymax=0.8, color=FILLER_COLOUR, linewidth=1.6)
            ax.plot([f.start_s], [peak * 1.05], marker="v", color=FILLER_COLOUR, markersize=6)
        handles += [Patch(color=PAUSE_COLOUR, alpha=0.45, label="Pause"), Patch(color=FILLER_COLOUR, label="Filler")]
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    ax.set_title("Answer timeline", loc="left", fontsize=10)

    # pace over time against the comfortable band
    ax = axes[1]
    ax.axhspan(*comfortable, color="#7cc49a", alpha=0.25, linewidth=0)
    if d is not None and d.pace_over_time:
        for w in d.pace_over_time:
            ax.plot([w.start_s, w.end_s], [w.words_per_minute] * 2, color="#2f4b7c", linewidth=2.2)
        if d.words_per_minute:
            ax.axhline(d.words_per_minute, color="#2f4b7c", linestyle=":", linewidth=1)
        top_wpm = max(max(w.words_per_minute for w in d.pace_over_time), comfortable[1]) * 1.15
        ax.set_ylim(0, top_wpm)
    else:
        ax.text(0.5, 0.5, "pace not measured", transform=ax.transAxes, ha="center", va="center",
                fontsize=8, color="#777777")
        ax.set_ylim(0, 220)
    ax.set_ylabel("words/min", fontsize=8)
    ax.tick_params(labelsize=7)

    if has_audio:
        ax = axes[2]
        times, loud = loudness_contour(samples)
        ax2 = ax.twinx()
        ax2.plot(times, loud, color="#e08214", linewidth=1.2, alpha=0.8)
        ax2.set_ylabel("loudness dBFS", fontsize=8, color="#e08214")
        ax2.tick_params(labelsize=7)
        ax.set_zorder(ax2.get_zorder() + 1)  # pitch dots over the loudness line
        ax.patch.set_visible(False)
        pitch = d.pitch if d is not None else None
        if pitch is not None and pitch.track_hz and pitch.track_hop_s:
            f0 = np.array([np.nan if v is None else v for v in pitch.track_hz], dtype=float)
            ax.plot((np.arange(f0.size) + 0.5) * pitch.track_hop_s, f0, ".", markersize=3, color="#7b3294")
            voiced = f0[~np.isnan(f0)]
            if voiced.size:
                median = float(np.median(voiced))
                ax.set_ylim(median / 2, median * 2)
        else:
            ax.text(0.5, 0.5, "pitch not measured", transform=ax.transAxes, ha="center", va="center",
                    fontsize=8, color="#777777")
        ax.set_ylabel("pitch Hz", fontsize=8, color="#7b3294")
        ax.tick_params(labelsize=7)
    axes[-1].set_xlim(0, duration)
    axes[-1].set_xlabel("seconds", fontsize=8)
    uri, w, h = _png(fig)
    return Chart(uri, w, h, t0_s=0.0, t1_s=duration)


@dataclass(frozen=True)
class TrendMetric:
    name: str  # what people type: ``--metric pace``
    key: str  # the store.SessionSummary field
    label: str
    unit: str
    better: str  # "higher" | "lower" | "band"
    band: tuple[float, float] | None = None  # the good range when better == "band"


def _trend_metrics() -> dict[str, TrendMetric]:
    from ..delivery.options import DeliveryOptions

    o = DeliveryOptions()  # a trend spans many sessions: the default targets are its bands
    return {m.name: m for m in (
        TrendMetric("overall", "overall", "Overall score", "/100", "higher"),
        TrendMetric("delivery", "delivery", "Delivery score", "/100", "higher"),
        TrendMetric("structure", "structure", "Structure score", "/100", "higher"),
        TrendMetric("accountability", "accountability", "Accountability score", "/100", "higher"),
        TrendMetric("pace", "words_per_minute", "Pace", "words/min", "band", (o.comfortable_min_wpm, o.comfortable_max_wpm)),
        TrendMetric("fillers", "fillers_per_100_words", "Fillers", "per 100 words", "lower"),
        TrendMetric("long-pauses", "long_pause_count", "Long pauses", "", "lower"),
        TrendMetric("pitch", "pitch_variation_semitones", "Pitch spread", "semitones", "higher"),
        TrendMetric("length", "duration_s", "Length", "s", "band", (o.min_answer_s, o.max_answer_s)),
    )}


TREND_METRICS = _trend_metrics()
DEFAULT_TREND = ("overall", "pace", "fillers", "long-pauses", "structure", "accountability")


def trend_y_limits(metric: TrendMetric, ys: np.ndarray) -> tuple[float, float]:
    """The value axis of a trend panel: 0..100 for scores; from 0 for every other figure (all
    are counts, rates or lengths, never negative), to a little above the highest value or band.

    >>> trend_y_limits(TREND_METRICS["fillers"], np.array([0.0, 0.0]))
    (0.0, 1.0)
    """
    if metric.unit == "/100":
        return 0.0, 100.0
    top = float(np.nanmax(ys)) if np.any(~np.isnan(ys)) else 0.0
    if metric.band is not None:
        top = max(top, metric.band[1])
    if metric.key.endswith("_count"):
        return 0.0, top + 1
    return 0.0, top * 1.1 if top > 0 else 1.0


def trend_chart(history: Sequence, metrics: Sequence[str], *, highlight_id: str | None = None) -> Chart:
    """One small panel per metric over sessions (oldest first); ``history`` holds
    ``store.SessionSummary`` rows."""
    from matplotlib.figure import Figure

    metrics = [TREND_METRICS[m] for m in metrics if m in TREND_METRICS]
    cols = min(3, max(1, len(metrics)))
    rows = (len(metrics) + cols - 1) // cols
    fig = Figure(figsize=(FIG_WIDTH_IN, 2.4 * rows + 0.3), dpi=DPI)
    fig.subplots_adjust(left=0.06, right=0.98, top=0.9 if rows == 1 else 0.94, bottom=0.16 if rows == 1 else 0.08,
                        wspace=0.28, hspace=0.55)
    x = np.arange(1, len(history) + 1)
    labels = [h.created_at[5:10] for h in history]
    for i, m in enumerate(metrics):
        ax = fig.add_subplot(rows, cols, i + 1)
        ys = np.array([np.nan if getattr(h, m.key) is None else float(getattr(h, m.key)) for h in history])
        if m.band is not None:
            ax.axhspan(*m.band, color="#7cc49a", alpha=0.25, linewidth=0)
        ax.plot(x, ys, marker="o", color="#2f4b7c", linewidth=1.6, markersize=4)
        for j, h in enumerate(history):
            if h.id == highlight_id and not np.isnan(ys[j]):
                ax.plot([x[j]], [ys[j]], marker="o", markersize=9, markerfacecolor="none", color=FILLER_COLOUR)
        hint = {"lower": ", lower is better", "band": ", green is the target"}.get(m.better, "")
        ax.set_title(f"{m.label}" + (f" ({m.unit}{hint})" if m.unit else f" ({hint[2:]})" if hint else ""),
                     fontsize=9, loc="left")
        if m.key.endswith("_count"):
            from matplotlib.ticker import MaxNLocator

            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(*trend_y_limits(m, ys))
        ax.set_xticks(x)
        step = max(1, len(x) // 8)
        ax.set_xticklabels([lab if k % step == 0 else "" for k, lab in enumerate(labels)], fontsize=7)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    uri, w, h = _png(fig)
    return Chart(uri, w, h)
