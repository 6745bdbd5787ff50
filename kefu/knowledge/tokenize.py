"""The fallback tokenizer: OpenCC t2s, NFKC width folding, lowercase, jieba search segmentation.

The NLU pipeline's ``segment`` can replace it; the retriever only needs ``text -> tokens``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import jieba

from kefu.resources import data_path
from kefu.texts.scripts import to_simplified

Tokenizer = Callable[[str], list[str]]

_WORDLIKE = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)
_STOP = frozenset(
    word
    for line in data_path("knowledge", "stopwords.txt").read_text(encoding="utf-8").splitlines()
    if not line.startswith("#")
    for word in line.split()
)
_SUFFIXES = ("ing", "ed", "es", "s")


@lru_cache(maxsize=1)
def _jieba_ready() -> bool:
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return True


def normalize_text(text: str) -> str:
    """Simplified script, half-width characters, lowercase, single spaces."""
    folded = unicodedata.normalize("NFKC", text)
    return " ".join(to_simplified(folded).lower().split())


def _stem(token: str) -> str:
    if token.isascii() and len(token) > 4:
        for suffix in _SUFFIXES:
            if token.endswith(suffix):
                return token[: -len(suffix)]
    return token


def fallback_tokenize(text: str) -> list[str]:
    _jieba_ready()
    out = []
    for token in jieba.lcut_for_search(normalize_text(text)):
        token = token.strip()
        if not token or not _WORDLIKE.search(token) or token in _STOP:
            continue
        out.append(_stem(token.replace("'", "")))
    return out
