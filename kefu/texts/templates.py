"""Customer-facing text from the JSON files under data/, in the customer's language.

One fallback rule for every file (``fallback_order``): the customer's own language first; then,
for a Chinese variant, zh-CN (a zh-TW customer reads it converted to Taiwan's script and
phrasing when the file has no zh-TW text) and English; for any other language, English and then
zh-CN. A placeholder the caller has no value for shows as nothing: a missing fact must never fail
a customer's message.

Files come in three shapes, all read here:

- one file per language, ``<stem>.<lang>.json`` (``language_files``), as the dialogue's replies;
- one file with a tree per language at the top, ``{"zh-CN": {...}, "en": {...}}``
  (``language_trees``), as the promotion texts;
- one file whose leaves are keyed by language, ``{"welcome": {"zh-CN": "…", "en": "…"}}``
  (``leaf_text``), as the desk's and the channels' messages.

A cross-border language's file need not hold every key: its customers then read the English text,
introduced by that file's ``fallback_note`` so they know why it is in English (``TextBook.say``).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from kefu.resources import data_path
from kefu.texts.scripts import to_taiwan

ZH_CN = "zh-CN"
ZH_TW = "zh-TW"
EN = "en"
FALLBACK_NOTE = "fallback_note"
# lookups remembered per book: languages times keys, a few thousand; the bound only guards
# against a caller inventing keys
_MAX_REMEMBERED = 20_000

T = TypeVar("T")
Key = str | Sequence[str]


def is_chinese(lang: str) -> bool:
    return lang.startswith("zh")


def fallback_order(lang: str) -> tuple[str, ...]:
    """The languages tried for a ``lang`` customer, best first (the one rule)."""
    rest = (ZH_CN, EN) if is_chinese(lang) else (EN, ZH_CN)
    return (lang, *(candidate for candidate in rest if candidate != lang))


def in_script(lang: str, written_in: str, text: str) -> str:
    """``text``, written in ``written_in``, as a ``lang`` customer reads it."""
    return to_taiwan(text) if lang == ZH_TW and written_in == ZH_CN else text


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def fill(template: object, facts: Mapping[str, Any]) -> str:
    """``template`` with ``facts`` filled in (``str.format`` syntax); unknown names left empty."""
    return str(template).format_map(_Blank(facts))


def choose(by_lang: Mapping[str, T], lang: str) -> tuple[str, T]:
    """The first of ``fallback_order(lang)`` that ``by_lang`` has, and its value."""
    for candidate in fallback_order(lang):
        if candidate in by_lang:
            return candidate, by_lang[candidate]
    raise KeyError(f"nothing written in {lang} or its fallbacks")


def _parts(key: Key) -> Sequence[str]:
    return key.split(".") if isinstance(key, str) else key


def _walk(node: Any, key: Key) -> Any:
    for part in _parts(key):
        node = node[part]
    return node


def leaf_text(texts: Mapping[str, Any], key: Key, lang: str, **facts: Any) -> str:
    """The text at ``key`` (dot-separated) of a file whose leaves are keyed by language."""
    try:
        written_in, template = choose(_walk(texts, key), lang)
    except KeyError:
        raise KeyError(f"no text for {key} in {lang}") from None
    return in_script(lang, written_in, fill(template, facts))


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=32)
def load_json(*parts: str) -> Any:
    """A shipped text file under data/ (read once per process)."""
    return _read(data_path(*parts))


def language_files(directory: Path, stem: str) -> dict[str, dict[str, Any]]:
    """``<stem>.<lang>.json`` in ``directory``, by language (in the files' name order)."""
    by_lang: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob(f"{stem}.*.json")):
        by_lang[path.name.removeprefix(f"{stem}.").removesuffix(".json")] = _read(path)
    return by_lang


def language_trees(
    path: Path, languages: Collection[str] | None = None
) -> dict[str, dict[str, Any]]:
    """A file with each language's tree at the top; other top-level keys (a ``_comment``) and
    languages outside ``languages`` are left out."""
    raw: dict[str, Any] = _read(path)
    return {
        lang: tree
        for lang, tree in raw.items()
        if isinstance(tree, dict) and (languages is None or lang in languages)
    }


class TextBook:
    """Texts by language, each a tree of dotted keys; ``render(lang, key, **facts)``."""

    def __init__(self, by_lang: Mapping[str, Mapping[str, Any]]) -> None:
        self._by_lang = dict(by_lang)
        self._found: dict[tuple[str, tuple[str, ...]], tuple[str, Any]] = {}

    @property
    def written(self) -> tuple[str, ...]:
        """Languages the book has texts in."""
        return tuple(self._by_lang)

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages a customer reads the texts in: those written, zh-TW through zh-CN."""
        if ZH_CN not in self._by_lang or ZH_TW in self._by_lang:
            return self.written
        return (ZH_CN, ZH_TW, *(lang for lang in self._by_lang if lang != ZH_CN))

    def find(self, lang: str, key: Key) -> tuple[str, Any]:
        """The language ``key``'s text is written in for a ``lang`` customer, and the text."""
        memo = (lang, tuple(_parts(key)))
        found = self._found.get(memo)
        if found is None:
            found = self._search(lang, memo[1])
            if len(self._found) < _MAX_REMEMBERED:
                self._found[memo] = found
        return found

    def _search(self, lang: str, parts: tuple[str, ...]) -> tuple[str, Any]:
        for candidate in fallback_order(lang):
            tree = self._by_lang.get(candidate)
            if tree is None:
                continue
            try:
                return candidate, _walk(tree, parts)
            except (KeyError, TypeError):
                continue
        raise KeyError(f"no text for {'.'.join(parts)} in {lang} or its fallbacks")

    def raw(self, lang: str, key: Key) -> Any:
        """What the file holds at ``key`` (a template, a list of them, a table)."""
        return self.find(lang, key)[1]

    def has(self, lang: str, key: Key) -> bool:
        """True when a ``lang`` customer reads ``key`` in their own language, not in a stand-in.

        Chinese scripts convert into each other, and a language without texts of its own has no
        fallback note to give, so neither counts as a stand-in.
        """
        if is_chinese(lang) or lang not in self._by_lang:
            return True
        try:
            return self.find(lang, key)[0] == lang
        except KeyError:
            return False

    def template(self, lang: str, key: Key) -> str:
        """The template at ``key`` in the customer's script, not filled in."""
        written_in, node = self.find(lang, key)
        return in_script(lang, written_in, str(_first(node)))

    def render(self, lang: str, key: Key, **facts: Any) -> str:
        """The template at ``key`` filled with ``facts``, in the customer's script (a zh-TW
        customer's facts written in zh-CN are converted with the template)."""
        written_in, node = self.find(lang, key)
        return in_script(lang, written_in, fill(_first(node), facts))

    def say(self, lang: str, key: Key, **facts: Any) -> str:
        """A whole reply: ``render``, introduced by the fallback note when it is a stand-in."""
        text = self.render(lang, key, **facts)
        return text if self.has(lang, key) else self.foreign(lang, text)

    def foreign(self, lang: str, text: str) -> str:
        """Text not written in the customer's cross-border language (an English template, an
        answer the shop wrote in Chinese and English), introduced by their fallback note."""
        if is_chinese(lang):
            return text
        note = self._by_lang.get(lang, {}).get(FALLBACK_NOTE, "")
        return f"{note} {text}" if note else text

    def localize(self, lang: str, text: str) -> str:
        """Text written in zh-CN (a product name, a knowledge answer) in the customer's script."""
        return in_script(lang, ZH_CN, text)


def _first(node: Any) -> Any:
    # a list holds variants of one text; the first is the one rendered
    return node[0] if isinstance(node, list) else node
