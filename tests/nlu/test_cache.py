"""The parse cache: the same words understood once; one customer never changes another's result."""

from __future__ import annotations

from datetime import UTC, datetime

from kefu.nlu.cache import CachedNlu
from kefu.nlu.pipeline import Understanding

NOON = datetime(2026, 11, 11, 4, 0, tzinfo=UTC)


class CountingParser:
    def __init__(self) -> None:
        self.calls = 0

    def parse(self, text: str, now: datetime | None = None) -> Understanding:
        self.calls += 1
        day = (now or NOON).strftime("%Y-%m-%d")
        return Understanding(
            text, text, "zh-CN", "logistics", 0.9, (("logistics", 0.9),),
            {"date": day}, (), "neutral", 0.0, (text,),
        )  # fmt: skip


def test_the_same_short_message_is_parsed_once() -> None:
    inner = CountingParser()
    nlu = CachedNlu(inner)
    first = nlu.parse("快递到哪了", NOON)
    again = nlu.parse("快递到哪了", NOON)
    assert inner.calls == 1 and again.intent == first.intent == "logistics"


def test_a_new_day_is_parsed_again_for_relative_dates() -> None:
    inner = CountingParser()
    nlu = CachedNlu(inner)
    nlu.parse("明天能到吗", NOON)
    tomorrow = nlu.parse("明天能到吗", NOON.replace(day=12))
    assert inner.calls == 2 and tomorrow.entities["date"] == "2026-11-12"


def test_changing_a_result_never_changes_what_the_next_customer_gets() -> None:
    nlu = CachedNlu(CountingParser())
    mine = nlu.parse("发货了吗", NOON)
    mine.entities["order_id"] = "E2026111100001"
    theirs = nlu.parse("发货了吗", NOON)
    assert "order_id" not in theirs.entities


def test_long_messages_and_a_full_cache_stay_bounded() -> None:
    inner = CountingParser()
    nlu = CachedNlu(inner, size=2)
    story = "我上周买的羽绒服，" * 10
    nlu.parse(story, NOON)
    nlu.parse(story, NOON)
    assert inner.calls == 2  # long texts are not kept
    for text in ("在吗", "谢谢", "亲"):
        nlu.parse(text, NOON)
    assert len(nlu._entries) == 2
