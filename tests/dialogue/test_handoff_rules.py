"""Handoff as the customer lives it: frustration and repeated questions count as unresolved,
urgency reaches a person when the bot cannot act, a presence check is a greeting, and an answer
people approved wins over a skill's generic reply."""

from __future__ import annotations

from kefu.dialogue import Turn
from kefu.dialogue.engine import TurnResult
from kefu.domain.handoff import HandoffReason
from kefu.nlu import NluPipeline
from kefu.wiring import Kefu
from tests.dialogue.conftest import RecordingDesk, ScriptedNlu


def say(kefu: Kefu, text: str, customer: str = "C1001") -> TurnResult:
    return kefu.dialogue.handle(Turn("web", text, customer_id=customer))


def test_saying_it_did_not_help_three_times_reaches_a_person(
    faked: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    # the model reads these as a vague but confident "other" or a greeting: no complaint
    scripted_nlu.says("还是没解决", intent="other", confidence=0.7)
    scripted_nlu.says("你根本没听懂", intent="greeting", confidence=0.6)
    results = [say(faked, t) for t in ("还是没解决", "你根本没听懂", "还是没解决")]
    assert [r.handoff for r in results] == [False, False, True]
    assert desk.handoffs[0].reason is HandoffReason.UNRESOLVED


def test_the_same_question_asked_back_again_and_again_is_not_progress(
    faked: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    scripted_nlu.says("嗯", intent="other", confidence=0.5)
    scripted_nlu.says("就是那个", intent="other", confidence=0.5)
    scripted_nlu.says("你懂的", intent="other", confidence=0.5)
    first, second, third = (say(faked, t) for t in ("嗯", "就是那个", "你懂的"))
    texts = [r.replies[0].text for r in (first, second) if r.replies]
    assert len(set(texts)) == 2  # the second time the bot asks differently
    assert third.handoff and desk.handoffs[0].reason is HandoffReason.UNRESOLVED


def test_an_urgent_message_the_bot_cannot_act_on_goes_to_a_person_first(
    faked: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    scripted_nlu.says("这个很紧急", intent="other", confidence=0.5)
    result = say(faked, "这个很紧急")
    assert result.handoff and result.status == "waiting_agent"
    assert desk.handoffs[0].reason is HandoffReason.URGENT and desk.handoffs[0].urgent
    assert "急" in result.replies[0].text


def test_urgency_with_a_question_the_bot_answers_is_answered_and_remembered(
    faked: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    scripted_nlu.says("急用！耳机什么时候发货", intent="order_status", product_skus=("P2002",))
    scripted_nlu.says("转人工", intent="human_agent")
    answered = say(faked, "急用！耳机什么时候发货")
    assert not answered.handoff and "E2026111100002" in answered.replies[0].text
    say(faked, "转人工")
    assert desk.handoffs[0].urgent  # the later handoff is queued with priority


def test_checking_someone_is_there_is_a_greeting_not_a_request_for_a_person(
    faked: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    for text in ("在吗", "有人吗？", "亲", "hello?"):
        scripted_nlu.says(text, intent="human_agent", confidence=0.7)
        result = say(faked, text)
        assert not result.handoff and result.intent == "greeting", text
    assert desk.handoffs == []
    scripted_nlu.says("在吗，我要转人工", intent="human_agent")
    assert say(faked, "在吗，我要转人工").handoff


def test_an_approved_answer_replaces_the_skills_generic_reply(
    live: Kefu, real_nlu: NluPipeline
) -> None:
    question = "内衣可以七天无理由退货吗"
    before = say(live, question, customer="C1002")
    assert before.replies and "拆封" not in before.replies[0].text
    approved = "内衣套装未拆封的可以7天无理由退货；拆封后出于卫生原因不支持，质量问题除外。"
    knowledge = live.knowledge
    proposal = knowledge.propose(question, approved, "zh-CN", "A02")
    knowledge.approve(proposal.id, reviewer="S01")
    after = live.dialogue.handle(Turn("app", question, customer_id="C1006"))
    assert approved in [r.text for r in after.replies]


def test_an_approved_answer_never_replaces_facts_about_the_customers_order(
    live: Kefu, real_nlu: NluPipeline
) -> None:
    question = "我的羽绒服到哪了"
    knowledge = live.knowledge
    proposal = knowledge.propose(question, "一般3-5天送达。", "zh-CN", "A02")
    knowledge.approve(proposal.id, reviewer="S01")
    result = say(live, question)
    assert "ZT7788990011" in "\n".join(r.text for r in result.replies)


def test_urgency_while_the_bot_asks_which_order_lets_the_bot_go_on(
    faked: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    scripted_nlu.says("急！发票怎么开", intent="invoice")
    result = say(faked, "急！发票怎么开")  # C1001 has two paid orders: which one?
    assert not result.handoff and result.replies[0].kind.value == "clarify"
