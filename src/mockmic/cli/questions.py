"""`mockmic questions`: the behavioural questions mockmic can ask."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("questions")
@click.option("-c", "--category", help="Only questions of this category (e.g. mistakes, teamwork).")
@click.option("--questions", "questions_file", type=click.Path(path_type=Path, dir_okay=False),
              help="A TOML file of your own [[question]] entries, added to the built-in bank.")
def questions_cmd(category, questions_file):
    """List the question bank: id, category and text of each question.

    Use an id with `mockmic record --question-id ID` or `mockmic practice --question ID`.
    """
    from ..errors import ConfigError
    from ..practice.questions import categories, load_questions

    qs = load_questions(questions_file)
    if category:
        chosen = [q for q in qs if q.category == category]
        if not chosen:
            raise ConfigError(f"No questions in category '{category}' (categories: {', '.join(categories(qs))}).")
        qs = chosen
    width = max(len(q.id) for q in qs)
    for q in qs:
        click.echo(f"{q.id:<{width}}  [{q.category}]  {q.text}")
    click.echo(f"\n{len(qs)} questions.", err=True)


COMMANDS = [questions_cmd]
