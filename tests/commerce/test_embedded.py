"""The demo order system enforces the shop's after-sales rules and records every change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kefu.commerce.ports import OrderNotFound, Refusal
from kefu.domain.aftersales import RequestKind
from kefu.domain.orders import OrderStatus
from kefu.wiring import Kefu


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC)


def test_another_customers_order_looks_exactly_like_an_unknown_one(kefu: Kefu) -> None:
    with pytest.raises(OrderNotFound):
        kefu.commerce.get_order("C1002", "E2026111100001")
    with pytest.raises(OrderNotFound):
        kefu.commerce.get_order("C1002", "E2099999999999")
    with pytest.raises(OrderNotFound):
        kefu.commerce.find_order_by_tracking("C1002", "ZT7788990011")


def test_orders_are_listed_newest_first_for_their_owner_only(kefu: Kefu) -> None:
    ids = [o.id for o in kefu.commerce.list_orders("C1001")]
    assert ids == ["E2026111100002", "E2026111100001"]


def test_address_changes_while_paid_and_is_recorded(kefu: Kefu, now: datetime) -> None:
    result = kefu.commerce.change_address("C1001", "E2026111100002", "北京市海淀区中关村1号", now)
    assert result.ok and result.order is not None
    assert result.order.address == "北京市海淀区中关村1号"
    assert any(e.kind == "address_changed" for e in result.order.history)


def test_address_cannot_change_after_shipping(kefu: Kefu, now: datetime) -> None:
    result = kefu.commerce.change_address("C1001", "E2026111100001", "somewhere", now)
    assert not result.ok and result.refusal == Refusal.ALREADY_SHIPPED
    assert kefu.commerce.get_order("C1001", "E2026111100001").address != "somewhere"


def test_cancel_paid_unshipped_refunds_in_full(kefu: Kefu, now: datetime) -> None:
    result = kefu.commerce.cancel_order("C1004", "E2026111000006", now)
    assert result.ok and result.detail["refund"] == "399.00"
    assert kefu.commerce.get_order("C1004", "E2026111000006").status == OrderStatus.CANCELLED
    again = kefu.commerce.cancel_order("C1004", "E2026111000006", now)
    assert again.refusal == Refusal.ALREADY_CANCELLED


def test_shipped_orders_cannot_be_cancelled(kefu: Kefu, now: datetime) -> None:
    result = kefu.commerce.cancel_order("C1003", "E2026110100004", now)
    assert result.refusal == Refusal.ALREADY_SHIPPED


def test_no_reason_return_within_seven_days_of_delivery(kefu: Kefu, now: datetime) -> None:
    result = kefu.commerce.open_return("C1002", "E2026110500003", [], "不喜欢", False, now)
    assert result.ok and result.request is not None
    assert result.request.kind == RequestKind.RETURN and str(result.request.amount) == "329.00"
    assert result.request.details["shop_pays_return_shipping"] is False
    dup = kefu.commerce.open_return("C1002", "E2026110500003", [], "不喜欢", False, now)
    assert dup.refusal == Refusal.ALREADY_REQUESTED


def test_customized_items_have_no_no_reason_return_but_quality_is_covered(
    kefu: Kefu, now: datetime
) -> None:
    refused = kefu.commerce.open_return("C1005", "E2026110900007", [], "不想要", False, now)
    assert refused.refusal == Refusal.EXCLUDED_ITEM and refused.detail["skus"] == ["P6002"]
    quality = kefu.commerce.open_return("C1005", "E2026110900007", [], "漏水", True, now)
    assert quality.ok and quality.request is not None
    assert quality.request.details["photo_required"] is True
    assert quality.request.details["shop_pays_return_shipping"] is True


def test_return_windows_close(kefu: Kefu, now: datetime) -> None:
    later = now + timedelta(days=8)
    assert (
        kefu.commerce.open_return("C1002", "E2026110500003", [], "x", False, later).refusal
        == Refusal.WINDOW_EXPIRED
    )
    assert kefu.commerce.open_return("C1002", "E2026110500003", [], "x", True, later).ok
    undelivered = kefu.commerce.open_return("C1001", "E2026111100001", [], "x", False, now)
    assert undelivered.refusal == Refusal.NOT_DELIVERED


def test_quality_exchange_asks_for_a_photo(kefu: Kefu, now: datetime) -> None:
    result = kefu.commerce.open_exchange("C1002", "E2026110500003", "P5001", "瓶子裂了", True, now)
    assert result.ok and result.request is not None
    assert result.request.details["photo_required"] is True


def test_company_invoice_needs_name_and_tax_id(kefu: Kefu, now: datetime) -> None:
    missing = kefu.commerce.request_invoice("C1002", "E2026110500003", "", "123", None, now)
    assert missing.refusal == Refusal.MISSING_FIELDS
    ok = kefu.commerce.request_invoice(
        "C1002", "E2026110500003", "上海云杉科技有限公司", "91310000MA1FL8XQ3T", None, now
    )
    assert ok.ok and ok.request is not None and ok.request.details["type"] == "company"
    personal = kefu.commerce.request_invoice("C1001", "E2026111100001", "", None, None, now)
    assert personal.ok and personal.request is not None
    assert personal.request.details["title"] == "张伟"


def test_price_protection_excludes_flash_sale_prices(kefu: Kefu, now: datetime) -> None:
    flash = kefu.commerce.request_price_protection("C1001", "E2026111100002", "P2002", now)
    assert flash.refusal == Refusal.NOT_ELIGIBLE_PRICE
    same_price = kefu.commerce.request_price_protection("C1001", "E2026111100001", "P1001", now)
    assert same_price.refusal == Refusal.NO_PRICE_DROP
    expired = kefu.commerce.request_price_protection(
        "C1003", "E2026102800005", "P2001", now + timedelta(days=1)
    )
    assert expired.refusal == Refusal.WINDOW_EXPIRED


def test_stalled_shipment_is_detected(kefu: Kefu, now: datetime) -> None:
    order = kefu.commerce.get_order("C1003", "E2026110100004")
    assert order.shipment is not None and order.shipment.is_stalled(now)
    moving = kefu.commerce.get_order("C1001", "E2026111100001")
    assert moving.shipment is not None and not moving.shipment.is_stalled(now)
