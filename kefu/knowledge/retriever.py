"""Hybrid retrieval: BM25 over segmented tokens fused with dense cosine similarity.

Each entry is indexed as several short documents (its question and every variant); an entry
scores as its best document, lexically and densely. Both scores are scaled to [0, 1] and fused
by a weighted sum, which keeps an absolute meaning that the answer/suggest thresholds rely on.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import numpy as np

from kefu.knowledge.answer_choice import answer_for, answers_in, to_taiwan
from kefu.knowledge.bm25 import Bm25Index
from kefu.knowledge.embedder import EmbeddingCache
from kefu.knowledge.entry import KbEntry
from kefu.knowledge.tokenize import Tokenizer


class Decision(StrEnum):
    ANSWER = "answer"  # confident: reply with the top entry's answer
    SUGGEST = "suggest"  # plausible: ask "你是不是想问..." with the top hits
    FALLBACK = "fallback"  # nothing close: hand on (and log the question as uncovered)


@dataclass(frozen=True)
class Thresholds:
    # calibrated on data/knowledge/paraphrases_eval.json with the default USE embedder
    answer: float = 0.34
    suggest: float = 0.22
    # a top hit this close to the runner-up is ambiguous: suggest both instead of guessing
    margin: float = 0.02


# who saved the entries that ship with kefu (the demo seed), as opposed to the shop's people
SHIPPED_BY = frozenset({"seed", "system"})


@dataclass(frozen=True)
class Hit:
    entry_id: str
    question: str
    answer: str
    score: float
    lexical: float
    dense: float
    tags: tuple[str, ...] = ()
    updated_by: str = "system"  # who saved the entry last ("seed" for the shipped demo)
    # False when the entry has no answer in the language asked and another one stands in
    in_lang: bool = True

    @property
    def curated(self) -> bool:
        """Saved by the shop's people (an approved proposal, an edit, an import)."""
        return self.updated_by not in SHIPPED_BY

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id,
            "question": self.question,
            "answer": self.answer,
            "score": round(self.score, 4),
            "lexical": round(self.lexical, 4),
            "dense": round(self.dense, 4),
            "tags": list(self.tags),
        }


@dataclass(frozen=True)
class RetrievalResult:
    text: str
    lang: str
    channel: str | None
    decision: Decision
    hits: tuple[Hit, ...]

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "lang": self.lang,
            "channel": self.channel,
            "decision": self.decision.value,
            "hits": [h.to_dict() for h in self.hits],
        }


@dataclass(frozen=True)
class Scored:
    entry: KbEntry
    score: float
    lexical: float
    dense: float


def question_for(entry: KbEntry, lang: str) -> str:
    """The question shown in a suggestion; English uses the entry's first English variant."""
    if lang == "en":
        for text in entry.texts():
            if sum(c.isascii() for c in text) >= 0.8 * len(text):
                return text
    if lang == "zh-TW":
        return to_taiwan(entry.question)
    return entry.question


def decide(scores: Sequence[float], thresholds: Thresholds) -> Decision:
    if not scores or scores[0] < thresholds.suggest:
        return Decision.FALLBACK
    runner_up = scores[1] if len(scores) > 1 else 0.0
    if scores[0] >= thresholds.answer and scores[0] - runner_up >= thresholds.margin:
        return Decision.ANSWER
    return Decision.SUGGEST


# what one index may keep of the scores of questions it has ranked
SCORES_CACHE_BYTES = 32 * 1024 * 1024


class QueryVectors:
    """A small LRU of query embeddings: in a campaign the same questions come again and again."""

    def __init__(self, cache: EmbeddingCache, size: int = 4096) -> None:
        self._cache = cache
        self._size = size
        self._lru: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, text: str) -> np.ndarray | None:
        """The vector if it was computed before; never runs the encoder."""
        with self._lock:
            return self._lru.get(text)

    def get(self, text: str) -> np.ndarray:
        with self._lock:
            vec = self._lru.get(text)
            if vec is not None:
                self._lru.move_to_end(text)
                return vec
        made: np.ndarray = self._cache.embedder.embed([text])[0]
        with self._lock:
            self._lru[text] = made
            if len(self._lru) > self._size:
                self._lru.popitem(last=False)
        return made


class HybridIndex:
    """An immutable index of one knowledge-base revision; rebuilt whole when the revision moves."""

    def __init__(
        self,
        entries: Sequence[KbEntry],
        *,
        tokenize: Tokenizer,
        prepare: Callable[[str], str],
        cache: EmbeddingCache,
        queries: QueryVectors,
        dense_weight: float = 0.6,
    ) -> None:
        self.entries = [e for e in entries if not e.deleted]
        # entries people saved (approved proposals, admin edits, imports), not the shipped seed
        self.has_curated = any(e.updated_by not in SHIPPED_BY for e in self.entries)
        self._tokenize = tokenize
        self._prepare = prepare
        self._queries = queries
        self._floor = cache.embedder.similarity_floor
        self.dense_weight = dense_weight
        texts: list[str] = []
        starts: list[int] = []
        for entry in self.entries:
            starts.append(len(texts))
            texts.extend(entry.texts())
        self._starts = np.array(starts, dtype=np.int64)
        self._bm25 = Bm25Index([tokenize(t) for t in texts])
        self._vectors = cache.vectors([prepare(t) for t in texts]) if texts else None
        self._has_window = np.array(
            [e.valid_from is not None or e.valid_to is not None for e in self.entries]
        )
        # The scores of a question, before the validity windows (which depend on the time):
        # at a peak the same questions come thousands of times, and this index never changes
        # (a new revision is a new index, with an empty cache). Bounded by memory, not count.
        per_question = 3 * 8 * max(1, len(self.entries))
        self._scored_size = max(1, min(4096, SCORES_CACHE_BYTES // per_question))
        self._scored: OrderedDict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = OrderedDict()
        self._scored_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.entries)

    def _per_entry(self, per_doc: np.ndarray) -> np.ndarray:
        return np.maximum.reduceat(per_doc, self._starts)

    def rank(self, text: str, now: datetime, k: int = 3, dense_new: bool = True) -> list[Scored]:
        """Top ``k`` entries valid at ``now``, best first. Under overload (``dense_new`` false) a
        question never embedded before is ranked on its words alone: the encoder is the costly
        part, and a repeated question still gets its cached vector."""
        if not self.entries or self._vectors is None:
            return []
        with self._scored_lock:
            scored = self._scored.get(text)
            if scored is not None:
                self._scored.move_to_end(text)
        if scored is None:
            raw, ceiling = self._bm25.scores(self._tokenize(text))
            lexical = self._per_entry(raw / ceiling if ceiling > 0 else raw)
            prepared = self._prepare(text)
            query = self._queries.get(prepared) if dense_new else self._queries.cached(prepared)
            if query is None:  # ranked on words alone under overload: not kept
                return self._ranked(lexical, np.zeros_like(lexical), lexical, now, k)
            cos = self._vectors @ query
            dense = np.clip((self._per_entry(cos) - self._floor) / (1.0 - self._floor), 0.0, 1.0)
            fused = self.dense_weight * dense + (1.0 - self.dense_weight) * lexical
            scored = (fused, lexical, dense)
            with self._scored_lock:
                self._scored[text] = scored
                if len(self._scored) > self._scored_size:
                    self._scored.popitem(last=False)
        fused, lexical, dense = scored
        return self._ranked(fused, lexical, dense, now, k)

    def _ranked(
        self, fused: np.ndarray, lexical: np.ndarray, dense: np.ndarray, now: datetime, k: int
    ) -> list[Scored]:
        fused = fused.copy()
        if self._has_window.any():
            for i in np.flatnonzero(self._has_window):
                if not self.entries[i].is_valid_at(now):
                    fused[i] = -1.0
        order = np.argsort(-fused, kind="stable")[:k]
        return [
            Scored(self.entries[i], float(fused[i]), float(lexical[i]), float(dense[i]))
            for i in order
            if fused[i] >= 0.0
        ]

    def result(
        self,
        text: str,
        lang: str,
        channel: str | None,
        now: datetime,
        k: int,
        thresholds: Thresholds,
        dense_new: bool = True,
    ) -> RetrievalResult:
        ranked = self.rank(text, now, k=max(k, 2), dense_new=dense_new)
        decision = decide([s.score for s in ranked], thresholds)
        hits = tuple(
            Hit(
                entry_id=s.entry.id,
                question=question_for(s.entry, lang),
                answer=answer_for(s.entry, lang, channel),
                score=s.score,
                lexical=s.lexical,
                dense=s.dense,
                tags=s.entry.tags,
                updated_by=s.entry.updated_by,
                in_lang=answers_in(s.entry, lang, channel),
            )
            for s in ranked[:k]
        )
        return RetrievalResult(text=text, lang=lang, channel=channel, decision=decision, hits=hits)
