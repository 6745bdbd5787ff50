"""Context in understanding: what the bot asked, the order and the topic decide how a short reply
or a bare fact is read, and nothing is filed that the customer did not ask for in this turn."""

from __future__ import annotations

from kefu.dialogue import Turn
from kefu.dialogue.engine import TurnResult
from kefu.domain.aftersales import RequestKind
from kefu.domain.desk import TicketKind
from kefu.wiring import Kefu
from tests.dialogue.conftest import RecordingDesk, ScriptedNlu

JACKET = "E2026111100001"  # C1001, shipped, on its way
EARBUDS = "E2026111100002"  # C1001, paid, not shipped


def say(kefu: Kefu, text: str, customer: str = "C1001") -> TurnResult:
    return kefu.dialogue.handle(Turn("web", text, customer_id=customer))


def text_of(result: TurnResult) -> str:
    return "\n".join(r.text for r in result.replies)


def invoices(kefu: Kefu, customer: str, order_id: str) -> list[object]:
    requests = kefu.commerce.list_requests(customer, order_id)
    return [r for r in requests if r.kind is RequestKind.INVOICE]


def test_a_new_question_that_names_an_order_does_not_answer_the_invoice_question(
    faked: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk
) -> None:
    scripted_nlu.says("能开发票不", intent="invoice")
    scripted_nlu.says(
        "羽绒服有点大，怎么办", intent="exchange", confidence=0.5, product_skus=("P1001",)
    )
    asked = say(faked, "能开发票不")
    assert JACKET in text_of(asked) and EARBUDS in text_of(asked)  # which order?
    reply = say(faked, "羽绒服有点大，怎么办")
    assert reply.intent == "exchange"
    assert invoices(faked, "C1001", JACKET) == []
    assert not [t for t in desk.tickets if t.kind is TicketKind.INVOICE]


def test_naming_the_order_answers_the_invoice_question(
    faked: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("能开发票不", intent="invoice")
    scripted_nlu.says("羽绒服那个", intent="product_info", confidence=0.4, product_skus=("P1001",))
    say(faked, "能开发票不")
    reply = say(faked, "羽绒服那个")
    assert reply.intent == "invoice"
    assert len(invoices(faked, "C1001", JACKET)) == 1


def test_after_an_invoice_a_bare_product_name_does_not_file_another(
    faked: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("耳机那单开个发票", intent="invoice", product_skus=("P2002",))
    scripted_nlu.says(
        "羽绒服有点大", intent="product_info", confidence=0.45, product_skus=("P1001",)
    )
    say(faked, "耳机那单开个发票")
    assert len(invoices(faked, "C1001", EARBUDS)) == 1
    say(faked, "羽绒服有点大")
    assert invoices(faked, "C1001", JACKET) == []


def test_an_address_alone_after_the_bot_asks_for_it_is_the_new_address(
    faked: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("耳机那单地址要改", intent="change_address", product_skus=("P2002",))
    scripted_nlu.says("杭州市西湖区文三路90号", intent="other", confidence=0.3)
    ask = say(faked, "耳机那单地址要改")
    assert ask.replies[0].kind.value == "clarify"
    confirm = say(faked, "杭州市西湖区文三路90号")
    assert confirm.intent == "change_address"
    assert "文三路90号" in text_of(confirm)


def test_a_company_and_tax_id_after_the_invoice_question_are_the_title(
    faked: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("耳机那单开公司发票", intent="invoice", product_skus=("P2002",))
    scripted_nlu.says("深圳蓝鲸贸易有限公司 91440300MA5FXYZ98Q", intent="other", confidence=0.3)
    say(faked, "耳机那单开公司发票")
    done = say(faked, "深圳蓝鲸贸易有限公司 91440300MA5FXYZ98Q")
    assert done.intent == "invoice" and "深圳蓝鲸贸易有限公司" in text_of(done)
    assert len(invoices(faked, "C1001", EARBUDS)) == 1


def test_a_bare_tracking_number_is_a_parcel_question(
    faked: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("ZT7788990011", intent="other", confidence=0.3)
    reply = say(faked, "ZT7788990011")
    assert reply.intent == "logistics" and "ZT7788990011" in text_of(reply)


def test_a_new_topic_forgets_the_company_of_an_abandoned_invoice(
    faked: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("耳机那单开公司发票", intent="invoice", product_skus=("P2002",))
    scripted_nlu.says("积分怎么用", intent="account")
    scripted_nlu.says("耳机那单能开发票吗", intent="invoice", product_skus=("P2002",))
    say(faked, "耳机那单开公司发票")  # asks for the company name and tax id; never answered
    say(faked, "积分怎么用")
    personal = say(faked, "耳机那单能开发票吗")
    assert "税号" not in text_of(personal)
    assert len(invoices(faked, "C1001", EARBUDS)) == 1


def test_a_phone_number_alone_after_the_bot_asks_for_it_is_the_new_delivery_phone(
    faked: Kefu, scripted_nlu: ScriptedNlu
) -> None:
    scripted_nlu.says("耳机那单收货电话写错了", intent="change_address", product_skus=("P2002",))
    scripted_nlu.says("139 1234 5678", intent="other", confidence=0.3)
    scripted_nlu.says("确认", intent="greeting", confidence=0.5)
    ask = say(faked, "耳机那单收货电话写错了")
    assert "手机号" in text_of(ask)
    confirm = say(faked, "139 1234 5678")
    assert confirm.intent == "change_address" and "13912345678" in text_of(confirm)
    say(faked, "确认")
    order = faked.commerce.get_order("C1001", EARBUDS)
    assert (
        order.address.startswith("上海市浦东新区世纪大道100号") and "13912345678" in order.address
    )
