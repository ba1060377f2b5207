"""Option sets shared by several commands, as decorators."""

from __future__ import annotations

from pathlib import Path

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


def _range(text: str, hint: str) -> tuple[float, float]:
    try:
        lo, hi = (float(x) for x in text.split("-", 1))
    except ValueError:
        raise click.BadParameter(f"'{text}' is not a range such as 130-170.", param_hint=hint) from None
    return lo, hi


def delivery_options(f):
    """Delivery thresholds from ``--config`` ([delivery] table), ``--delivery KEY=VALUE`` and
    named flags; the command receives one ``delivery_options`` (a DeliveryOptions).

    Later sources win: defaults, then the config file, then ``--delivery``, then named flags.
    The whole config file is left in ``ctx.meta["mockmic.config"]`` for other option sets.
    """
    import functools

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        from ..delivery import DeliveryOptions
        from ..errors import ConfigError

        config_path = kwargs.pop("config_path", None)
        settings = kwargs.pop("delivery_settings", ()) or ()
        pace_range = kwargs.pop("pace_range", None)
        long_pause = kwargs.pop("long_pause", None)
        values: dict = {}
        if config_path is not None:
            config = _read_config(config_path)
            click.get_current_context().meta["mockmic.config"] = config
            table = config.get("delivery", {})
            if not isinstance(table, dict):
                raise click.BadParameter(f"[delivery] in {config_path} must be a table.", param_hint="--config")
            values.update(table)
        for item in settings:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise click.BadParameter(f"'{item}' is not KEY=VALUE (e.g. long_pause_s=1.5).", param_hint="--delivery")
            values[key.strip()] = value.strip()
        if pace_range is not None:
            values["comfortable_min_wpm"], values["comfortable_max_wpm"] = _range(pace_range, "--pace-range")
        if long_pause is not None:
            values["long_pause_s"] = long_pause
        try:
            kwargs["delivery_options"] = DeliveryOptions.from_mapping(values) if values else DeliveryOptions()
        except ConfigError as e:
            raise click.BadParameter(str(e), param_hint="--config/--delivery") from None
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
        help="TOML file whose [delivery] table sets delivery thresholds (e.g. long_pause_s = 1.5).",
    )(wrapper)
    return wrapper
