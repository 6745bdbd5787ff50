"""The NLU's data files under data/nlu/, loaded once and validated."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kefu.resources import data_path


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

    def fix_typos(self, text: str) -> str:
        for wrong, right in self.typos:
            if wrong in text:
                text = text.replace(wrong, right)
        return text


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    raw = load_json("lexicon.json")
    typos = sorted(raw["typos"].items(), key=lambda kv: -len(kv[0]))
    return Lexicon(
        domain_terms=tuple(raw["domain_terms"]),
        synonyms=dict(raw["synonyms"]),
        typos=tuple(typos),
    )
