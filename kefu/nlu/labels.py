"""The contract's intent labels (CONTRACT.md section 1) and entity keys (section 2)."""

from __future__ import annotations

INTENT_LABELS: tuple[str, ...] = (
    "order_status",
    "logistics",
    "change_address",
    "cancel_order",
    "return_refund",
    "exchange",
    "refund_status",
    "invoice",
    "payment",
    "coupon",
    "promotion",
    "price_protection",
    "product_info",
    "stock",
    "complaint",
    "human_agent",
    "account",
    "greeting",
    "other",
)

ENTITY_KEYS: tuple[str, ...] = (
    "order_id",
    "tracking_no",
    "sku",
    "product",
    "phone",
    "amount",
    "quantity",
    "size",
    "coupon_id",
    "date",
)
