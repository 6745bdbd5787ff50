"""Invoices: a personal one is requested at once in the customer's name; a company one collects
the company name and the tax ID, over several messages if need be; a repeat refers to the ticket."""

from __future__ import annotations

from kefu.domain.aftersales import RequestKind
from kefu.domain.desk import TicketKind
from kefu.wiring import Kefu
from tests.dialogue.skills.support import (
    CREAM,
    EARBUDS,
    FRYER,
    PHONE,
    kinds_of,
    requests,
    say,
    state_of,
    text_of,
    tickets,
)

TAX_ID = "91330100MA2XXXXX1X"


def test_a_personal_invoice_is_requested_in_the_customers_name(shop: Kefu) -> None:
    result = say(shop, "C1002", "面霜那单开个发票", intent="invoice", product_skus=("P5001",))
    (invoice,) = requests(shop, "C1002", CREAM, RequestKind.INVOICE)
    assert invoice.details["title"] == "李娜" and invoice.details["tax_id"] is None
    assert invoice.details["email"] == "lina@example.com"
    assert CREAM in text_of(result) and "李娜" in text_of(result)
    assert kinds_of(result) == ["action"]
    assert len(tickets(shop, "C1002", TicketKind.INVOICE)) == 1


def test_asking_again_refers_to_the_invoice_under_way(shop: Kefu) -> None:
    say(shop, "C1002", "面霜那单开个发票", intent="invoice", product_skus=("P5001",))
    (ticket,) = tickets(shop, "C1002", TicketKind.INVOICE)
    again = say(shop, "C1002", "面霜的发票开一下", intent="invoice", product_skus=("P5001",))
    assert ticket in text_of(again) and "已在处理" in text_of(again)
    assert len(requests(shop, "C1002", CREAM, RequestKind.INVOICE)) == 1
    assert tickets(shop, "C1002", TicketKind.INVOICE) == [ticket]


def test_a_company_invoice_collects_the_name_then_the_tax_id(shop: Kefu) -> None:
    first = say(shop, "C1001", "耳机那单要开公司发票", intent="invoice", product_skus=("P2002",))
    assert kinds_of(first) == ["clarify"] and EARBUDS in text_of(first)
    assert state_of(shop, first)["awaiting"]["slot"] == "company"
    named = say(shop, "C1001", "杭州云杉科技有限公司", confidence=0.4)
    assert "税号" in text_of(named) and requests(shop, "C1001", EARBUDS) == []
    done = say(shop, "C1001", f"税号{TAX_ID}", confidence=0.4)
    (invoice,) = requests(shop, "C1001", EARBUDS, RequestKind.INVOICE)
    assert invoice.details["title"] == "杭州云杉科技有限公司"
    assert invoice.details["tax_id"] == TAX_ID and invoice.details["type"] == "company"
    assert "杭州云杉科技有限公司" in text_of(done)
    assert not state_of(shop, done)["awaiting"]


def test_a_company_invoice_with_everything_in_one_message_is_requested_at_once(
    shop: Kefu,
) -> None:
    text = "手机那单开发票，公司抬头：上海某某贸易有限公司，税号91310000123456789X"
    result = say(shop, "C1003", text, intent="invoice", product_skus=("P2001",))
    (invoice,) = requests(shop, "C1003", PHONE, RequestKind.INVOICE)
    assert invoice.details["title"] == "上海某某贸易有限公司"
    assert invoice.details["tax_id"] == "91310000123456789X"
    assert kinds_of(result) == ["action"] and "上海某某贸易有限公司" in text_of(result)


def test_a_cancelled_order_is_refused_an_invoice_as_cancelled(shop: Kefu) -> None:
    say(shop, "C1004", "please cancel my order", intent="cancel_order", lang="en")
    say(shop, "C1004", "yes", lang="en")
    result = say(
        shop,
        "C1004",
        "I need an invoice for the air fryer",
        intent="invoice",
        lang="en",
        product_skus=("P4002",),
    )
    assert requests(shop, "C1004", FRYER, RequestKind.INVOICE) == []
    assert "cancel" in text_of(result).lower() and "paid" not in text_of(result)
