"""Notice texts from data/notify/notices.{zh-CN,en}.json, by kefu.texts' one language rule (a
Chinese customer reads zh-CN, converted for zh-TW; anyone else English)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from kefu.resources import data_path
from kefu.texts.templates import TextBook, language_files


@lru_cache(maxsize=1)
def _book() -> TextBook:
    return TextBook(language_files(data_path("notify"), "notices"))


def render_notice(lang: str, key: str, **facts: Any) -> str:
    return _book().render(lang, key, **facts)
