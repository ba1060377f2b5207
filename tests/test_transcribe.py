"""Transcription of known speech: words and times, fillers kept, formats agree, no network."""

from __future__ import annotations

import shutil
import subprocess

import jiwer
import numpy as np
import pytest

from conftest import normalise_text, KNOWN_SENTENCE, SR, espeak_samples, silence, write_wav
from mockmic.audio import load_audio
from mockmic.errors import ModelError
from mockmic.transcribe import TranscribeOptions, Transcriber, drop_hallucinations, resolve_model
from mockmic.results import Word


def wer(reference: str, hypothesis: str) -> float:
    return jiwer.wer(normalise_text(reference), normalise_text(hypothesis))


def test_known_sentence_word_error_rate(known_speech, transcriber, no_network):
    samples, _ = load_audio(known_speech)
    t = transcriber.transcribe(samples)
    assert wer(KNOWN_SENTENCE, t.text) <= 0.15, t.text
    assert t.model == "tiny.en" and t.language == "en"
    # Word times are ordered, inside the audio, and skip the 0.5 s of leading silence.
    starts = [w.start_s for w in t.words]
    assert starts == sorted(starts)
    assert t.words[0].start_s >= 0.3
    assert t.words[-1].end_s <= samples.size / SR
    assert all(0.0 <= w.probability <= 1.0 for w in t.words)


def test_fillers_are_kept(speech_dir, transcriber):
    # espeak says "um" and "uh" as words; without the disfluent prompt Whisper drops them.
    text = "Um, I think the first thing I did was, uh, call the customer. Um, then I fixed the invoice."
    path = write_wav(speech_dir / "fillers.wav", np.concatenate([espeak_samples(text), silence(0.3)]))
    samples, _ = load_audio(path)
    words = [normalise_text(w.text) for w in transcriber.transcribe(samples).words]
    assert words.count("um") + words.count("uh") >= 2, words


def test_prompt_stays_in_force_past_30_seconds(speech_dir, transcriber):
    # The last sentence starts well past the first 30 s window; its "um" must survive.
    filler = "I checked the logs, compared the totals, and wrote down what I had found so far. "
    text = filler * 8 + "Um, then I called my manager. Uh, and I explained the error."
    samples = espeak_samples(text, words_per_minute=170)
    assert samples.size / SR > 35
    words = transcriber.transcribe(samples).words
    late = [normalise_text(w.text) for w in words if w.start_s > 30]
    assert "um" in late or "uh" in late, late


def test_closing_hallucination_over_silence_is_dropped():
    rng = np.random.default_rng(0)
    speech = (0.2 * rng.standard_normal(SR * 2)).astype(np.float32)
    samples = np.concatenate([speech, silence(3.0)])
    segments = [
        [Word("I", 0.1, 0.3, 0.9), Word("fixed", 0.3, 0.8, 0.9), Word("it.", 0.8, 1.5, 0.9)],
        [Word("Thank", 2.5, 2.9, 0.4), Word("you.", 2.9, 3.4, 0.4)],
    ]
    kept, dropped = drop_hallucinations(samples, segments)
    assert dropped == ["Thank you."]
    assert len(kept) == 1 and kept[0][1].text == "fixed"


def test_spoken_thank_you_is_kept():
    rng = np.random.default_rng(1)
    samples = (0.2 * rng.standard_normal(SR * 4)).astype(np.float32)
    segments = [[Word("I", 0.1, 0.3, 0.9), Word("fixed", 0.3, 0.8, 0.9)], [Word("Thank", 2.5, 2.9, 0.9), Word("you.", 2.9, 3.4, 0.9)]]
    kept, dropped = drop_hallucinations(samples, segments)
    assert dropped == [] and len(kept) == 2


@pytest.fixture(scope="module")
def format_copies(speech_dir):
    """The same speech as WAV 44.1 kHz stereo, FLAC, MP3 and OGG/Opus."""
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg, "ffmpeg is needed: run ./scripts/setup --test"
    text = "The report had the wrong total, so I checked every number and sent a correction to my manager."
    mono = np.concatenate([silence(0.3), espeak_samples(text), silence(0.3)])
    import librosa

    hi = librosa.resample(mono, orig_sr=SR, target_sr=44100)
    stereo = write_wav(speech_dir / "stereo44k.wav", np.stack([hi, hi * 0.8], axis=1), 44100)
    out = {"wav": stereo}
    for ext, args in (("flac", []), ("mp3", ["-b:a", "96k"]), ("ogg", ["-c:a", "libopus", "-b:a", "48k"])):
        path = speech_dir / f"copy.{ext}"
        subprocess.run([ffmpeg, "-loglevel", "error", "-y", "-i", str(stereo), *args, str(path)], check=True)
        out[ext] = path
    return text, out


def test_formats_give_the_same_words(format_copies, transcriber):
    text, paths = format_copies
    texts = {ext: transcriber.transcribe(load_audio(p)[0]).text for ext, p in paths.items()}
    for ext, hyp in texts.items():
        assert wer(text, hyp) <= 0.15, (ext, hyp)
        assert wer(texts["wav"], hyp) <= 0.1, (ext, hyp, texts["wav"])


def test_unknown_model_is_a_clear_error():
    with pytest.raises(ModelError, match=r"Unknown model 'nonesuch' \(installed: .*tiny\.en"):
        resolve_model("nonesuch")


def test_model_path_that_is_not_a_model(tmp_path):
    with pytest.raises(ModelError, match="is not a CTranslate2 Whisper model folder"):
        resolve_model(str(tmp_path))


def test_corrupt_model_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "broken"
    bad.mkdir()
    (bad / "model.bin").write_bytes(b"\0" * 64)
    (bad / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="could not be loaded"):
        Transcriber(str(bad))


def test_english_only_model_refuses_other_languages():
    with pytest.raises(ModelError, match="English-only"):
        Transcriber(None, TranscribeOptions(language="de"))


def test_words_tacked_on_over_trailing_silence_are_dropped():
    rng = np.random.default_rng(2)
    samples = np.concatenate([(0.2 * rng.standard_normal(SR * 2)).astype(np.float32), silence(2.0)])
    seg = [Word("I", 0.1, 0.3, 0.9), Word("fixed", 0.3, 1.9, 0.9), Word("we", 2.3, 2.6, 0.2), Word("did", 2.6, 3.0, 0.2)]
    kept, dropped = drop_hallucinations(samples, [seg])
    assert [w.text for w in kept[0]] == ["I", "fixed"]
    assert dropped == ["we did"]


def test_zero_length_word_over_speech_at_a_segment_end_is_kept():
    # Whisper gives the last words of a clip no length; the audio about them is still speech.
    rng = np.random.default_rng(3)
    samples = np.concatenate([(0.2 * rng.standard_normal(SR * 2)).astype(np.float32), silence(1.0),
                              (0.05 * rng.standard_normal(int(SR * 0.3))).astype(np.float32), silence(1.0)])
    seg = [Word("I", 0.1, 0.3, 0.9), Word("fixed", 0.3, 1.9, 0.9), Word("word", 3.1, 3.1, 0.9)]
    kept, dropped = drop_hallucinations(samples, [seg])
    assert [w.text for w in kept[0]] == ["I", "fixed", "word"] and dropped == []
    # The same word with no speech about it still goes.
    seg[-1] = Word("word", 3.8, 3.8, 0.9)
    kept, dropped = drop_hallucinations(samples, [seg])
    assert [w.text for w in kept[0]] == ["I", "fixed"] and dropped == ["word"]
