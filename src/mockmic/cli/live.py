"""What recording commands show while the microphone is live, shared by `record` and `practice`."""

from __future__ import annotations

import time

import click


def countdown(seconds: float, quiet: bool) -> None:
    """``Starting in 3...`` once a second on stderr, then return (nothing printed when quiet)."""
    remaining = seconds
    while remaining > 0:
        if not quiet:
            click.echo(f"Starting in {remaining:.0f}...", err=True)
        step = min(1.0, remaining)
        time.sleep(step)
        remaining -= step
