"""What becomes of a recording once it has stopped: the one place that decides it.

``mockmic record``, practice and the web app all ask :func:`settle`, so a SIGTERM, an empty
recording or a full disk end the same way whoever was recording.
"""

from __future__ import annotations

from dataclasses import dataclass

from .capture import RecordingResult

# Outcome kinds: analyse the recording now, or not (and why).
ANALYZE = "analyze"
TERMINATED = "terminate"  # SIGTERM: the file is kept for the next run, nothing analysed now
CANCELLED = "cancelled"  # Ctrl-C before a word was said: nothing worth keeping
NOTHING = "no_audio"  # no audio arrived at all
WRITE_ERROR = "write_error"  # the disk refused it: what was written stays for --recover


@dataclass(frozen=True)
class Outcome:
    """What :func:`settle` decided.

    Attributes
    ----------
    kind : str
        :data:`ANALYZE`, :data:`TERMINATED`, :data:`CANCELLED`, :data:`NOTHING` or :data:`WRITE_ERROR`.
    message : str or None
        One sentence for the person: why nothing is analysed, or (for :data:`ANALYZE`) a
        problem the analysis goes on despite, such as the microphone going away.
    """

    kind: str
    message: str | None = None

    @property
    def analyze(self) -> bool:
        return self.kind == ANALYZE


def settle(result: RecordingResult, *, cancel_unspoken_interrupt: bool = False) -> Outcome:
    """Decide what becomes of ``result`` and do it to the file (discard, or keep for recovery).

    Parameters
    ----------
    result : RecordingResult
        From :func:`mockmic.record.record_answer`; its file is still locked by this process.
    cancel_unspoken_interrupt : bool
        Ctrl-C before any speech discards the recording (practice: the person wants out).

    Returns
    -------
    Outcome
        For :data:`ANALYZE` the file is still held, ready for ``result.pending.take()``.
    """
    pending = result.pending
    if result.stop_reason == "terminate":
        if result.duration_s == 0:
            pending.discard()
            return Outcome(TERMINATED, "Stopped by SIGTERM before any audio arrived: nothing was recorded.")
        pending.release()  # complete and valid; the next `mockmic record` analyses it
        return Outcome(TERMINATED, f"Stopped by SIGTERM: the recording is kept in {result.path}; "
                                   "`mockmic record --recover` analyses it.")
    if cancel_unspoken_interrupt and result.stop_reason == "interrupt" and not result.speech_detected:
        pending.discard()
        return Outcome(CANCELLED)
    if result.stop_reason == "write_error" and result.duration_s == 0:
        pending.discard()  # the disk took nothing: there is no recording to keep
        return Outcome(WRITE_ERROR, "Nothing could be recorded: the disk refused the recording. Free some space and try again.")
    if result.duration_s == 0:
        pending.discard()
        return Outcome(NOTHING, result.error or "Nothing was recorded: it was stopped before any audio arrived.")
    if result.stop_reason == "write_error":
        # A full disk will not take a report either; what was written stays for --recover.
        pending.release()
        return Outcome(WRITE_ERROR, f"{result.error} Free some space, then run `mockmic record --recover`.")
    return Outcome(ANALYZE, result.error)
