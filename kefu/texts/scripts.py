"""Chinese script conversion with OpenCC: one converter per direction in the process.

A converter loads its dictionaries when built (tens of milliseconds), so each is built once; the
same short texts (templates, product names, knowledge answers) come back all day, so conversions
are cached too. Customer messages vary, which is why the caches are bounded.
"""

from __future__ import annotations

from functools import cache, lru_cache

import opencc


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


@lru_cache(maxsize=8192)
def to_taiwan(text: str) -> str:
    """Simplified Chinese in Taiwan's characters and phrasing (软件 -> 軟體), not just a
    character map: how a zh-TW customer reads text written in zh-CN."""
    return str(_converter("s2twp").convert(text))


@lru_cache(maxsize=4096)
def to_traditional(text: str) -> str:
    """Character by character, no regional phrasing: to tell which script a text is in."""
    return str(_converter("s2t").convert(text))


@lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    """Traditional characters to simplified, character by character (what NLU and search
    compare)."""
    return str(_converter("t2s").convert(text))


@lru_cache(maxsize=4096)
def taiwan_to_simplified(text: str) -> str:
    """Taiwan's phrasing back to mainland phrasing (軟體 -> 软件): a zh-CN customer reading an
    answer the shop wrote only in zh-TW."""
    return str(_converter("tw2sp").convert(text))


def script_neutral(text: str) -> bool:
    """True when the text reads the same in simplified and traditional characters."""
    return to_traditional(text) == text


def has_traditional(text: str) -> bool:
    """True when some character is written in its traditional form."""
    return to_simplified(text) != text
