"""Saying one message to the demo shop and reading what the customer and the shop would see."""

from __future__ import annotations

from typing import Any

from kefu.dialogue import Turn
from kefu.dialogue.engine import TurnResult
from kefu.domain.aftersales import AfterSalesRequest, RequestKind
from kefu.domain.desk import TicketKind
from kefu.wiring import Kefu
from tests.dialogue.conftest import ScriptedNlu

# the demo shop's orders (data/demo/seed.json)
JACKET = "E2026111100001"  # C1001, shipped, in transit (ZTO ZT7788990011)
EARBUDS = "E2026111100002"  # C1001, paid, not shipped, flash-sale price
CREAM = "E2026110500003"  # C1002, delivered 3 days ago
STROLLER = "E2026110100004"  # C1003, shipped, tracking stalled for days
PHONE = "E2026102800005"  # C1003, completed, delivered 22 days ago (SF SF1400000005)
FRYER = "E2026111000006"  # C1004, paid, not shipped
FLASK = "E2026110900007"  # C1005, delivered, customized (no no-reason return)
ROBOT = "E2026111100008"  # C1006, presale, balance 1799.00 due
NUTS = "E2026111100009"  # C1006, group buy forming
TEE = "E2026103000010"  # C1002, refunding, return received, 118.50


def say(shop: Kefu, customer: str, text: str, **understood: Any) -> TurnResult:
    """The customer writes ``text``; the NLU understands what the test scripts (intent "other"
    when nothing is scripted: a bare yes or no is read by the lexicon, not the NLU)."""
    nlu = shop.dialogue.nlu
    assert isinstance(nlu, ScriptedNlu)
    if understood:
        nlu.says(text, **understood)
    return shop.dialogue.handle(Turn("web", text, customer_id=customer))


def text_of(result: TurnResult) -> str:
    return "\n".join(r.text for r in result.replies)


def kinds_of(result: TurnResult) -> list[str]:
    return [r.kind.value for r in result.replies]


def state_of(shop: Kefu, result: TurnResult) -> dict[str, Any]:
    conversation = shop.dialogue.store.get(result.conversation_id)
    assert conversation is not None
    return conversation.state


def requests(
    shop: Kefu, customer: str, order_id: str, kind: RequestKind | None = None
) -> list[AfterSalesRequest]:
    found = shop.commerce.list_requests(customer, order_id)
    return [r for r in found if kind is None or r.kind is kind]


def tickets(shop: Kefu, customer: str, kind: TicketKind | None = None) -> list[str]:
    found = shop.desk.tickets.find(customer_id=customer)
    return [r.ticket.id for r in found if kind is None or r.ticket.kind is kind]


def ticket_orders(shop: Kefu, customer: str, kind: TicketKind) -> list[str | None]:
    found = shop.desk.tickets.find(customer_id=customer)
    return [r.ticket.order_id for r in found if r.ticket.kind is kind]
