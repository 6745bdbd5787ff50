"""The shop's own sensitive words (table ``sensitive_words``), fed to the outgoing-text filter.

The table is the source of truth for every worker. A worker re-reads it at most every
``REFRESH_S`` seconds (the table is small: a shop's words, not a dictionary), so a word added or
removed on one worker is filtered on all of them within that time, with or without Redis; the
worker that made the change sees it at once.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from kefu.dialogue.safety import Word
from kefu.store.db import Database
from kefu.store.tables.channels import SensitiveWordRow

log = logging.getLogger("kefu.store.safety")

# How long a worker trusts its last read of the table: bounds staleness across workers.
REFRESH_S = 0.5


def _revision(words: Sequence[Word]) -> str:
    h = hashlib.sha256()
    for w in words:
        h.update(f"{w.word}\t{w.category}\t{w.replacement or ''}\n".encode())
    return h.hexdigest()[:16]


class SqlSensitiveWords:
    """CRUD over the shop's words, and ``snapshot`` for ``SafetyFilter(extra=...)``."""

    def __init__(
        self,
        db: Database,
        refresh_s: float = REFRESH_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.refresh_s = refresh_s
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, str, tuple[Word, ...]] | None = None

    def list(self) -> list[Word]:
        with self.db.session() as s:
            rows = s.scalars(select(SensitiveWordRow).order_by(SensitiveWordRow.word))
            return [Word(r.word, r.category, r.replacement) for r in rows]

    def get(self, word: str) -> Word | None:
        with self.db.session() as s:
            row = s.get(SensitiveWordRow, word)
            return Word(row.word, row.category, row.replacement) if row else None

    def put(self, word: Word) -> bool:
        """Add the word or change its category/replacement; True when it is new."""
        with self.db.session() as s:
            row = s.get(SensitiveWordRow, word.word, with_for_update=True)
            created = row is None
            if row is None:
                s.add(
                    SensitiveWordRow(
                        word=word.word, category=word.category, replacement=word.replacement
                    )
                )
            else:
                row.category = word.category
                row.replacement = word.replacement
        self._cached = None
        return created

    def remove(self, word: str) -> bool:
        with self.db.session() as s:
            result = s.execute(delete(SensitiveWordRow).where(SensitiveWordRow.word == word))
            removed = int(getattr(result, "rowcount", 0) or 0) == 1
        self._cached = None
        return removed

    def snapshot(self) -> tuple[str, tuple[Word, ...]]:
        """``(revision, words)``, re-read from the table at most every ``refresh_s`` seconds.

        When the database cannot be read the last words stay in force (and an empty list before
        any read): replies keep flowing, filtered by the shipped lexicons at least.
        """
        cached = self._cached
        now = self._clock()
        if cached is not None and now - cached[0] < self.refresh_s:
            return cached[1], cached[2]
        with self._lock:
            cached = self._cached
            if cached is not None and now - cached[0] < self.refresh_s:
                return cached[1], cached[2]
            try:
                words = tuple(self.list())
            except SQLAlchemyError:
                log.exception("sensitive words unreadable; keeping the last ones")
                words = cached[2] if cached is not None else ()
            fresh = (now, _revision(words), words)
            self._cached = fresh
            return fresh[1], fresh[2]
