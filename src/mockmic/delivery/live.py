"""The transcript-free half of the delivery analysis, computed while the person still speaks.

A recording arrives in small blocks (16 kHz mono float32). :class:`LiveAcoustics` filters them
as they come and, on its own thread, computes each pitch and spectral block of
:func:`.prosody.compute_acoustics` as soon as its audio (and the second after it) is in. When
the recording stops only the last blocks are left, and :meth:`LiveAcoustics.finish` returns the
same :class:`~.prosody.Acoustics` as the whole signal analysed at once (the same code on the
same samples: ``tests/test_live_acoustics.py``).
"""

from __future__ import annotations

import threading
from functools import partial

import numpy as np

from .options import DeliveryOptions
from .prosody import (
    LEVEL_HOP_S, SPECTRAL_BLOCK_S, Acoustics, RumbleFilter, block_frames, block_plan,
    compute_acoustics, pitch_block, pitch_blocks_ready, spectral_features,
)


class LiveAcoustics:
    """Feed 16 kHz blocks with :meth:`feed` from one thread; call :meth:`finish` once at the end."""

    def __init__(self, sample_rate: int = 16000, options: DeliveryOptions | None = None):
        self.sample_rate = sample_rate
        self.options = options or DeliveryOptions()
        self._incoming: list[np.ndarray] = []
        self._n_in = 0
        self._filter = RumbleFilter(sample_rate)
        self._signal = np.zeros(60 * sample_rate, np.float32)  # filtered; grows by doubling
        self._n = 0
        self.pitch_cache: dict = {}
        self.spectral_cache: dict = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._cancelled = False
        self.error: BaseException | None = None
        self._result: Acoustics | None = None
        self._thread = threading.Thread(target=self._run, name="mockmic-live-acoustics", daemon=True)
        self._thread.start()

    def feed(self, block: np.ndarray) -> None:
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        if block.size == 0:
            return
        with self._lock:
            self._incoming.append(block)
            self._n_in += block.size
        self._wake.set()

    def cancel(self) -> None:
        self._cancelled = True
        self._wake.set()

    def close(self) -> None:
        """The recording has ended: the worker computes what is left (call :meth:`finish` for it)."""
        self._closed = True
        self._wake.set()

    def finish(self) -> Acoustics | None:
        """The whole recording's acoustics, or None when the live computation failed."""
        self.close()
        self._thread.join()
        if self.error is not None or self._cancelled:
            return None
        return self._result

    def _final(self) -> Acoustics:
        opts = self.options
        return compute_acoustics(
            self._signal[:self._n], self.sample_rate, below_peak_db=opts.silence_below_peak_db,
            noise_margin_db=opts.noise_margin_db, fmin_hz=opts.fmin_hz, fmax_hz=opts.fmax_hz, filtered=True,
            pitch_cache=self.pitch_cache, spectral_cache=self.spectral_cache,
        )

    # --- the worker ----------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while not self._cancelled:
                self._wake.wait()
                self._wake.clear()
                closed = self._closed
                self._take_incoming(final=closed)
                self._compute_ready()
                if closed:
                    self._result = self._final()
                    return
        except Exception as e:  # the recording goes on; finish() then says None
            self.error = e

    def _take_incoming(self, *, final: bool) -> None:
        with self._lock:
            if not final and self._filter.mean is None and self._n_in < self._filter.mean_n:
                return  # the offset is the first second's mean: wait for it
            blocks, self._incoming, self._n_in = self._incoming, [], 0
        if not blocks:
            return
        audio = np.concatenate(blocks)
        if self._n == 0 and self._n + audio.size < 16 and final:
            out = audio  # as remove_rumble leaves a signal too short to filter
        else:
            out = self._filter.process(audio)
        if self._n + out.size > self._signal.size:
            grown = np.zeros(max(2 * self._signal.size, self._n + out.size), np.float32)
            grown[:self._n] = self._signal[:self._n]
            self._signal = grown
        self._signal[self._n:self._n + out.size] = out
        self._n += out.size

    def _compute_ready(self) -> None:
        """Every full block whose audio has arrived and is not computed yet (the last, partial
        blocks are left for :meth:`finish`, which computes them with the rest)."""
        sr, opts, y = self.sample_rate, self.options, self._signal
        for g0, g1, start, end in pitch_blocks_ready(self._n, sr):
            if (start, end) not in self.pitch_cache and not self._cancelled:
                self.pitch_cache[(start, end)] = pitch_block(y, sr, g0, g1, start, end,
                                                             fmin_hz=opts.fmin_hz, fmax_hz=opts.fmax_hz)
        hop = int(round(LEVEL_HOP_S * sr))
        features = partial(spectral_features, sample_rate=sr)
        for g0, g1, start, end in block_plan(10**12, hop, sr, block_s=SPECTRAL_BLOCK_S, available=self._n):
            if (start, end) not in self.spectral_cache and not self._cancelled:
                self.spectral_cache[(start, end)] = block_frames(y, hop, features, g0, g1, start, end)
