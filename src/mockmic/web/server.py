"""Start the web app: bind the socket, print the address with its token, run uvicorn."""

from __future__ import annotations

import contextlib
import errno
import socket
import sys
from collections.abc import Callable

from .security import host_header_name, new_token

DEFAULT_PORT = 8765
PORT_TRIES = 20  # the default port taken: try the next ones, as Jupyter does
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def bind(host: str, port: int, *, tries: int = PORT_TRIES) -> socket.socket:
    """A listening socket on ``host``; ``port`` 0 picks a free one, a taken port the next free.

    Raises OSError (with a sentence for the person) when none can be had.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    last: OSError | None = None
    for candidate in [port] if port == 0 else range(port, port + max(1, tries)):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, candidate))
        except OSError as e:
            sock.close()
            last = e
            if e.errno != errno.EADDRINUSE:
                break
            continue
        sock.listen(128)
        sock.set_inheritable(True)
        return sock
    if getattr(last, "errno", None) == errno.EADDRINUSE:
        raise OSError(errno.EADDRINUSE, f"port {port} is already in use: choose another with --port "
                                        "(--port 0 takes any free one)")
    raise OSError(getattr(last, "errno", None), f"it cannot listen on {host} port {port} ({getattr(last, 'strerror', last)})")


def serve(*, host: str = "127.0.0.1", port: int = DEFAULT_PORT, open_browser: bool = True,
          model: str | None = None, language: str | None = "en", delivery_options=None, content_options=None,
          say: Callable[[str], None] | None = None, token: str | None = None, limits=None) -> None:
    """Run the web app until Ctrl-C or SIGTERM.

    ``delivery_options`` and ``content_options`` are the analysis thresholds, as
    :class:`mockmic.pipeline.Analyzer` takes them (``mockmic serve --config`` and kin).
    """
    import uvicorn

    from .app import create_app
    from .engine import Engine

    say = say or (lambda m: print(m, file=sys.stderr, flush=True))
    sock = bind(host, port, tries=PORT_TRIES if port == 0 or port == DEFAULT_PORT else 1)
    port = sock.getsockname()[1]
    token = token or new_token()
    engine = Engine(model=model, language=language, delivery_options=delivery_options,
                    content_options=content_options, limits=limits)
    shown_host = "127.0.0.1" if host in ("127.0.0.1", "0.0.0.0", "::") else host_header_name(host)
    url = f"http://{shown_host}:{port}/?token={token}"
    unfinished = engine.unfinished_recordings()
    app = create_app(engine, token=token, host=host, port=port, extra_hosts=_own_names(host))
    say(f"mockmic is running at {url}")
    say(f"Sessions live in {engine.home}. Press Ctrl-C to stop.")
    if unfinished:
        say(f"{len(unfinished)} unfinished recording(s) are waiting in {engine.home / 'incoming'}: "
            "the page offers to finish them.")
    # Print the address on stdout too (alone on its line), for scripts and tests to read.
    print(url, flush=True)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(0.5, lambda: webbrowser.open(url)).start()
    ws = "websockets-sansio" if _has_sansio(uvicorn) else "websockets"
    config = uvicorn.Config(app, log_level="warning", ws=ws, lifespan="on", ws_max_size=4 * 1024 * 1024,
                            timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    with contextlib.closing(sock):
        server.run(sockets=[sock])


def _own_names(host: str) -> list[str]:
    """For a wildcard bind, the names and addresses other machines reach this one by (the
    Host they send); a named or loopback bind needs none beyond its own."""
    if host not in ("0.0.0.0", "::"):
        return []
    names = {socket.gethostname(), socket.getfqdn()}
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None):
            names.add(host_header_name(info[4][0]))
    return sorted(n for n in names if n)


def _has_sansio(uvicorn) -> bool:
    try:
        from uvicorn.config import WS_PROTOCOLS
    except ImportError:  # pragma: no cover
        return False
    return "websockets-sansio" in WS_PROTOCOLS
