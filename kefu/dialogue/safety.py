"""Sensitive-word filter for outgoing text (Aho-Corasick over the lexicons in data/safety/).

Profanity is masked; absolute claims banned by the Advertising Law (最好, 第一, 国家级, ...) are
replaced by a neutral word or masked. Phrases on the allow list (第一件, 第一次) are ordinary
words that merely contain a banned one, and are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from kefu.resources import data_path

_PROFANITY = "profanity"
_ABSOLUTE = "absolute"
_ALLOW = "allow"


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


class SafetyFilter:
    def __init__(self, directory: Path | None = None) -> None:
        directory = directory or data_path("safety")
        self._automaton = ahocorasick.Automaton()
        for kind, name in (
            (_PROFANITY, "profanity.txt"),
            (_ABSOLUTE, "absolute_claims.txt"),
            (_ALLOW, "allow.txt"),
        ):
            for word, replacement in _read_lexicon(directory / name):
                self._automaton.add_word(word, (kind, word, replacement))
        self._automaton.make_automaton()

    def matches(self, text: str) -> list[Match]:
        """Banned words in ``text`` (case-insensitive), minus those inside an allowed phrase."""
        found: list[Match] = []
        allowed: list[tuple[int, int]] = []
        for end, (kind, word, replacement) in self._automaton.iter(text.lower()):
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
