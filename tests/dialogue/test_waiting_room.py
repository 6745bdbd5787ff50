"""The waiting room from the customer's side: their place and expected wait (on request and when
it moves), routine answers while they wait if the shop allows it, and leaving a message or asking
for a call back instead of waiting, which turns the conversation into a ticket."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kefu.desk.policy import DESK_DATA, load_policy
from kefu.dialogue import Turn
from kefu.dialogue.engine import TurnResult
from kefu.domain.desk import AgentStatus
from kefu.domain.handoff import LeaveKind, WaitStatus
from kefu.wiring import Kefu
from tests.desk.support import ensure_desk_tables
from tests.dialogue.conftest import RecordingDesk, ScriptedNlu


def say(kefu: Kefu, text: str, customer: str = "C1001") -> TurnResult:
    return kefu.dialogue.handle(Turn("web", text, customer_id=customer))


def text_of(result: TurnResult) -> str:
    return "\n".join(r.text for r in result.replies)


@pytest.fixture
def waiting(faked: Kefu, scripted_nlu: ScriptedNlu) -> Kefu:
    """C1001 handed to a person, second in the queue with about five minutes to wait."""
    scripted_nlu.says("转人工", intent="human_agent")
    scripted_nlu.says("还要等多久", intent="human_agent", confidence=0.5)
    scripted_nlu.says("好的", intent="greeting")
    scripted_nlu.says("羽绒服到哪了", intent="logistics", product_skus=("P1001",))
    assert say(faked, "转人工").status == "waiting_agent"
    return faked


def test_asking_how_long_tells_the_place_and_the_wait(waiting: Kefu) -> None:
    reply = say(waiting, "还要等多久")
    assert "第2位" in text_of(reply) and "5分钟" in text_of(reply)
    assert reply.status == "waiting_agent"


def test_a_routine_question_is_still_answered_while_waiting(waiting: Kefu) -> None:
    reply = say(waiting, "羽绒服到哪了")
    assert "ZT7788990011" in text_of(reply) and reply.status == "waiting_agent"


def test_the_customer_hears_when_the_queue_moves_meaningfully(
    waiting: Kefu, desk: RecordingDesk
) -> None:
    desk.wait = WaitStatus(True, 6, 1500)
    worse = say(waiting, "好的")
    assert "第6位" in text_of(worse)
    desk.wait = WaitStatus(True, 5, 1440)  # one place and a minute: not worth a message
    assert "第5位" not in text_of(say(waiting, "好的"))
    desk.wait = WaitStatus(True, 0, 0)
    assert "马上就轮到您" in text_of(say(waiting, "好的"))


def test_nobody_online_offers_to_leave_a_message_or_a_call_back(
    faked: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    desk.agents_online = False
    scripted_nlu.says("人工客服", intent="human_agent")
    reply = say(faked, "人工客服")
    assert "留言" in text_of(reply) and "回电" in text_of(reply)


def test_a_left_message_becomes_a_ticket_and_ends_the_wait(
    waiting: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    scripted_nlu.says("留言：耳机有杂音，想换一个", intent="exchange")
    scripted_nlu.says("耳机什么时候发货", intent="order_status", product_skus=("P2002",))
    reply = say(waiting, "留言：耳机有杂音，想换一个")
    assert desk.left[0].kind is LeaveKind.MESSAGE and desk.left[0].text == "耳机有杂音，想换一个"
    assert "T9001" in text_of(reply) and reply.status == "closed" and not reply.handoff
    later = say(waiting, "耳机什么时候发货")
    assert later.conversation_id != reply.conversation_id and later.status == "bot"


def test_leaving_a_message_in_two_steps(
    waiting: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    scripted_nlu.says("我要留言", intent="human_agent")
    scripted_nlu.says("发票抬头写错了，要重开", intent="invoice")
    ask = say(waiting, "我要留言")
    assert ask.status == "waiting_agent" and desk.left == []
    done = say(waiting, "发票抬头写错了，要重开")
    assert desk.left[0].text == "发票抬头写错了，要重开" and done.status == "closed"


def test_a_call_back_uses_the_profile_phone_and_shows_it_masked(
    waiting: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    scripted_nlu.says("不等了，给我回电话吧", intent="human_agent")
    reply = say(waiting, "不等了，给我回电话吧")
    assert desk.left[0].kind is LeaveKind.CALLBACK and desk.left[0].phone == "13800001001"
    assert "138****1001" in text_of(reply) and "13800001001" not in text_of(reply)


@pytest.fixture
def real_desk(sqlite_kefu: Kefu, scripted_nlu: ScriptedNlu) -> Iterator[Kefu]:
    ensure_desk_tables(sqlite_kefu.db)
    sqlite_kefu.dialogue.nlu = scripted_nlu
    yield sqlite_kefu


def test_the_whole_wait_on_the_real_desk(real_desk: Kefu, scripted_nlu: ScriptedNlu) -> None:
    scripted_nlu.says("转人工", intent="human_agent")
    scripted_nlu.says("还要等多久", intent="human_agent", confidence=0.5)
    scripted_nlu.says("留言：收到的袜子少了一双", intent="return_refund")
    first = say(real_desk, "转人工", customer="C1002")
    assert "留言" in text_of(first)  # nobody is online in the fresh demo shop
    assert "客服上线" in text_of(say(real_desk, "还要等多久", customer="C1002"))
    left = say(real_desk, "留言：收到的袜子少了一双", customer="C1002")
    assert left.status == "closed"
    (record,) = real_desk.desk.tickets.find(conversation_id=first.conversation_id)
    assert record.ticket.id in text_of(left)
    assert record.ticket.fields["left_message"]["text"] == "收到的袜子少了一双"
    supervisor = real_desk.desk.agent("S01")
    assert real_desk.desk.queue_for(supervisor, datetime.now(UTC)) == []


def test_a_waiting_customer_hears_without_asking_when_an_agent_comes_online(
    real_desk: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("转人工", intent="human_agent")
    waiting = say(real_desk, "转人工", customer="C1002")
    now = datetime.now(UTC)
    assert real_desk.dialogue.announce_queue_moves(now) == 0  # told at the handoff already
    desk = real_desk.desk
    desk.set_status(desk.agent("A02"), AgentStatus.ONLINE, now)
    assert real_desk.dialogue.announce_queue_moves(now) == 1
    assert real_desk.dialogue.announce_queue_moves(now) == 0  # nothing new to tell
    history = real_desk.dialogue.history(waiting.conversation_id, "C1002")
    assert "马上就轮到您" in history[-1]["text"] and history[-1]["sender"] == "system"


def test_impatience_in_the_queue_is_not_read_as_an_order_question(
    waiting: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("快点", intent="order_status", confidence=0.58)
    scripted_nlu.says("还要多久", intent="logistics", confidence=0.85)
    scripted_nlu.says("快递还要多久", intent="logistics", confidence=0.9)
    hurry = say(waiting, "快点")
    assert [r.kind.value for r in hurry.replies] in ([], ["notice"])
    assert "E20261111" not in text_of(hurry)
    assert "第2位" in text_of(say(waiting, "还要多久"))  # the queue, not the parcel
    assert "ZT7788990011" in text_of(say(waiting, "快递还要多久"))


@pytest.mark.parametrize("bot_answers", [True, False])
def test_a_shop_can_keep_the_bot_quiet_while_the_customer_waits_for_a_person(
    real_desk: Kefu, scripted_nlu: ScriptedNlu, tmp_path: Path, bot_answers: bool
) -> None:
    """data/desk/waiting_room.json ``bot_answers_while_waiting``: by default a routine question
    asked in the queue is answered at once; switched off, the bot leaves it to the person."""
    folder = tmp_path / "desk"
    shutil.copytree(DESK_DATA, folder)
    room = json.loads((folder / "waiting_room.json").read_text(encoding="utf-8"))
    room["bot_answers_while_waiting"] = bot_answers
    (folder / "waiting_room.json").write_text(json.dumps(room), encoding="utf-8")
    desk = real_desk.desk
    desk.policy = replace(desk.policy, waiting=load_policy(folder).waiting)
    desk.set_status(desk.agent("A02"), AgentStatus.ONLINE, datetime.now(UTC))
    scripted_nlu.says("转人工", intent="human_agent")
    scripted_nlu.says("羽绒服到哪了", intent="logistics", product_skus=("P1001",))
    assert say(real_desk, "转人工").status == "waiting_agent"

    reply = say(real_desk, "羽绒服到哪了")
    assert reply.status == "waiting_agent"
    if bot_answers:
        assert "ZT7788990011" in text_of(reply)  # the parcel's tracking, from the bot
    else:
        assert "ZT7788990011" not in text_of(reply)
        # instead: told once that a person has it, and the question waits for them
        [notice] = reply.replies
        assert notice.kind.value == "notice" and "已为您转接人工" in notice.text
        history = real_desk.dialogue.history(reply.conversation_id, "C1001")
        assert history[-2]["sender"] == "customer" and history[-2]["text"] == "羽绒服到哪了"
