"""Actions happen once and only when asked: a repeated request refers to the ticket already open,
a hypothetical gets the rules it asks about, and the order a question is about is the one it fits
(a parcel question the parcel on its way, a return the delivered order), or the bot asks."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from kefu.dialogue import Turn
from kefu.dialogue.engine import TurnResult
from kefu.domain.aftersales import RequestKind
from kefu.domain.desk import TicketKind
from kefu.wiring import Kefu
from tests.desk.support import ensure_desk_tables
from tests.dialogue.conftest import ScriptedNlu

STROLLER = "E2026110100004"  # C1003, shipped, tracking stalled for days
PHONE = "E2026102800005"  # C1003, completed
CREAM = "E2026110500003"  # C1002, delivered
TEE = "E2026103000010"  # C1002, refunding


@pytest.fixture
def shop(sqlite_kefu: Kefu, scripted_nlu: ScriptedNlu) -> Iterator[Kefu]:
    """The demo shop with its real desk and a scripted NLU."""
    ensure_desk_tables(sqlite_kefu.db)
    sqlite_kefu.dialogue.nlu = scripted_nlu
    yield sqlite_kefu


def say(kefu: Kefu, text: str, customer: str) -> TurnResult:
    return kefu.dialogue.handle(Turn("web", text, customer_id=customer))


def text_of(result: TurnResult) -> str:
    return "\n".join(r.text for r in result.replies)


def tickets(kefu: Kefu, customer: str, kind: TicketKind) -> list[str]:
    found = kefu.desk.tickets.find(customer_id=customer)
    return [r.ticket.id for r in found if r.ticket.kind is kind]


def test_asking_twice_about_a_stalled_parcel_opens_one_ticket(
    shop: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("推车怎么几天都没动静", intent="logistics", product_skus=("P3001",))
    scripted_nlu.says("推车的物流还是不动啊", intent="logistics", product_skus=("P3001",))
    first = say(shop, "推车怎么几天都没动静", "C1003")
    (ticket,) = tickets(shop, "C1003", TicketKind.LOGISTICS)
    assert ticket in text_of(first)
    again = say(shop, "推车的物流还是不动啊", "C1003")
    assert tickets(shop, "C1003", TicketKind.LOGISTICS) == [ticket]
    assert "已在处理" in text_of(again) and ticket in text_of(again)


def test_asking_twice_to_return_refers_to_the_open_return(
    shop: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("面霜不喜欢想退", intent="return_refund", product_skus=("P5001",))
    scripted_nlu.says("面霜帮我退了吧", intent="return_refund", product_skus=("P5001",))
    say(shop, "面霜不喜欢想退", "C1002")
    (ticket,) = tickets(shop, "C1002", TicketKind.RETURN)
    again = say(shop, "面霜帮我退了吧", "C1002")
    assert ticket in text_of(again) and "已在处理" in text_of(again)
    returns = [
        r for r in shop.commerce.list_requests("C1002", CREAM) if r.kind is RequestKind.RETURN
    ]
    assert len(returns) == 1 and tickets(shop, "C1002", TicketKind.RETURN) == [ticket]


def test_a_hypothetical_return_on_an_unshipped_order_gets_the_return_rules(
    shop: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    text = "If I don't like the air fryer, can I send it back?"
    scripted_nlu.says(text, intent="return_refund", lang="en", product_skus=("P4002",))
    result = say(shop, text, "C1004")
    reply = text_of(result)
    assert "7 days" in reply and "hasn't shipped" in reply
    assert "cancel" not in reply.lower()
    assert shop.commerce.list_requests("C1004", "E2026111000006") == []
    state = shop.dialogue.store.get(result.conversation_id).state  # type: ignore[union-attr]
    assert not state.get("pending")  # nothing waits on a "yes"


def test_a_hypothetical_about_a_delivered_order_files_nothing(
    shop: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("万一面霜过敏了能退吗", intent="return_refund", product_skus=("P5001",))
    result = say(shop, "万一面霜过敏了能退吗", "C1002")
    assert "7天" in text_of(result)
    assert shop.commerce.list_requests("C1002", CREAM) == []


def test_a_question_about_returning_files_nothing_until_the_customer_says_yes(
    shop: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("七天无理由退货吗", intent="return_refund")
    asked = say(shop, "七天无理由退货吗", "C1002")
    assert CREAM in text_of(asked) and "需要我现在为您提交退货申请吗" in text_of(asked)
    assert shop.commerce.list_requests("C1002", CREAM) == []
    assert tickets(shop, "C1002", TicketKind.RETURN) == []
    scripted_nlu.says("好的", intent="greeting")
    filed = say(shop, "好的", "C1002")
    assert len(tickets(shop, "C1002", TicketKind.RETURN)) == 1
    assert "已为您提交" in text_of(filed) and CREAM in text_of(filed)
    (request,) = shop.commerce.list_requests("C1002", CREAM)
    assert request.kind is RequestKind.RETURN and request.id in text_of(filed)


def test_a_declined_return_offer_leaves_the_order_as_it_is(
    shop: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("can I return it?", intent="return_refund", lang="en")
    assert "Shall I file the return" in text_of(say(shop, "can I return it?", "C1002"))
    scripted_nlu.says("no", intent="other", lang="en")
    say(shop, "no", "C1002")
    scripted_nlu.says("ok", intent="greeting", lang="en")
    say(shop, "ok", "C1002")  # a later yes confirms nothing: the offer was for the next message
    assert shop.commerce.list_requests("C1002", CREAM) == []


def test_an_exchange_the_bot_is_unsure_of_is_offered_not_filed(
    shop: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("面霜那个怎么弄", intent="exchange", confidence=0.5)
    result = say(shop, "面霜那个怎么弄", "C1002")
    assert "需要我现在为您提交换货申请吗" in text_of(result)
    assert shop.commerce.list_requests("C1002", CREAM) == []


def test_a_stated_wish_with_a_question_files_the_return_at_once(
    shop: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("不想要了，可以退吗", intent="return_refund")
    result = say(shop, "不想要了，可以退吗", "C1002")
    assert "已为您提交" in text_of(result)
    assert [r.kind for r in shop.commerce.list_requests("C1002", CREAM)] == [RequestKind.RETURN]


def test_a_return_question_past_the_window_says_so_without_an_offer(
    shop: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says(f"{PHONE}这单能退吗", intent="return_refund", entities={"order_id": PHONE})
    result = say(shop, f"{PHONE}这单能退吗", "C1003")
    assert "超过了7天无理由" in text_of(result) and "确认" not in text_of(result)
    assert shop.commerce.list_requests("C1003", PHONE) == []


def test_where_is_my_order_picks_the_parcel_on_its_way(
    shop: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("我的订单到哪了", intent="logistics")
    scripted_nlu.says("我的订单怎么样了", intent="order_status")
    parcel = text_of(say(shop, "我的订单到哪了", "C1003"))
    assert STROLLER in parcel and PHONE not in parcel
    status = text_of(say(shop, "我的订单怎么样了", "C1003"))
    assert STROLLER in status and PHONE not in status


def test_a_parcel_question_that_fits_several_orders_asks_listing_them(
    shop: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("我的快递到哪了", intent="logistics")
    reply = say(shop, "我的快递到哪了", "C1006")
    listed = set(re.findall(r"E\d{13}", text_of(reply)))
    assert listed == {"E2026111100008", "E2026111100009"}
    assert reply.replies[0].kind.value == "clarify"


def test_a_return_picks_the_delivered_order(shop: Kefu, scripted_nlu: ScriptedNlu) -> None:
    scripted_nlu.says("我要退货", intent="return_refund")
    reply = text_of(say(shop, "我要退货", "C1002"))
    assert CREAM in reply and TEE not in reply


def test_an_order_carried_from_another_topic_is_not_forced_on_a_parcel_question(
    shop: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("手机那单能开发票吗", intent="invoice", product_skus=("P2001",))
    scripted_nlu.says("到哪了", intent="logistics", confidence=0.9)
    say(shop, "手机那单能开发票吗", "C1003")
    reply = text_of(say(shop, "到哪了", "C1003"))
    assert STROLLER in reply and PHONE not in reply
