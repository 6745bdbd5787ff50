"""Requests a customer makes on an order: returns, exchanges, invoices, price protection, ..."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class RequestKind(StrEnum):
    RETURN = "return"
    EXCHANGE = "exchange"
    INVOICE = "invoice"
    PRICE_PROTECTION = "price_protection"
    ADDRESS_CHANGE = "address_change"
    CANCEL = "cancel"


class RequestStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class AfterSalesRequest:
    id: str
    kind: RequestKind
    order_id: str
    customer_id: str
    status: RequestStatus
    created_at: datetime
    amount: Decimal | None = None
    details: dict[str, Any] = field(default_factory=dict)
