"""The engine over the real database with scripted understanding: state, handoff rules, privacy."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kefu.dialogue import Dialogue, Turn
from kefu.dialogue.errors import ConversationNotFound, InvalidMessage, MessageTooLong
from kefu.domain.handoff import HandoffReason
from kefu.store.conversation_repo import SqlConversations
from kefu.wiring import Kefu
from tests.dialogue.conftest import RecordingDesk, ScriptedNlu


def say(kefu: Kefu, text: str, customer: str = "C1001", **kw: object) -> object:
    dialogue: Dialogue = kefu.dialogue
    return dialogue.handle(Turn("web", text, customer_id=customer, **kw))


def test_asking_for_a_person_hands_off_with_vip_and_orders(
    faked: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    scripted_nlu.says("找人工", intent="human_agent")
    result = say(faked, "找人工", customer="C1003")
    assert result.handoff and result.status == "waiting_agent"  # type: ignore[attr-defined]
    request = desk.handoffs[0]
    assert request.reason is HandoffReason.ASKED_FOR_HUMAN
    assert request.vip == "platinum"
    assert set(request.order_ids) == {"E2026110100004", "E2026102800005"}
    assert request.summary
    assert "5" in result.replies[-1].text  # type: ignore[attr-defined]  # expected minutes


def test_complaint_hands_off_with_an_apology(
    faked: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    scripted_nlu.says("我要投诉", intent="complaint", sentiment="negative")
    result = say(faked, "我要投诉")
    assert result.handoff  # type: ignore[attr-defined]
    assert desk.handoffs[0].reason is HandoffReason.COMPLAINT
    assert "抱歉" in result.replies[0].text  # type: ignore[attr-defined]


def test_anger_hands_off_even_on_a_routine_question(
    faked: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    scripted_nlu.says("快递呢！！", intent="logistics", sentiment="negative", anger=0.9)
    assert say(faked, "快递呢！！").handoff  # type: ignore[attr-defined]
    assert desk.handoffs[0].reason is HandoffReason.ANGER


def test_three_unresolved_turns_hand_off(
    faked: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    results = [say(faked, t) for t in ("天气", "笑话", "颜色")]
    assert [r.handoff for r in results] == [False, False, True]  # type: ignore[attr-defined]
    assert desk.handoffs[0].reason is HandoffReason.UNRESOLVED


def test_dispute_on_an_order_of_1000_yuan_hands_off(
    faked: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    scripted_nlu.says(
        "手机坏了不给退", intent="return_refund", sentiment="negative", product_skus=("P2001",)
    )
    result = say(faked, "手机坏了不给退", customer="C1003")
    assert result.handoff  # type: ignore[attr-defined]
    assert desk.handoffs[0].reason is HandoffReason.HIGH_VALUE_DISPUTE
    assert desk.handoffs[0].order_value is not None and desk.handoffs[0].order_value >= 1000


def test_the_same_dispute_on_a_small_order_stays_with_the_bot(
    faked: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says(
        "面霜不给退", intent="return_refund", sentiment="negative", product_skus=("P5001",)
    )
    assert not say(faked, "面霜不给退", customer="C1002").handoff  # type: ignore[attr-defined]


def test_repeated_low_confidence_hands_off(
    faked: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    scripted_nlu.says("嗯嗯啊", intent="other", confidence=0.1)
    scripted_nlu.says("哦哦哦", intent="other", confidence=0.1)
    first, second = say(faked, "嗯嗯啊"), say(faked, "哦哦哦")
    assert not first.handoff and second.handoff  # type: ignore[attr-defined]
    assert desk.handoffs[0].reason is HandoffReason.LOW_CONFIDENCE


def test_waiting_conversation_gets_one_notice_and_no_bot_answers_when_the_shop_says_so(
    faked: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    scripted_nlu.says("人工", intent="human_agent")
    scripted_nlu.says("快递到哪了", intent="logistics")
    say(faked, "人工")
    desk.wait = replace(desk.wait, bot_may_answer=False)
    second, third = say(faked, "快递到哪了"), say(faked, "快递到哪了")
    assert [r.kind.value for r in second.replies] == ["notice"]  # type: ignore[attr-defined]
    assert third.replies == [] and third.status == "waiting_agent"  # type: ignore[attr-defined]
    history = SqlConversations(faked.db).messages(third.conversation_id)  # type: ignore[attr-defined]
    assert [m.text for m in history if m.sender.value == "customer"].count("快递到哪了") == 2


def test_state_survives_a_restart_on_another_worker(faked: Kefu, scripted_nlu: ScriptedNlu) -> None:
    scripted_nlu.says("我想退货", intent="return_refund")
    scripted_nlu.says("羽绒服", intent="product_info", confidence=0.4, product_skus=("P1001",))
    first = say(faked, "我想退货")
    assert first.replies[0].kind.value == "clarify"  # type: ignore[attr-defined]
    # a second engine over the same database, as on another worker after a restart
    d = faked.dialogue
    other = Dialogue(
        SqlConversations(faked.db),
        faked.commerce,
        nlu=d.nlu,
        knowledge=d.knowledge,
        promotions=d.promotions,
        desk=d.desk,
    )
    second = other.handle(Turn("app", "羽绒服", customer_id="C1001"))
    assert second.conversation_id == first.conversation_id  # type: ignore[attr-defined]
    assert second.intent == "return_refund"
    assert "签收" in second.replies[0].text


def test_another_customers_order_reads_exactly_like_an_unknown_one(
    faked: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says(
        "E2026111100001在哪", intent="logistics", entities={"order_id": "E2026111100001"}
    )
    scripted_nlu.says(
        "E2026199999999在哪", intent="logistics", entities={"order_id": "E2026199999999"}
    )
    foreign = say(faked, "E2026111100001在哪", customer="C1002")
    unknown = say(faked, "E2026199999999在哪", customer="C1006")
    assert [r.text for r in foreign.replies] == [r.text for r in unknown.replies]  # type: ignore[attr-defined]
    assert "浦东" not in foreign.replies[0].text  # type: ignore[attr-defined]


def test_stalled_parcel_opens_a_logistics_ticket(
    faked: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    scripted_nlu.says("推车到哪了", intent="logistics", product_skus=("P3001",))
    result = say(faked, "推车到哪了", customer="C1003")
    assert desk.tickets and desk.tickets[0].kind.value == "logistics"
    assert "T0001" in result.replies[0].text  # type: ignore[attr-defined]


def test_cancel_needs_a_yes_before_anything_changes(faked: Kefu, scripted_nlu: ScriptedNlu) -> None:
    scripted_nlu.says("取消空气炸锅", intent="cancel_order", lang="zh-CN")
    say(faked, "取消空气炸锅", customer="C1004")
    assert faked.commerce.get_order("C1004", "E2026111000006").status.value == "paid"
    say(faked, "好的", customer="C1004")
    assert faked.commerce.get_order("C1004", "E2026111000006").status.value == "cancelled"


def test_bad_turns_change_nothing(faked: Kefu) -> None:
    dialogue: Dialogue = faked.dialogue
    for turn, error in [
        (Turn("web", "", customer_id="C1001"), InvalidMessage),
        (Turn("web", 42, customer_id="C1001"), InvalidMessage),
        (Turn("web", "x" * 2001, customer_id="C1001"), MessageTooLong),
        (Turn("web", "hi", customer_id="C1001", conversation_id="../etc"), ConversationNotFound),
    ]:
        with pytest.raises(error):
            dialogue.handle(turn)
    assert SqlConversations(faked.db).of_customer("C1001") == []


def test_a_product_without_notes_is_described_by_name_and_price_alone(
    faked: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("面霜怎么样", intent="product_info", product_skus=("P5001",))
    text = say(faked, "面霜怎么样", customer="C1002").replies[0].text  # type: ignore[attr-defined]
    assert text == "保湿修护面霜 50ml：售价329.00元。"  # no dangling "，-"
