"""A small BM25 (Okapi) index over tokenized documents, scored with numpy."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np


class Bm25Index:
    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.n_docs = len(docs)
        lengths = np.array([len(d) for d in docs], dtype=np.float32)
        avg = float(lengths.mean()) if self.n_docs and lengths.mean() > 0 else 1.0
        norm: np.ndarray = k1 * (1.0 - b + b * lengths / avg)
        postings: dict[str, list[tuple[int, int]]] = {}
        for i, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                postings.setdefault(term, []).append((i, tf))
        self._postings: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}
        for term, plist in postings.items():
            idx = np.array([p[0] for p in plist], dtype=np.int64)
            tfs = np.array([p[1] for p in plist], dtype=np.float32)
            idf = self._idf(len(plist))
            # the per-document contribution is fixed at build time: query time is a gather-add
            self._postings[term] = (idx, idf * tfs * (k1 + 1) / (tfs + norm[idx]), idf)
        # an unseen query word weighs like the rarest word: its absence lowers confidence
        self._unseen_idf = self._idf(1)

    def _idf(self, df: int) -> float:
        return math.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))

    def scores(self, query: Sequence[str]) -> tuple[np.ndarray, float]:
        """Scores per document and the best score a document could reach for this query."""
        out = np.zeros(self.n_docs, dtype=np.float32)
        ceiling = 0.0
        for term in set(query):
            hit = self._postings.get(term)
            if hit is None:
                ceiling += self._unseen_idf * (self.k1 + 1)
                continue
            idx, contrib, idf = hit
            out[idx] += contrib
            ceiling += idf * (self.k1 + 1)
        return out, ceiling
