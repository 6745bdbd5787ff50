"""Reply templates per language (data/dialogue/templates.<lang>.json), read and chosen by the one
text loader of kefu.texts: zh-CN and en from their files, zh-TW converted with OpenCC, and the
cross-border languages from their own files, which need not hold every key (a reply a file lacks
is the English one, introduced by that file's ``fallback_note``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kefu.dialogue.locale import format_time
from kefu.resources import data_path
from kefu.texts.scripts import has_traditional, script_neutral, to_taiwan
from kefu.texts.templates import EN, ZH_CN, TextBook, language_files

# the engine, the notices and the language checks import the script tests from here
__all__ = ["Templates", "has_traditional", "script_neutral", "to_taiwan"]

_REQUIRED = (ZH_CN, EN)


class Templates(TextBook):
    """``render(lang, key, **facts)`` with ``str.format_map``; keys are dotted paths."""

    def __init__(self, directory: Path | None = None) -> None:
        directory = directory or data_path("dialogue")
        super().__init__(language_files(directory, "templates"))
        missing = [lang for lang in _REQUIRED if lang not in self.written]
        if missing:
            raise FileNotFoundError(f"templates for {missing} missing in {directory}")

    def time(self, lang: str, at: datetime | None, timezone: str | None = None) -> str:
        """`at` in the customer's zone (the shop's unless their profile names one)."""
        if at is None:
            return ""
        return format_time(at, lang, timezone)
