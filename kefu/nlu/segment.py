"""Word segmentation: jieba with the shop's domain dictionary and colloquial synonyms."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

import jieba

from kefu.nlu.lexicon import Lexicon

_PUNCT_OR_SPACE = re.compile(r"^[\s\W_]+$")
_LATIN_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")
# Letters jieba splits one by one (accented Latin, Cyrillic, Arabic, Hangul, kana, Thai): messages
# holding them are cut into words at spaces and punctuation instead.
_FOREIGN = re.compile(
    r"[\u00c0-\u024f\u1e00-\u1eff\u0400-\u04ff\u0600-\u06ff\uac00-\ud7a3\u3040-\u30ff\u0e00-\u0e7f]"
)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")

jieba.setLogLevel(logging.WARNING)


class Segmenter:
    """A private jieba.Tokenizer, so the shop's words never leak into the global one."""

    def __init__(
        self, lexicon: Lexicon, extra_words: Iterable[str], cache_dir: Path | None
    ) -> None:
        self._lexicon = lexicon
        self._tokenizer = jieba.Tokenizer()
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            # jieba's prefix dictionary costs ~1 s to build; its pickle loads in a fraction of that.
            self._tokenizer.tmp_dir = str(cache_dir)
            self._tokenizer.cache_file = "jieba.prefix.cache"
        self._tokenizer.initialize()
        for word in (*lexicon.domain_terms, *extra_words):
            w = word.strip().lower()
            if w and " " not in w:
                self._tokenizer.add_word(w, freq=200000)

    def tokens(self, canonical: str) -> list[str]:
        """Tokens of already-normalized, typo-fixed text; synonyms mapped to canonical words."""
        out: list[str] = []
        synonyms = self._lexicon.synonyms
        if _FOREIGN.search(canonical):
            return [synonyms.get(w, w) for w in _WORD.findall(canonical)]
        for tok in self._tokenizer.cut(canonical, HMM=True):
            if not tok or _PUNCT_OR_SPACE.match(tok):
                continue
            out.append(synonyms.get(tok, tok))
        return out
