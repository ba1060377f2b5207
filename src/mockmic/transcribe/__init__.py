"""Transcription: faster-whisper on the CPU (the only import of it), streaming while recording,
and the models on disk.

>>> from mockmic.transcribe import FILLER_PROMPT
>>> FILLER_PROMPT.split()[:2]
['Um,', 'uh,']
"""

from .cleanup import drop_hallucinations, refine_word_times
from .install import install_base, verify_model
from .models import ModelInfo, available_models, resolve_model
from .streaming import LiveTranscriber, StreamingTranscriber, StreamOptions, StreamTiming
from .whisper import FILLER_PROMPT, TranscribeOptions, Transcriber

__all__ = [
    "FILLER_PROMPT", "LiveTranscriber", "ModelInfo", "StreamOptions", "StreamTiming", "StreamingTranscriber",
    "TranscribeOptions", "Transcriber", "available_models", "drop_hallucinations", "install_base",
    "refine_word_times", "resolve_model", "verify_model",
]
