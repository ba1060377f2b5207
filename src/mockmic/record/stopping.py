"""Ending a recording: from another thread, on Enter (a terminal or a pipe), on Ctrl-C or SIGTERM.

Plain threading and signals, no audio: the recorder (:mod:`.capture`) uses these, and so
can anything else that waits for a person to finish speaking.
"""

from __future__ import annotations

import collections
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


class StdinLines:
    """Standard input, shared by Enter-to-stop and the prompts between recordings, read by one thread.

    While a recording is watched (:meth:`watch`), a line stops it; a prompt takes the next line
    with :meth:`read_line`. The thread reads only while someone waits for a line, so lines typed
    ahead through a pipe stay there, in order, for the next reader. It reads the file
    descriptor itself (not ``sys.stdin``), so a pipe works as well as a terminal and no
    Python-level lock is held at interpreter exit. End of input never stops a recording.
    """

    POLL_S = 0.1

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._target: Stopper | None = None
        self._readers = 0
        self._lines: collections.deque[str] = collections.deque()
        self._eof = False
        self._thread: threading.Thread | None = None
        self.tty = _isatty()

    def watch(self, stopper: Stopper) -> None:
        """Stop ``stopper`` on the next line (Enter)."""
        with self._cond:
            if self.tty:
                self._drop()  # keys pressed during the countdown must not stop the answer at once
            self._target = stopper
            self._start()
            self._cond.notify_all()

    def unwatch(self, stopper: Stopper) -> None:
        with self._cond:
            if self._target is stopper:
                self._target = None

    def read_line(self) -> str | None:
        """The next line (without its newline), or None at end of input."""
        with self._cond:
            if self.tty:
                self._drop()  # what was typed during a recording does not answer this prompt
            self._readers += 1
            self._start()
            self._cond.notify_all()
            try:
                while not self._lines and not self._eof:
                    self._cond.wait(0.2)  # a timeout keeps Ctrl-C responsive
                return self._lines.popleft() if self._lines else None
            finally:
                self._readers -= 1

    def _start(self) -> None:
        if self._thread is None and not self._eof:
            self._thread = threading.Thread(target=self._run, name="mockmic-stdin", daemon=True)
            self._thread.start()

    def _drop(self) -> None:
        self._lines.clear()
        drop_typed_ahead()

    def _run(self) -> None:
        import select

        try:
            fd = sys.stdin.fileno()
        except (AttributeError, OSError, ValueError):
            fd = None
        buffer = b""
        while fd is not None:
            with self._cond:
                while self._target is None and self._readers == 0:
                    self._cond.wait()
            try:
                ready, _, _ = select.select([fd], [], [], self.POLL_S)
                if not ready or (self._target is None and self._readers == 0):
                    continue  # nobody waits any more: leave the line for its next reader (input())
                data = os.read(fd, 1024)
            except InterruptedError:
                continue
            except (OSError, ValueError):
                break
            if not data:
                break
            buffer += data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                self._deliver(line.decode("utf-8", "replace").strip())
        with self._cond:
            if buffer.strip():
                self._lines.append(buffer.decode("utf-8", "replace").strip())
            self._eof = True
            self._thread = None
            self._cond.notify_all()

    def _deliver(self, line: str) -> None:
        with self._cond:
            if self._target is not None:
                self._target.stop("enter")
                self._target = None  # one line stops one recording; the next waits for a prompt
                return
            self._lines.append(line)
            self._cond.notify_all()


def _isatty() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


stdin_lines = StdinLines()
enter_watcher = stdin_lines  # the recorder's name for it


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
