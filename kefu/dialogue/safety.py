"""Sensitive-word filter for outgoing text (Aho-Corasick over the lexicons in data/safety/).

Profanity is masked; absolute claims banned by the Advertising Law (最好, 第一, 国家级, ...) are
replaced by a neutral word or masked. Phrases on the allow list (第一件, 第一次) are ordinary
words that merely contain a banned one, and are left alone.

A shop adds its own words on top of the shipped lexicons through an ``extra`` provider: a callable
returning ``(revision, words)``; the filter recompiles only when the revision changes, so the
provider decides how fresh the shop's words are (the store checks its table every fraction of a
second) and the filter stays free of any storage.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from kefu.resources import data_path

_PROFANITY = "profanity"
_ABSOLUTE = "absolute"
_CUSTOM = "custom"
_ALLOW = "allow"

# categories as the shop names them (sensitive_words.category) -> the filter's kinds
CATEGORY_KINDS = {"profanity": _PROFANITY, "absolute_claim": _ABSOLUTE, "custom": _CUSTOM}
_FILES = ((_PROFANITY, "profanity.txt"), (_ABSOLUTE, "absolute_claims.txt"), (_ALLOW, "allow.txt"))


@dataclass(frozen=True, slots=True)
class Word:
    """A word of a lexicon: ``category`` is a key of CATEGORY_KINDS, or "allow"."""

    word: str
    category: str
    replacement: str | None = None


ExtraWords = Callable[[], tuple[str, Sequence[Word]]]


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int  # exclusive
    word: str
    kind: str
    replacement: str | None


def _read_lexicon(path: Path) -> list[tuple[str, str | None]]:
    words: list[tuple[str, str | None]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, replacement = line.partition("\t")
        words.append((word.strip().lower(), replacement.strip() or None))
    return words


def shipped_words(directory: Path | None = None) -> list[Word]:
    """The lexicons shipped in data/safety/ (allowed phrases included, as category "allow")."""
    directory = directory or data_path("safety")
    category_of = {kind: category for category, kind in CATEGORY_KINDS.items()}
    category_of[_ALLOW] = _ALLOW
    return [
        Word(word, category_of[kind], replacement)
        for kind, name in _FILES
        for word, replacement in _read_lexicon(directory / name)
    ]


def _compile(words: Sequence[Word]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for w in words:
        kind = _ALLOW if w.category == _ALLOW else CATEGORY_KINDS.get(w.category, _CUSTOM)
        word = w.word.strip().lower()
        if word:
            automaton.add_word(word, (kind, word, w.replacement))
    automaton.make_automaton()
    return automaton


class SafetyFilter:
    def __init__(self, directory: Path | None = None, extra: ExtraWords | None = None) -> None:
        self._shipped = shipped_words(directory)
        self._shipped_keys = {w.word for w in self._shipped}
        self._base = _compile(self._shipped)
        self._extra = extra
        self._compiled: tuple[str, ahocorasick.Automaton] | None = None

    def _automaton(self) -> ahocorasick.Automaton:
        if self._extra is None:
            return self._base
        revision, words = self._extra()
        compiled = self._compiled
        if compiled is None or compiled[0] != revision:
            # a shipped word keeps its shipped meaning: the shop cannot redefine or unban it
            added = [w for w in words if w.word.strip().lower() not in self._shipped_keys]
            compiled = (revision, _compile([*self._shipped, *added]) if added else self._base)
            self._compiled = compiled  # one reference swap: safe for concurrent readers
        return compiled[1]

    def matches(self, text: str) -> list[Match]:
        """Banned words in ``text`` (case-insensitive), minus those inside an allowed phrase."""
        found: list[Match] = []
        allowed: list[tuple[int, int]] = []
        for end, (kind, word, replacement) in self._automaton().iter(text.lower()):
            start = end - len(word) + 1
            if kind == _ALLOW:
                allowed.append((start, end + 1))
            else:
                found.append(Match(start, end + 1, word, kind, replacement))
        return [m for m in found if not any(a <= m.start and m.end <= b for a, b in allowed)]

    def is_abusive(self, text: str) -> bool:
        return any(m.kind == _PROFANITY for m in self.matches(text))

    def clean(self, text: str) -> str:
        """The text with banned words replaced (longest match wins where they overlap)."""
        matches = sorted(self.matches(text), key=lambda m: (m.start, -(m.end - m.start)))
        out: list[str] = []
        pos = 0
        for m in matches:
            if m.start < pos:
                continue
            out.append(text[pos : m.start])
            out.append(m.replacement if m.replacement is not None else "*" * (m.end - m.start))
            pos = m.end
        out.append(text[pos:])
        return "".join(out)
