"""Which answer text a customer gets: their channel and language, zh-TW converted from zh-CN."""

from __future__ import annotations

from collections.abc import Mapping

from kefu.knowledge.entry import KbEntry
from kefu.texts.scripts import taiwan_to_simplified, to_taiwan

# the retriever shows a zh-TW customer the question in their script with the same converter
__all__ = ["answer_for", "answers_in", "pick_language", "to_taiwan"]


def pick_language(answers: Mapping[str, str], lang: str) -> str | None:
    """The text for ``lang``, converting between Chinese scripts, else any language written."""
    if lang in answers:
        return answers[lang]
    if lang == "zh-TW" and "zh-CN" in answers:
        return to_taiwan(answers["zh-CN"])
    if lang == "zh-CN" and "zh-TW" in answers:
        return taiwan_to_simplified(answers["zh-TW"])
    # nothing in the customer's script: any written answer beats none
    for other in ("en", "zh-CN", "zh-TW"):
        if other in answers:
            return answers[other]
    return None


def answers_in(entry: KbEntry, lang: str, channel: str | None = None) -> bool:
    """True when the answer given for ``lang`` is written in it (or in the other Chinese script)."""
    own = entry.channel_answers.get(channel, {}) if channel else {}
    written = {*own, *entry.answers}
    return lang in written or (lang.startswith("zh") and bool({"zh-CN", "zh-TW"} & written))


def answer_for(entry: KbEntry, lang: str, channel: str | None = None) -> str:
    """The channel's own answer when the entry has one, else the general answer."""
    if channel and channel in entry.channel_answers:
        text = pick_language(entry.channel_answers[channel], lang)
        if text:
            return text
    return pick_language(entry.answers, lang) or ""
