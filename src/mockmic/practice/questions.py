"""The question bank: behavioural questions kept as data (TOML), plus people's own files."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import ConfigError
from ..results import STAR_PARTS

SIGNALS = ("ownership", "apology", "amends", "learning", "prevention")


@dataclass(frozen=True)
class Question:
    id: str
    category: str
    text: str
    needs: tuple[str, ...] = STAR_PARTS  # STAR parts a strong answer has
    signals: tuple[str, ...] = ()  # accountability signals a strong answer shows
    source: str = ""


def _parse(data: dict, origin: str) -> list[Question]:
    entries = data.get("question")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{origin} has no [[question]] entries.")
    out = []
    for i, q in enumerate(entries, 1):
        missing = [k for k in ("id", "text") if not isinstance(q.get(k), str) or not q.get(k).strip()]
        if missing:
            raise ConfigError(f"Question {i} in {origin} has no {' or '.join(missing)}.")
        needs = tuple(q.get("needs", STAR_PARTS))
        bad = [n for n in needs if n not in STAR_PARTS]
        if bad:
            raise ConfigError(f"Question '{q['id']}' in {origin} needs unknown STAR parts: {', '.join(bad)}.")
        out.append(Question(
            id=q["id"].strip(), category=str(q.get("category", "custom")).strip() or "custom",
            text=q["text"].strip(), needs=needs, signals=tuple(q.get("signals", ())),
            source=str(q.get("source", origin)),
        ))
    return out


def load_questions(extra: Path | None = None, *, include_builtin: bool = True) -> list[Question]:
    """The built-in bank, then the questions of ``extra`` (a TOML file of [[question]] tables).

    A question in ``extra`` with the id of a built-in one replaces it.
    """
    questions: list[Question] = []
    if include_builtin:
        text = resources.files("mockmic.practice").joinpath("questions.toml").read_text(encoding="utf-8")
        questions = _parse(tomllib.loads(text), "the built-in question bank")
    if extra is not None:
        try:
            data = tomllib.loads(Path(extra).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"No such question file: {extra}.") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"{extra} is not a valid TOML question file: {e}.") from None
        mine = _parse(data, str(extra))
        ids = {q.id for q in mine}
        questions = [q for q in questions if q.id not in ids] + mine
    return questions


def find_question(question_id: str, extra: Path | None = None) -> Question:
    for q in load_questions(extra):
        if q.id == question_id:
            return q
    raise ConfigError(f"No question with id '{question_id}': see `mockmic questions` for the ids.")


def categories(questions: list[Question]) -> list[str]:
    return sorted({q.category for q in questions})
