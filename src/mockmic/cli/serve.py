"""`mockmic serve`: the local web app (practice, upload, history) in the browser."""

from __future__ import annotations

import click

from .options import analysis_options, model_options, quiet_option

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, metavar="N",
              help="Port to listen on (0: any free one; a taken default moves to the next free port).")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDR",
              help="Address to listen on. Anything but loopback lets other machines reach the page (still only with the token).")
@click.option("--no-browser", is_flag=True, help="Do not open the browser; just print the address.")
@click.option("--max-upload-mb", type=click.FloatRange(min=0, min_open=True), default=200.0, show_default=True,
              metavar="MB", help="Largest file the Upload page takes.")
@click.option("--max-upload-minutes", type=click.FloatRange(min=0, min_open=True), default=20.0, show_default=True,
              metavar="MIN", help="Longest recording the Upload page analyses.")
@model_options
@analysis_options
@quiet_option
def serve(port, host, no_browser, max_upload_mb, max_upload_minutes, model, language, quiet, delivery_options,
          content_options):
    """Practise in the browser: a local web app for the whole interview.

    Starts a server on this computer and opens the page: Practice (questions, countdown,
    recording from the browser's microphone with the words shown as you speak, the report
    within seconds, follow-up questions, the summary), Upload (reports for recordings you
    already have) and History (sessions, reports, comparisons, trends, past interviews).
    It reads and writes the same data home as the other commands, judges answers by the same
    thresholds (--config, --delivery, ... as for `mockmic analyze`), and nothing leaves the
    machine. The printed address carries a secret token: only a browser that opened it can
    use the page.

    \b
    Examples:
      mockmic serve
      mockmic serve --port 9000 --no-browser
      mockmic serve --config thresholds.toml --pace-range 120-160
    """
    from ..web.engine import Limits
    from ..web.server import serve as run

    def say(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    if host not in LOOPBACK_HOSTS:
        click.echo(f"Warning: listening on {host}, not only on this computer: other machines on the network can "
                   "reach the page (they still need the token). Browsers allow the microphone only on "
                   "http://127.0.0.1 or localhost, so practise on this computer.", err=True)
    try:
        run(host=host, port=port, open_browser=not no_browser, model=model, language=language,
            delivery_options=delivery_options, content_options=content_options, say=say,
            limits=Limits(upload_bytes=int(max_upload_mb * 1e6), upload_seconds=max_upload_minutes * 60.0))
    except OSError as e:
        raise click.ClickException(f"The server could not start: {e.strerror or e}.") from None


COMMANDS = [serve]
