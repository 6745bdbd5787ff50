"""Product mentions: catalogue names and aliases, exact or by pinyin (羽容服 -> 羽绒服)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import ahocorasick

from kefu.domain.catalog import Product
from kefu.nlu.language import is_han
from kefu.nlu.lexicon import load_json
from kefu.nlu.normalize import normalize
from kefu.nlu.pinyin import syllables

_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True, slots=True)
class ProductMention:
    start: int  # span in the normalized text
    end: int
    skus: tuple[str, ...]


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "-'")


class Gazetteer:
    def __init__(self, products: Sequence[Product]) -> None:
        rules = load_json("gazetteer.json")
        self._ambiguous = {k: [re.compile(p) for p in v] for k, v in rules["ambiguous"].items()}
        min_fuzzy = int(rules["min_fuzzy_len"])
        by_key: dict[str, list[str]] = {}
        for p in products:
            for name in (p.name_zh, p.name_en, *p.aliases):
                key = normalize(name).normalized
                for variant in {key, key.replace(" ", "")}:
                    if len(variant) >= 2:
                        skus = by_key.setdefault(variant, [])
                        if p.sku not in skus:
                            skus.append(p.sku)
        self._automaton = ahocorasick.Automaton()
        for key, skus in by_key.items():
            self._automaton.add_word(key, (key, tuple(skus)))
        self._automaton.make_automaton()
        self._fuzzy: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}
        for key, skus in by_key.items():
            if len(key) >= min_fuzzy and all(is_han(ch) for ch in key):
                self._fuzzy.setdefault(tuple(syllables(key)), (key, tuple(skus)))
        self._fuzzy_lengths = sorted({len(k) for k in self._fuzzy}, reverse=True)

    def _ambiguous_here(self, key: str, text: str, start: int, end: int) -> bool:
        patterns = self._ambiguous.get(key)
        if not patterns:
            return False
        lo, hi = max(0, start - 12), min(len(text), end + 12)
        window = text[lo:hi]
        return any(
            m.start() <= start - lo and m.end() >= end - lo
            for pat in patterns
            for m in pat.finditer(window)
        )

    def find(self, text: str) -> list[ProductMention]:
        """Non-overlapping mentions in `text` (normalized), longest first, in text order."""
        found: list[tuple[int, int, str, tuple[str, ...]]] = []
        for end_idx, (key, skus) in self._automaton.iter(text):
            start, end = end_idx - len(key) + 1, end_idx + 1
            if key.isascii() and (
                (start > 0 and _is_word_char(text[start - 1]))
                or (end < len(text) and _is_word_char(text[end]))
            ):
                continue
            if self._ambiguous_here(key, text, start, end):
                continue
            found.append((start, end, key, skus))
        found.extend(self._fuzzy_matches(text, found))
        found.sort(key=lambda m: (-(m[1] - m[0]), m[0]))
        taken: list[ProductMention] = []
        for start, end, _key, skus in found:
            if all(end <= t.start or start >= t.end for t in taken):
                taken.append(ProductMention(start, end, skus))
        return sorted(taken, key=lambda m: m.start)

    def _fuzzy_matches(
        self, text: str, exact: list[tuple[int, int, str, tuple[str, ...]]]
    ) -> list[tuple[int, int, str, tuple[str, ...]]]:
        if not self._fuzzy:
            return []
        covered: set[int] = set()
        for start, end, _, _ in exact:
            covered.update(range(start, end))
        out: list[tuple[int, int, str, tuple[str, ...]]] = []
        for run in _HAN_RUN.finditer(text):
            chars = run.group()
            sounds = syllables(chars)
            for size in self._fuzzy_lengths:
                for i in range(len(chars) - size + 1):
                    start = run.start() + i
                    if start in covered:
                        continue
                    hit = self._fuzzy.get(tuple(sounds[i : i + size]))
                    if hit is None:
                        continue
                    key, skus = hit
                    written = chars[i : i + size]
                    # A homophone typo keeps most characters; a different word (收集/手机) does not.
                    same = sum(1 for a, b in zip(written, key, strict=True) if a == b)
                    if written != key and same * 2 >= size:
                        out.append((start, start + size, key, skus))
        return out
