"""Ending a recording: from another thread, on Enter (a terminal or a pipe), on Ctrl-C or SIGTERM.

Plain threading and signals, no audio: the recorder (:mod:`.capture`) uses these, and so
can anything else that waits for a person to finish speaking.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading


class Stopper:
    """Ends a recording from any thread or a signal handler; the first reason given wins."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason: str | None = None

    def stop(self, reason: str = "stopped") -> None:
        if self.reason is None:
            self.reason = reason
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)


class _EnterWatcher:
    """One thread per process reads stdin while a recording runs, and stops it on a newline.

    It reads the file descriptor directly (not ``sys.stdin``), so a pipe works as well as a
    terminal and no Python-level lock is held at interpreter exit. It reads only while a
    recording is being watched, so between recordings ``input()`` elsewhere gets every line.
    End of input does not stop a recording.
    """

    POLL_S = 0.1

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._target: Stopper | None = None
        self._thread: threading.Thread | None = None
        self._at_eof = False

    def watch(self, stopper: Stopper) -> None:
        with self._cond:
            self._target = stopper
            if self._thread is None and not self._at_eof:
                self._thread = threading.Thread(target=self._run, name="mockmic-enter", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def unwatch(self, stopper: Stopper) -> None:
        with self._cond:
            if self._target is stopper:
                self._target = None

    def _run(self) -> None:
        import select

        try:
            fd = sys.stdin.fileno()
        except (AttributeError, OSError, ValueError):
            fd = None
        while fd is not None:
            with self._cond:
                while self._target is None:
                    self._cond.wait()
            try:
                ready, _, _ = select.select([fd], [], [], self.POLL_S)
                if not ready or self._target is None:
                    continue  # the recording ended meanwhile: leave the line for its next reader
                data = os.read(fd, 1024)
            except InterruptedError:
                continue
            except (OSError, ValueError):
                break
            if not data:
                break  # end of input: only a newline means "stop"
            if b"\n" in data or b"\r" in data:
                with self._cond:
                    if self._target is not None:
                        self._target.stop("enter")
        with self._cond:
            self._at_eof = True
            self._thread = None


enter_watcher = _EnterWatcher()


def drop_typed_ahead() -> None:
    # Keys pressed during the countdown must not stop the recording the moment it starts.
    with contextlib.suppress(Exception):
        if sys.stdin.isatty():
            import termios

            termios.tcflush(sys.stdin.fileno(), termios.TCIFLUSH)


@contextlib.contextmanager
def stop_on_signals(stopper: Stopper):
    """Ctrl-C and SIGTERM end the recording cleanly instead of killing the process mid-write."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    reasons = {signal.SIGINT: "interrupt", signal.SIGTERM: "terminate"}
    previous = {}
    for sig, reason in reasons.items():
        previous[sig] = signal.signal(sig, lambda _s, _f, reason=reason: stopper.stop(reason))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
