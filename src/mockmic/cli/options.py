"""Option sets shared by several commands, as decorators."""

from __future__ import annotations

import click


def model_options(f):
    f = click.option(
        "--language",
        default="en",
        show_default=True,
        help="Spoken language (ISO code); other than 'en' needs a multilingual model such as base.",
    )(f)
    f = click.option(
        "--model",
        "model",
        metavar="NAME|PATH",
        default=None,
        help="Whisper model: a name in models/ (see `mockmic models list`) or a CTranslate2 folder. Default: tiny.en.",
    )(f)
    return f


def quiet_option(f):
    return click.option("-q", "--quiet", is_flag=True, help="Print nothing on stderr (no progress, no notes).")(f)
