"""The command line: a thin layer over the library. Only this package imports click.

Each command lives in its own module and imports the real work inside its function, so
``mockmic --help`` stays instant.
"""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import MockmicError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class MockmicGroup(click.Group):
    """Turns a MockmicError into one clear sentence and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MockmicError as e:
            raise click.ClickException(str(e)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except OSError as e:
            if getattr(e, "errno", None) == 28:  # ENOSPC
                raise click.ClickException("The disk is full: free some space and try again.") from None
            raise


@click.group(cls=MockmicGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="mockmic")
def cli() -> None:
    """mockmic: a local, private mock-interview coach.

    Speak an answer to a behavioural question (or give a recording); mockmic transcribes it on
    this machine and reports on what you said (STAR structure, accountability) and how you
    said it (pace, pauses, filler words, pitch, loudness). Nothing leaves the machine.
    """


def _register() -> None:
    from . import analyze, models, practice, questions, record, reports, serve

    for module in (analyze, models, record, reports, questions, practice, serve):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="mockmic")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
