"""Errors of the promotion engine: a stable ``code`` and the HTTP status an edge should use."""

from __future__ import annotations

from kefu.domain.errors import ClientError


class PromotionError(ClientError):
    """Base of the engine's errors: ``code`` is machine-readable, the message is for a developer.

    A ``ClientError``, so the API's handler turns it into ``{"error": {code, message}}``.
    """

    code = "promotion_error"
    status_code = 422

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message, code=code)


class InvalidRule(PromotionError):
    """A rule is contradictory or incomplete (nth < 2, off >= every, window end before start...)."""

    code = "invalid_rule"


class InvalidCart(PromotionError):
    """The cart cannot be priced: empty, bad quantity, duplicate or conflicting coupons..."""

    code = "invalid_cart"


class UnknownProduct(InvalidCart):
    code = "unknown_sku"
    status_code = 404


class UnknownCustomer(PromotionError):
    code = "customer_not_found"
    status_code = 404


class CouponNotHeld(InvalidCart):
    code = "coupon_not_held"


class CouponConflict(InvalidCart):
    """Two coupons that may not be used together (same slot, or declared exclusive)."""

    code = "coupon_conflict"
