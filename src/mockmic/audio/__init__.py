"""Audio in and out: decode any file to 16 kHz mono float32; write and repair WAV files."""

from .decode import DecodeProgress, is_silent, load_audio, recording_notices
from .frames import frame_rms
from .options import SpeechOptions
from .speech import SpeechCheck, check_speech
from .wav import SAMPLE_WIDTH, IncrementalWav, repair_wav, to_pcm16, wav_bytes, write_wav

__all__ = ["SAMPLE_WIDTH", "DecodeProgress", "SpeechCheck", "SpeechOptions", "check_speech", "recording_notices", "IncrementalWav", "frame_rms", "is_silent", "load_audio", "repair_wav",
           "to_pcm16", "wav_bytes", "write_wav"]
