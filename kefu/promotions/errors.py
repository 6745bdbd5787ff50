"""Errors of the promotion engine: a stable ``code`` and the kind of refusal (``Problem``)."""

from __future__ import annotations

from enum import StrEnum

from kefu.domain.errors import ClientError, Problem


class PromotionErrorCode(StrEnum):
    """The contract's error codes of this package (what a client reads in ``error.code``)."""

    PROMOTION_ERROR = "promotion_error"
    INVALID_RULE = "invalid_rule"
    INVALID_CART = "invalid_cart"
    UNKNOWN_SKU = "unknown_sku"
    CUSTOMER_NOT_FOUND = "customer_not_found"
    COUPON_NOT_HELD = "coupon_not_held"
    COUPON_CONFLICT = "coupon_conflict"


class PromotionError(ClientError):
    """Base of the engine's errors: ``code`` is machine-readable, the message is for a developer.

    A ``ClientError``, so the API's handler turns it into ``{"error": {code, message}}``.
    """

    code = PromotionErrorCode.PROMOTION_ERROR
    problem = Problem.UNPROCESSABLE

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message, code=code)


class InvalidRule(PromotionError):
    """A rule is contradictory or incomplete (nth < 2, off >= every, window end before start...)."""

    code = PromotionErrorCode.INVALID_RULE


class InvalidCart(PromotionError):
    """The cart cannot be priced: empty, bad quantity, duplicate or conflicting coupons..."""

    code = PromotionErrorCode.INVALID_CART


class UnknownProduct(InvalidCart):
    code = PromotionErrorCode.UNKNOWN_SKU
    problem = Problem.NOT_FOUND


class UnknownCustomer(PromotionError):
    code = PromotionErrorCode.CUSTOMER_NOT_FOUND
    problem = Problem.NOT_FOUND


class CouponNotHeld(InvalidCart):
    code = PromotionErrorCode.COUPON_NOT_HELD


class CouponConflict(InvalidCart):
    """Two coupons that may not be used together (same slot, or declared exclusive)."""

    code = PromotionErrorCode.COUPON_CONFLICT
