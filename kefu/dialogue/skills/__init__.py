"""One module per intent family; ``SKILLS`` maps each contract intent to its handler."""

from __future__ import annotations

from collections.abc import Callable

from kefu.dialogue.context import Outcome, TurnContext
from kefu.dialogue.skills import (
    account,
    address,
    aftersales,
    cancel,
    catalog,
    invoice,
    logistics,
    order_status,
    price_protection,
    promotion,
    refund_status,
    smalltalk,
)

Skill = Callable[[TurnContext], Outcome]

SKILLS: dict[str, Skill] = {
    "order_status": order_status.handle,
    "logistics": logistics.handle,
    "change_address": address.handle,
    "cancel_order": cancel.handle,
    "return_refund": aftersales.handle_return,
    "exchange": aftersales.handle_exchange,
    "refund_status": refund_status.handle,
    "invoice": invoice.handle,
    "price_protection": price_protection.handle,
    "product_info": catalog.handle_product,
    "stock": catalog.handle_stock,
    "promotion": promotion.handle,
    "coupon": promotion.handle,
    "payment": smalltalk.handle_payment,
    "account": account.handle,
    "greeting": smalltalk.handle_greeting,
    "other": smalltalk.handle_other,
}
