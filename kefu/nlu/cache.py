"""Understanding the same words once: at a peak thousands of customers send the very same short
messages (在吗, 发货了吗, 快递到哪了), and the model's answer depends on the text alone.

Relative dates (明天) resolve against the shop's calendar, so the key is the text and the hour
(any time zone's day changes on an hour). The key holds nothing about who sent the text, so one
customer's cached result cannot carry another's data. Entries are read-only (the understanding is
frozen and its entities are copied out), and the cache is bounded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol

from kefu.nlu.pipeline import Understanding

MAX_TEXT_CHARS = 64  # long messages rarely repeat word for word: not worth the memory


class Parser(Protocol):
    def parse(self, text: str, now: datetime | None = None) -> Understanding: ...


class CachedNlu:
    """An LRU of parse results in front of the NLU pipeline (same interface)."""

    def __init__(self, nlu: Parser, size: int = 20_000) -> None:
        self.nlu = nlu
        self.size = size
        self._entries: OrderedDict[tuple[str, str], Understanding] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def parse(self, text: str, now: datetime | None = None) -> Understanding:
        if len(text) > MAX_TEXT_CHARS:
            return self.nlu.parse(text, now)
        key = (text, (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H"))
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return replace(found, entities=dict(found.entities))
        u = self.nlu.parse(text, now)
        with self._lock:
            self.misses += 1
            self._entries[key] = replace(u, entities=dict(u.entities))
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return u

    def __getattr__(self, name: str) -> object:
        # everything else (products, the model, evaluation helpers) is the pipeline's own
        return getattr(self.nlu, name)
