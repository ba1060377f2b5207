"""`mockmic devices` and `mockmic record`: answering a question into the microphone."""

from __future__ import annotations

import shutil
import sys
import time

import click

from .live import countdown as _countdown  # shared with `mockmic practice`
from .options import analysis_options, model_options, quiet_option

EXIT_SIGTERM = 143  # 128 + SIGTERM, what a shell reports for a terminated program


@click.command()
def devices():
    """List the input devices that can record: index, name, channels, default rate.

    The system default input is marked with *. Give `mockmic record --device` an index or
    part of a name from this list.
    """
    from ..record import list_input_devices

    inputs = list_input_devices()
    if not inputs:
        from ..errors import DeviceError
        from ..record import NO_MICROPHONE

        raise DeviceError(NO_MICROPHONE)
    width = max(len(d.name) for d in inputs)
    click.echo(f"  {'index':>5}  {'name':<{width}}  {'channels':>8}  {'rate (Hz)':>9}")
    for d in inputs:
        mark = "*" if d.is_default else " "
        click.echo(f"{mark} {d.index:>5}  {d.name:<{width}}  {d.channels:>8}  {d.default_sample_rate_hz:>9}")


def _resolve_question(question: str | None, question_id: str | None) -> str | None:
    if question is not None and question_id is not None:
        raise click.UsageError("Give either --question or --question-id, not both.")
    if question_id is None:
        return question
    from ..practice.questions import find_question  # raises ConfigError naming `mockmic questions`

    return find_question(question_id).text


class LiveLine:
    """The live line on stderr: elapsed time, level meter, warnings.

    On a terminal it redraws one line ten times a second; otherwise (a pipe, a log) it prints a
    line only when a warning appears or clears, so logs stay readable.
    """

    def __init__(self, *, quiet: bool, stop_hint: str) -> None:
        self.quiet = quiet
        self.stop_hint = stop_hint
        self.tty = sys.stderr.isatty()
        self._last_warnings: tuple[str, ...] = ()
        self._drawn = False

    def __call__(self, status) -> None:
        if self.quiet:
            return
        from ..record.levels import meter_bar

        if self.tty:
            minutes, seconds = divmod(status.elapsed_s, 60)
            level = f"{status.level_dbfs:5.0f} dBFS" if status.level_dbfs > -100 else "  -inf dBFS"
            warn = ("  ! " + "; ".join(status.warnings)) if status.warnings else ""
            dropped = f"  dropped {status.overflow_count}" if status.overflow_count else ""
            line = f"● REC {int(minutes)}:{seconds:04.1f}  {meter_bar(status.level_dbfs)} {level}  {self.stop_hint}{dropped}{warn}"
            # A wrapped line could not be redrawn in place: cut it to the terminal's width.
            width = shutil.get_terminal_size((80, 24)).columns
            sys.stderr.write("\r\x1b[2K" + line[: max(20, width - 1)])
            sys.stderr.flush()
            self._drawn = True
        elif status.warnings != self._last_warnings:
            text = "; ".join(status.warnings) if status.warnings else "input level fine again"
            click.echo(f"[{status.elapsed_s:6.1f} s] {text}", err=True)
        self._last_warnings = status.warnings

    def end(self) -> None:
        if self._drawn:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()


@click.command()
@click.option("--question", metavar="TEXT", help="The interview question to answer; shown before recording and stored with it.")
@click.option("--question-id", metavar="ID", help="A question from the question bank, by id (instead of --question).")
@click.option("--device", metavar="NAME|INDEX", help="Input device: an index or part of a name from `mockmic devices`. Default: the system default input.")
@click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True), metavar="S", help="Stop after S seconds of audio.")
@click.option("--countdown", type=click.FloatRange(min=0), default=3.0, show_default=True, metavar="S", help="Seconds of countdown before recording starts (0 for none).")
@click.option("--silence-stop", type=click.FloatRange(min=0, min_open=True), metavar="S", help="Stop after S seconds of silence, once you have started speaking.")
@click.option("--no-analyze", is_flag=True, help="Keep the recording without analysing it (its path is printed); analyse later with `mockmic analyze`.")
@click.option("--recover", is_flag=True, help="Do not record: repair recordings an earlier run left unfinished (crash, kill, power loss) and analyse them.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="How to print the report on stdout.")
@model_options
@analysis_options
@quiet_option
def record(question, question_id, device, max_seconds, countdown, silence_stop, no_analyze, recover, fmt, model, language,
           quiet, delivery_options, content_options):
    """Record a spoken answer from the microphone, then analyse and store it.

    Shows the question and a countdown, then records with a live level meter on stderr. Stop
    with Enter, Ctrl-C, --max-seconds or --silence-stop. The audio goes to disk as it arrives
    (<data home>/incoming/, the data home being ./recordings or $MOCKMIC_HOME), so a crash or
    kill loses at most the last second; such a recording is repaired and analysed by
    `mockmic record --recover`, or automatically by the next `mockmic record`. After
    SIGTERM the file is finished and kept for that next run, without analysis.

    \b
    Examples:
      mockmic record --question "Tell me about a time you made a mistake." --max-seconds 120
      mockmic record --device 2 --silence-stop 4 --countdown 0
      mockmic record --recover
    """
    from ..pipeline import Analyzer
    from ..record import STOP_REASONS, RecordOptions, record_answer, recover_recordings

    text = _resolve_question(question, question_id)
    analyzer = None if no_analyze else Analyzer(model=model, language=language, delivery_options=delivery_options,
                                                content_options=content_options)
    note = (lambda msg: None) if quiet else (lambda msg: click.echo(msg, err=True))

    leftovers, notes = recover_recordings()
    for n in notes:
        note(f"Interrupted recording {n.session_id}: {n.message}.")
    if leftovers:
        note(f"Recovered {len(leftovers)} interrupted recording(s): "
             + ", ".join(f"{p.session_id} ({p.duration_s:.1f} s)" for p in leftovers) + ".")
    if recover:
        if not leftovers:
            note("There are no interrupted recordings to recover.")
            return
        _finish(leftovers, no_analyze=no_analyze, fmt=fmt, analyzer=analyzer, quiet=quiet, print_reports=True)
        return

    if text and not quiet:
        click.echo(f"Question: {text}", err=True)
    stop_hints = ["Enter to stop"]
    if max_seconds:
        stop_hints.append(f"stops at {max_seconds:g} s")
    live = LiveLine(quiet=quiet, stop_hint=", ".join(stop_hints))

    def before_start(dev, rate):
        note(f"Microphone: {dev.name} ({rate} Hz).")
        _countdown(countdown, quiet)

    def on_recording():
        note("Recording: speak now, press Enter (or Ctrl-C) to stop.")

    options = RecordOptions(device=device, max_seconds=max_seconds, silence_stop_s=silence_stop)
    streamer = None
    if not no_analyze:
        # Transcribe while the person speaks: when they stop, only the last chunk is left, so
        # the report follows within seconds. The model loads on the streaming thread with the
        # first chunk; if it cannot, the recording is kept and the analysis below says why.
        from ..delivery.live import LiveAcoustics
        from ..transcribe.streaming import LiveTranscriber

        # The pitch and spectral measurements are made while the person speaks too.
        streamer = LiveTranscriber(lambda: analyzer.transcriber,
                                   acoustics=LiveAcoustics(options=analyzer.delivery_options))
    try:
        result = record_answer(text, options=options, on_status=live, before_start=before_start,
                               on_recording=on_recording, on_block=streamer)
    finally:
        live.end()
    stopped_at = time.monotonic()
    if streamer is not None and (result.stop_reason in ("terminate", "write_error") or result.duration_s == 0):
        streamer.cancel()  # nothing is analysed now
        # Recovered recordings stay locked by this process until they are finished below.
    summary = (f"Recorded {result.duration_s:.1f} s at {result.sample_rate_hz} Hz "
               f"(stopped: {STOP_REASONS.get(result.stop_reason, result.stop_reason)}; "
               f"dropped buffers: {result.overflow_count}).")
    note(summary)
    for n in result.notices:
        if n != result.error:
            note(f"Warning: {n}")
    from ..record.outcome import NOTHING, TERMINATED, settle

    outcome = settle(result)
    if outcome.kind == TERMINATED:
        # SIGTERM asks us to end now: the file is complete and valid, and the next
        # `mockmic record` (or --recover) analyses it.
        for p in leftovers:
            p.release()
        note(outcome.message)
        sys.exit(EXIT_SIGTERM)
    if outcome.kind == NOTHING:
        _finish(leftovers, no_analyze=no_analyze, fmt=fmt, analyzer=analyzer, quiet=quiet, print_reports=False)
        raise click.ClickException(outcome.message)
    if not outcome.analyze:  # the disk is full: what was written stays for --recover
        for p in leftovers:
            p.release()
        raise click.ClickException(outcome.message)
    if outcome.message:
        note(outcome.message)  # the microphone went away: what it gave is analysed below
    transcripts, acoustics = {}, {}
    if streamer is not None:
        streamed = streamer.finish()
        if streamed is not None:
            transcripts[result.session_id] = streamed
            acoustics[result.session_id] = streamer.acoustics_result
    _finish([result.pending], no_analyze=no_analyze, fmt=fmt, quiet=quiet,
            print_reports=True, others=leftovers, transcripts=transcripts, analyzer=analyzer, acoustics=acoustics)
    if transcripts and streamer.timing is not None:
        note(f"Transcribed while you spoke ({streamer.timing.chunks} chunk(s)); the report was ready "
             f"{time.monotonic() - stopped_at:.1f} s after the recording stopped.")


def _finish(pendings, *, no_analyze, fmt, quiet, print_reports, analyzer, others=(), transcripts=None, acoustics=None):
    """Analyse and store (or keep, with --no-analyze) each recording; print the reports."""
    from ..errors import MockmicError

    everything = list(pendings) + list(others)
    if not everything:
        return
    if no_analyze:
        for p in everything:
            kept = p.keep()
            click.echo(str(kept))
            if not quiet:
                click.echo(f"Kept without analysis: {kept} (analyse it with `mockmic analyze {kept}`).", err=True)
        return

    from ..pipeline import analyze_and_store
    from ..render import render
    from .progress import StderrProgress

    reports = []
    failures = []
    try:
        with StderrProgress(quiet=quiet) as progress:
            analyzer.on_progress = progress
            for i, p in enumerate(everything):
                path = p.path
                try:
                    report, folder = analyze_and_store(analyzer, p.take(), transcript=(transcripts or {}).get(p.session_id),
                                                       acoustics=(acoustics or {}).get(p.session_id))
                except KeyboardInterrupt:
                    click.echo(f"Analysis interrupted: the recording is kept in {path}; "
                               "`mockmic record --recover` analyses it.", err=True)
                    raise
                except MockmicError as e:
                    p.release()
                    failures.append(f"{e} The recording is kept in {path}; `mockmic record --recover` retries.")
                    continue
                if not quiet:
                    click.echo(f"Stored session {report.id} in {folder}.", err=True)
                if print_reports and i < len(pendings):
                    reports.append(report)
    finally:
        for p in everything:
            p.release()  # anything not finished stays in incoming/ for the next run
    if reports:
        click.echo(render(reports[0] if len(reports) == 1 else reports, fmt), nl=False)
    if failures:
        for f in failures[:-1]:
            click.echo(f"Error: {f}", err=True)
        raise click.ClickException(failures[-1])


COMMANDS = [devices, record]
