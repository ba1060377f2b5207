"""``--language`` and ``--model`` checked together before any work starts.

Whisper knows a fixed set of lower-case ISO codes (faster-whisper's tokenizer lists them); an
English-only model (``*.en``) transcribes English alone. A wrong code used to surface as
faster-whisper's traceback after the audio was decoded.

>>> check_language("en")
'en'
>>> check_language("EN")
Traceback (most recent call last):
...
mockmic.errors.ConfigError: --language 'EN' is not a language code Whisper knows; did you mean 'en'? Codes are lower case: `mockmic models languages` lists them.
"""

from __future__ import annotations

from ..errors import ConfigError

HOW_TO_LIST = "`mockmic models languages` lists them"


def language_codes() -> tuple[str, ...]:
    """Every language code Whisper accepts, sorted."""
    try:
        from faster_whisper.tokenizer import _LANGUAGE_CODES
    except ImportError:  # faster-whisper missing: the model load says what to install
        return ("en",)
    return tuple(sorted(_LANGUAGE_CODES))


def check_language(code: str | None, *, option: str = "--language") -> str:
    """``code`` when Whisper knows it; otherwise ConfigError naming ``option``."""
    codes = language_codes()
    if code in codes:
        return code
    if code is None or not str(code).strip():
        raise ConfigError(f"{option} needs a language code such as 'en' ({HOW_TO_LIST}).")
    text = str(code).strip()
    if text.lower() in codes:
        raise ConfigError(
            f"{option} {code!r} is not a language code Whisper knows; did you mean {text.lower()!r}? "
            f"Codes are lower case: {HOW_TO_LIST}."
        )
    raise ConfigError(f"{option} {code!r} is not a language code Whisper knows ({HOW_TO_LIST}, e.g. en, de, fr).")


def check_model_language(model: str | None, language: str | None) -> None:
    """Raise ModelError/ConfigError before any work when ``model`` is missing, or cannot
    transcribe ``language`` (an English-only model with another language)."""
    from .models import resolve_model

    language = check_language(language)
    info = resolve_model(model)
    if language != "en" and not info.multilingual:
        raise ConfigError(
            f"--model {info.name} is English-only, so it cannot transcribe --language {language}: "
            "use a multilingual model (e.g. --model base, see `mockmic models list`) or --language en."
        )
