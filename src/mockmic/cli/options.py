"""Option sets shared by several commands, as decorators."""

from __future__ import annotations

from pathlib import Path

import click


def model_options(f):
    """--model and --language, checked together before the command does any work."""
    import functools

    command = f

    @functools.wraps(command)
    def checked(*args, **kwargs):
        from ..transcribe.languages import check_model_language

        # A MockmicError here is one sentence from the group (cli/__init__.py), before any work.
        check_model_language(kwargs.get("model"), kwargs.get("language"))
        return command(*args, **kwargs)

    f = checked
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


def _read_config(path) -> dict:
    """The TOML config file as a dict; a broken file is one clear error."""
    import tomllib

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as e:
        raise click.BadParameter(f"{path} cannot be read: {e.strerror or e}.", param_hint="--config") from None
    except tomllib.TOMLDecodeError as e:
        raise click.BadParameter(f"{path} is not valid TOML: {e}.", param_hint="--config") from None


CONFIG_TABLES = ("delivery", "content")  # the tables a --config file may hold


def _range(text: str, hint: str) -> tuple[float, float]:
    try:
        lo, hi = (float(x) for x in text.split("-", 1))
    except ValueError:
        raise click.BadParameter(f"'{text}' is not a range such as 130-170.", param_hint=hint) from None
    if lo > hi:
        raise click.BadParameter(f"'{text}' runs backwards: give the lower number first, e.g. {hi:g}-{lo:g}.",
                                 param_hint=hint)
    return lo, hi


def _tables(config_path) -> dict[str, dict]:
    """The option tables of a --config file; an unknown table is one clear error (a typo)."""
    config = _read_config(config_path)
    unknown = sorted(set(config) - set(CONFIG_TABLES))
    if unknown:
        raise click.BadParameter(
            f"{config_path} has a table [{unknown[0]}] mockmic does not know (known: "
            + ", ".join(f"[{t}]" for t in CONFIG_TABLES) + ").", param_hint="--config")
    for name, table in config.items():
        if not isinstance(table, dict):
            raise click.BadParameter(f"[{name}] in {config_path} must be a table.", param_hint="--config")
    return config


def analysis_options(f):
    """The stages' thresholds from ``--config`` (its [delivery] and [content] tables),
    ``--delivery KEY=VALUE`` and the named delivery flags; the command receives
    ``delivery_options`` (a DeliveryOptions) and ``content_options`` (a ContentOptions), both
    checked before any work starts.

    Later sources win: defaults, then the config file, then ``--delivery``, then named flags.
    """
    import functools

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        from ..content import ContentOptions
        from ..delivery import DeliveryOptions
        from ..errors import ConfigError

        config_path = kwargs.pop("config_path", None)
        settings = kwargs.pop("delivery_settings", ()) or ()
        pace_range = kwargs.pop("pace_range", None)
        long_pause = kwargs.pop("long_pause", None)
        config = _tables(config_path) if config_path is not None else {}
        values: dict = dict(config.get("delivery", {}))
        for item in settings:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise click.BadParameter(f"'{item}' is not KEY=VALUE (e.g. long_pause_s=1.5).", param_hint="--delivery")
            values[key.strip()] = value.strip()
        if pace_range is not None:
            values["comfortable_min_wpm"], values["comfortable_max_wpm"] = _range(pace_range, "--pace-range")
        if long_pause is not None:
            values["long_pause_s"] = long_pause
        # An impossible combination names the options the person typed.
        given = [("--config", bool(config.get("delivery"))), ("--delivery", bool(settings)),
                 ("--pace-range", pace_range is not None), ("--long-pause", long_pause is not None)]
        hint = "/".join(name for name, used in given if used) or "--delivery"
        try:
            kwargs["delivery_options"] = DeliveryOptions.from_mapping(values) if values else DeliveryOptions()
        except ConfigError as e:
            raise click.BadParameter(str(e), param_hint=hint) from None
        try:
            kwargs["content_options"] = ContentOptions.from_mapping(config.get("content", {}))
        except ConfigError as e:
            raise click.BadParameter(str(e), param_hint="--config") from None
        return f(*args, **kwargs)

    wrapper = click.option(
        "--long-pause", type=click.FloatRange(min=0.1), metavar="SECONDS", default=None,
        help="A pause at least this long counts as long (default 1.0 s).",
    )(wrapper)
    wrapper = click.option(
        "--pace-range", metavar="MIN-MAX", default=None,
        help="Comfortable pace in words per minute (default 130-170).",
    )(wrapper)
    wrapper = click.option(
        "--delivery", "delivery_settings", metavar="KEY=VALUE", multiple=True,
        help="Set one delivery threshold, e.g. --delivery stall_s=4 (names as in the [delivery] table; repeatable).",
    )(wrapper)
    wrapper = click.option(
        "--config", "config_path", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
        help="TOML file whose [delivery] and [content] tables set the analysis thresholds (e.g. long_pause_s = 1.5).",
    )(wrapper)
    return wrapper
