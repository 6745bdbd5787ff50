"""What a customer reads when their language has no text of its own, and the shop's own time zone
in the times they are told."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from kefu.config import Settings
from kefu.desk.texts import render as desk_text
from kefu.dialogue import Turn
from kefu.dialogue.texts import Templates
from kefu.texts.zone import DEFAULT_SHOP_TIMEZONE, use_shop_zone
from kefu.wiring import Kefu
from tests.dialogue.conftest import MODELS, ScriptedNlu

JACKET = "E2026111100001"  # the demo shop: C1001's order, shipped, in transit


def _write(folder: Path, name: str, texts: dict[str, object]) -> None:
    (folder / name).write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def replies(tmp_path: Path) -> Templates:
    """Reply files as a shop writes them: Chinese and English whole, Thai in part."""
    _write(
        tmp_path,
        "templates.zh-CN.json",
        {"update": "这个软件的信息已更新，请查看视频", "greet": "{name}您好"},
    )
    _write(
        tmp_path,
        "templates.en.json",
        {"update": "The app's details were updated.", "greet": "Hello {name}"},
    )
    _write(
        tmp_path,
        "templates.th.json",
        {"fallback_note": "(ขออภัย คำตอบนี้มีเฉพาะภาษาอังกฤษ)", "greet": "สวัสดี {name}"},
    )
    return Templates(tmp_path)


def test_a_taiwan_customer_reads_taiwan_phrasing_when_only_simplified_chinese_is_written(
    replies: Templates,
) -> None:
    # Taiwan's own words (軟體, 資訊, 影片), not only traditional characters
    assert replies.say("zh-TW", "update") == "這個軟體的資訊已更新，請檢視影片"
    assert replies.say("zh-CN", "update") == "这个软件的信息已更新，请查看视频"
    # the desk's messages follow the same rule
    assert desk_text({"queued": {"zh-CN": "请稍等，客服马上来"}}, "queued", "zh-TW") == (
        "請稍等，客服馬上來"
    )


def test_a_thai_customer_reads_english_introduced_by_the_note_when_thai_is_missing(
    replies: Templates,
) -> None:
    assert replies.say("th", "update") == (
        "(ขออภัย คำตอบนี้มีเฉพาะภาษาอังกฤษ) The app's details were updated."
    )
    # what the Thai file has is said in Thai, with no note
    assert replies.say("th", "greet", name="Somchai") == "สวัสดี Somchai"
    # the desk's messages: English before Chinese for a language not written
    assert desk_text({"queued": {"zh-CN": "请稍等", "en": "One moment"}}, "queued", "th") == (
        "One moment"
    )


def test_an_unknown_placeholder_is_left_empty_rather_than_failing_the_reply(
    replies: Templates,
) -> None:
    assert replies.say("en", "greet") == "Hello "
    assert replies.say("zh-CN", "greet", order_id="E1") == "您好"


@pytest.fixture
def berlin_shop(tmp_path: Path) -> Iterator[Kefu]:
    shop = Kefu.start(Settings(data_dir=tmp_path, model_dir=MODELS, shop_timezone="Europe/Berlin"))
    shop.dialogue.nlu = ScriptedNlu()
    try:
        yield shop
    finally:
        shop.close()
        use_shop_zone(DEFAULT_SHOP_TIMEZONE)  # the next test's shop is the default one


def test_a_shop_in_berlin_tells_its_customers_berlin_times(berlin_shop: Kefu) -> None:
    question = "我的羽绒服发货了吗"
    nlu = berlin_shop.dialogue.nlu
    assert isinstance(nlu, ScriptedNlu)
    nlu.says(question, intent="order_status", entities={"order_id": JACKET})

    result = berlin_shop.dialogue.handle(Turn("web", question, customer_id="C1001"))

    text = "\n".join(r.text for r in result.replies)
    shipment = berlin_shop.commerce.get_order("C1001", JACKET).shipment
    assert shipment is not None
    berlin = shipment.shipped_at.astimezone(ZoneInfo("Europe/Berlin")).strftime("%m月%d日 %H:%M")
    beijing = shipment.shipped_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%m月%d日 %H:%M")
    assert berlin in text
    assert beijing not in text
    assert f"{berlin} (" not in text  # the shop's own zone goes without its name


def test_a_misspelt_shop_time_zone_stops_kefu_at_start_with_the_setting_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KEFU_SHOP_TIMEZONE", "Europe/Berlim")
    with pytest.raises(ValidationError) as refused:
        Settings()
    message = str(refused.value)
    assert "KEFU_SHOP_TIMEZONE 'Europe/Berlim' is not an IANA time zone name" in message

    monkeypatch.setenv("KEFU_SHOP_TIMEZONE", "Europe")  # a region, not a zone
    with pytest.raises(ValidationError, match="KEFU_SHOP_TIMEZONE 'Europe'"):
        Settings()
