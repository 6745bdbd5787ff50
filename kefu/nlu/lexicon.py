"""The NLU's data files under data/nlu/, loaded once and validated."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from kefu.resources import data_path

_LATIN = re.compile(r"[a-z]")


def nlu_data_dir() -> Path:
    return data_path("nlu")


def load_json(name: str) -> dict[str, Any]:
    with (nlu_data_dir() / name).open(encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict):
        raise ValueError(f"data/nlu/{name} must hold a JSON object")
    data.pop("_comment", None)
    return data


@dataclass(frozen=True, slots=True)
class Lexicon:
    domain_terms: tuple[str, ...]
    synonyms: dict[str, str]
    # Longest misspelling first so "退宽款" style overlaps resolve to the longer fix.
    typos: tuple[tuple[str, str], ...]
    # Whole English words as customers type them (chat-speak, misspellings) -> the usual spelling.
    en_words: dict[str, str] = field(default_factory=dict)
    # Other marketplaces and services: naming one puts a question outside the shop's service.
    elsewhere: tuple[str, ...] = ()
    _en_pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False)
    _elsewhere_pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.en_words:
            alt = "|".join(re.escape(w) for w in sorted(self.en_words, key=len, reverse=True))
            object.__setattr__(
                self, "_en_pattern", re.compile(rf"(?<![a-z0-9'])(?:{alt})(?![a-z0-9'])")
            )

        if self.elsewhere:
            alt = "|".join(re.escape(w) for w in sorted(self.elsewhere, key=len, reverse=True))
            object.__setattr__(
                self, "_elsewhere_pattern", re.compile(rf"(?<![a-z0-9])(?:{alt})(?![a-z0-9])")
            )

    def names_elsewhere(self, text: str) -> bool:
        """Whether normalized `text` names another marketplace or service."""
        return self._elsewhere_pattern is not None and bool(self._elsewhere_pattern.search(text))

    def fix_typos(self, text: str) -> str:
        for wrong, right in self.typos:
            if wrong in text:
                text = text.replace(wrong, right)
        # Most Chinese messages hold no Latin letters; skip the word pass for them.
        if self._en_pattern is not None and _LATIN.search(text):
            text = self._en_pattern.sub(lambda m: self.en_words[m.group()], text)
        return text


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    raw = load_json("lexicon.json")
    typos = sorted(raw["typos"].items(), key=lambda kv: -len(kv[0]))
    return Lexicon(
        domain_terms=tuple(raw["domain_terms"]),
        synonyms=dict(raw["synonyms"]),
        typos=tuple(typos),
        en_words={k.lower(): v.lower() for k, v in raw.get("en_words", {}).items()},
        elsewhere=tuple(w.lower() for w in raw.get("elsewhere", [])),
    )
