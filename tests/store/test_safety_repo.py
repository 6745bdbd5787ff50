"""The shop's sensitive words in the database reach every worker's outgoing-text filter."""

from __future__ import annotations

from kefu.dialogue.safety import SafetyFilter, Word
from kefu.store.db import Database
from kefu.store.safety_repo import SqlSensitiveWords


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_shop_words_are_stored_changed_and_removed(db: Database) -> None:
    words = SqlSensitiveWords(db)
    assert words.put(Word("闪电达", "custom", "快速送达")) is True
    assert words.put(Word("闪电达", "absolute_claim", None)) is False
    assert words.list() == [Word("闪电达", "absolute_claim", None)]
    assert words.remove("闪电达") is True
    assert words.remove("闪电达") is False
    assert words.list() == []


def test_a_word_added_on_one_worker_is_filtered_on_another_after_the_refresh(
    db: Database,
) -> None:
    clock = _Clock()
    here = SqlSensitiveWords(db)
    there = SqlSensitiveWords(Database(db.engine), refresh_s=0.5, clock=clock)
    bot = SafetyFilter(extra=there.snapshot)
    assert bot.clean("今天闪电达哦") == "今天闪电达哦"

    here.put(Word("闪电达", "custom", None))
    clock.now += 0.2
    assert bot.clean("今天闪电达哦") == "今天闪电达哦"  # still within the other worker's refresh
    clock.now += 0.4
    assert bot.clean("今天闪电达哦") == "今天***哦"

    here.put(Word("闪电达", "custom", "很快"))
    here.put(Word("坑货", "profanity", None))
    clock.now += 0.6
    assert bot.clean("今天闪电达哦") == "今天很快哦"
    assert bot.is_abusive("你们就是坑货")  # a shop profanity marks the customer's message too

    here.remove("闪电达")
    clock.now += 0.6
    assert bot.clean("今天闪电达哦") == "今天闪电达哦"


def test_a_shop_word_cannot_unban_or_redefine_a_shipped_one(db: Database) -> None:
    words = SqlSensitiveWords(db)
    words.put(Word("最好", "custom", "最好"))  # the API refuses this; the filter ignores it too
    bot = SafetyFilter(extra=words.snapshot)
    assert bot.clean("这是最好的") == "这是很好的"
    assert bot.clean("第一次买") == "第一次买"  # the shipped allow list still holds
