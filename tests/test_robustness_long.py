"""Long answers: the HTML report carries compressed audio (or links it), not base64 WAV."""

from __future__ import annotations

import base64
import re

import numpy as np
from click.testing import CliRunner

from conftest import SR, STAR_SENTENCES, espeak_samples, silence
from mockmic.audio import load_audio
from mockmic.audio.wav import wav_bytes
from mockmic.cli import cli
from mockmic.render.html import audio_data_uri
from mockmic.store import Store
from sample_sessions import make_report, write_audio

SESSION = "20261120-090000-0000c3"


def test_the_embedded_audio_is_opus_that_decodes_to_the_same_length(tmp_path):
    speech = np.concatenate([espeak_samples(" ".join(STAR_SENTENCES)), silence(1.0)])
    uri = audio_data_uri(speech)
    head, data = uri.split(",", 1)
    assert head == "data:audio/ogg;base64"
    raw = base64.b64decode(data)
    assert len(raw) < len(wav_bytes(speech, SR)) / 5  # a WAV is over 5 times larger
    (tmp_path / "a.ogg").write_bytes(raw)
    decoded, info = load_audio(tmp_path / "a.ogg")
    assert info.format == "ogg"
    assert abs(decoded.size - speech.size) / SR < 0.03  # times in the report still line up
    # the same sound: levels per 100 ms agree closely
    n = min(decoded.size, speech.size) // 1600 * 1600
    a = np.sqrt((speech[:n].reshape(-1, 1600) ** 2).mean(axis=1))
    b = np.sqrt((decoded[:n].reshape(-1, 1600) ** 2).mean(axis=1))
    assert np.corrcoef(a, b)[0, 1] > 0.98


def test_no_embed_links_the_stored_audio(tmp_path):
    audio = write_audio(tmp_path / "answer.wav")
    Store().save(make_report(SESSION), audio)
    out = tmp_path / "page.html"
    r = CliRunner().invoke(cli, ["reports", "show", SESSION, "--format", "html", "--no-embed", "-o", str(out)])
    assert r.exit_code == 0, r.output
    html = out.read_text()
    assert "data:audio" not in html
    src = re.search(r'<audio id="audio"[^>]*src="([^"]+)"', html).group(1)
    assert src == Store().audio_path(SESSION).resolve().as_uri()  # the session's stored copy
    embedded = tmp_path / "embedded.html"
    CliRunner().invoke(cli, ["reports", "show", SESSION, "--format", "html", "-o", str(embedded)])
    assert embedded.stat().st_size > out.stat().st_size
