"""Promotion rules and coupon definitions as validated data (a discriminated union on ``kind``).

A rule serialises with ``model_dump(mode="json")`` and parses back with ``parse_rule``; a
contradictory or incomplete rule raises ``InvalidRule`` with every problem in one message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from kefu.domain.catalog import Product
from kefu.promotions.errors import InvalidRule

RULE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


def _two_places(value: Decimal) -> Decimal:
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("money has at most two decimal places")
    return value.quantize(Decimal("0.01"))


Money = Annotated[Decimal, Field(ge=0, max_digits=12)]


class Window(BaseModel):
    """A half-open time span [start, end) in aware datetimes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _end_after_start(self) -> Window:
        if self.end <= self.start:
            raise ValueError("window end must be after its start")
        return self

    def contains(self, now: datetime) -> bool:
        return self.start <= now < self.end

    def overlaps(self, other: Window) -> bool:
        return self.start < other.end and other.start < self.end


class _RuleBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=RULE_ID_PATTERN)
    # when the rule is on; None means always (until a new version turns it off)
    window: Window | None = None

    def is_active(self, now: datetime) -> bool:
        return self.window is None or self.window.contains(now)

    @field_validator("*", mode="after")
    @classmethod
    def _money_two_places(cls, value: Any, info: Any) -> Any:
        if isinstance(value, Decimal) and info.field_name != "rate":
            return _two_places(value)
        return value


class _ItemRule(_RuleBase):
    """A rule that sets the price of one SKU's units (the first step of the stacking order)."""

    sku: str = Field(min_length=1)
    # order-level discounts (kinds or ids) allowed on top; None means all of them
    stacks_with: list[str] | None = None


class FlashSale(_ItemRule):
    kind: Literal["flash_sale"] = "flash_sale"
    price: Money
    window: Window  # a flash sale without a window is a permanent price cut, not a flash sale
    limit_per_customer: int = Field(ge=1)
    stacks_with: list[str] | None = Field(default_factory=list)

    @model_validator(mode="after")
    def _positive_price(self) -> FlashSale:
        if self.price <= 0:
            raise ValueError("flash-sale price must be above 0")
        return self


class NthItemDiscount(_ItemRule):
    """Every nth unit of the SKU at ``rate`` of its price (nth=2, rate=0.5: second half price)."""

    kind: Literal["nth_item_discount"] = "nth_item_discount"
    nth: int = Field(ge=2)
    rate: Decimal = Field(gt=0, lt=1)


class BuyXGetY(_ItemRule):
    """In every group of buy+get units of the SKU, ``get`` units are free."""

    kind: Literal["buy_x_get_y"] = "buy_x_get_y"
    buy: int = Field(ge=1)
    get: int = Field(ge=1)


class Presale(_ItemRule):
    """Pay ``deposit`` first; it counts as ``deposit_worth`` off the price in the balance window."""

    kind: Literal["presale"] = "presale"
    deposit: Money
    deposit_worth: Money
    balance_window: Window

    @model_validator(mode="after")
    def _deposit_consistent(self) -> Presale:
        if self.deposit <= 0:
            raise ValueError("deposit must be above 0")
        if self.deposit_worth < self.deposit:
            raise ValueError("deposit_worth must be at least the deposit")
        return self


class GroupBuy(_ItemRule):
    """The group price if ``group_size`` people join within ``fill_within_hours``; else a refund."""

    kind: Literal["group_buy"] = "group_buy"
    group_size: int = Field(ge=2)
    group_price: Money
    fill_within_hours: int = Field(ge=1, le=24 * 30)
    refund_if_unfilled: Literal["automatic_full"] = "automatic_full"
    stacks_with: list[str] | None = Field(default_factory=list)

    @model_validator(mode="after")
    def _positive_price(self) -> GroupBuy:
        if self.group_price <= 0:
            raise ValueError("group price must be above 0")
        return self


class CrossStoreThreshold(_RuleBase):
    """``off`` yuan for every full ``every`` yuan of eligible goods (after item-level prices)."""

    kind: Literal["cross_store_threshold"] = "cross_store_threshold"
    every: Money
    off: Money
    excludes_skus: list[str] = Field(default_factory=list)
    excludes_flash_sale: bool = True

    @model_validator(mode="after")
    def _off_below_every(self) -> CrossStoreThreshold:
        if self.off <= 0:
            raise ValueError("off must be above 0")
        if self.off >= self.every:
            raise ValueError("off must be below every")
        return self


class _CouponBase(_RuleBase):
    threshold: Money = Decimal("0.00")
    off: Money
    excludes_skus: list[str] = Field(default_factory=list)
    not_with: list[str] = Field(default_factory=list)  # coupon ids it may not be used with
    first_order_only: bool = False

    @model_validator(mode="after")
    def _off_positive(self) -> _CouponBase:
        if self.off <= 0:
            raise ValueError("coupon off must be above 0")
        if self.id in self.not_with:
            raise ValueError("a coupon cannot exclude itself")
        return self

    @property
    def slot(self) -> str:
        """At most one coupon per slot: 'store', or 'platform' (platform and new-customer)."""
        return "store" if self.kind == "store_coupon" else "platform"  # type: ignore[attr-defined]


class StoreCoupon(_CouponBase):
    kind: Literal["store_coupon"] = "store_coupon"


class PlatformCoupon(_CouponBase):
    kind: Literal["platform_coupon"] = "platform_coupon"


class NewCustomerCoupon(_CouponBase):
    kind: Literal["new_customer_coupon"] = "new_customer_coupon"
    first_order_only: bool = True


class FreeShipping(_RuleBase):
    """Shipping is free when the goods amount after all discounts reaches ``threshold``."""

    kind: Literal["free_shipping"] = "free_shipping"
    threshold: Money
    fee: Money


ItemRule = FlashSale | NthItemDiscount | BuyXGetY | Presale | GroupBuy
Coupon = StoreCoupon | PlatformCoupon | NewCustomerCoupon
Rule = Annotated[
    FlashSale
    | NthItemDiscount
    | BuyXGetY
    | Presale
    | GroupBuy
    | CrossStoreThreshold
    | StoreCoupon
    | PlatformCoupon
    | NewCustomerCoupon
    | FreeShipping,
    Field(discriminator="kind"),
]
ITEM_KINDS = frozenset({"flash_sale", "nth_item_discount", "buy_x_get_y", "presale", "group_buy"})
COUPON_KINDS = frozenset({"store_coupon", "platform_coupon", "new_customer_coupon"})

_RULE_ADAPTER: TypeAdapter[Rule] = TypeAdapter(Rule)


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "rule"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_rule(data: Mapping[str, Any]) -> Rule:
    """A rule from its JSON form; ``InvalidRule`` names the rule and every problem."""
    try:
        return _RULE_ADAPTER.validate_python(dict(data))
    except ValidationError as exc:
        raise InvalidRule(f"rule {data.get('id', '?')!r} is invalid: {_describe(exc)}") from exc


def dump_rule(rule: Rule) -> dict[str, Any]:
    """The JSON form stored in ``promotion_rules.data``."""
    return rule.model_dump(mode="json")


def validate_rule_set(rules: Sequence[Rule], products: Mapping[str, Product]) -> None:
    """Check rules against the catalogue and each other; ``InvalidRule`` lists every problem."""
    problems: list[str] = []
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            problems.append(f"{rule.id}: duplicate rule id")
        seen.add(rule.id)
        problems.extend(_catalogue_problems(rule, products))
    problems.extend(_overlap_problems([r for r in rules if r.kind in ITEM_KINDS]))  # type: ignore[misc]
    coupon_ids = {r.id for r in rules if r.kind in COUPON_KINDS}
    for rule in rules:
        if isinstance(rule, StoreCoupon | PlatformCoupon | NewCustomerCoupon):
            for other in rule.not_with:
                if other not in coupon_ids:
                    problems.append(f"{rule.id}: not_with names unknown coupon {other!r}")
    # one cross-store threshold and one shipping rule at a time, or the price is ambiguous
    for kind in (CrossStoreThreshold, FreeShipping):
        same = [r for r in rules if isinstance(r, kind)]
        for i, first in enumerate(same):
            for second in same[i + 1 :]:
                if _overlap(first.window, second.window):
                    problems.append(f"{first.id} and {second.id}: both {first.kind} at one time")
    if problems:
        raise InvalidRule("; ".join(problems))


def _catalogue_problems(rule: Rule, products: Mapping[str, Product]) -> list[str]:
    skus: Iterable[str] = ()
    if isinstance(rule, FlashSale | NthItemDiscount | BuyXGetY | Presale | GroupBuy):
        skus = (rule.sku,)
    elif isinstance(rule, CrossStoreThreshold | StoreCoupon | PlatformCoupon | NewCustomerCoupon):
        skus = rule.excludes_skus
    problems = [f"{rule.id}: unknown SKU {sku!r}" for sku in skus if sku not in products]
    if problems:
        return problems
    if isinstance(rule, FlashSale) and rule.price >= products[rule.sku].price:
        problems.append(f"{rule.id}: flash-sale price is not below the list price")
    if isinstance(rule, GroupBuy) and rule.group_price >= products[rule.sku].price:
        problems.append(f"{rule.id}: group price is not below the list price")
    if isinstance(rule, Presale) and rule.deposit_worth >= products[rule.sku].price:
        problems.append(f"{rule.id}: deposit_worth must be below the list price")
    return problems


def _overlap(a: Window | None, b: Window | None) -> bool:
    return a is None or b is None or a.overlaps(b)


def _overlap_problems(item_rules: Sequence[ItemRule]) -> list[str]:
    """Two item-level rules on one SKU at the same time would make its price ambiguous."""
    problems = []
    for i, first in enumerate(item_rules):
        for second in item_rules[i + 1 :]:
            if first.sku != second.sku:
                continue
            if _overlap(first.window, second.window):
                problems.append(f"{first.id} and {second.id}: both price {first.sku} at one time")
    return problems


def parse_rules(items: Iterable[Mapping[str, Any]]) -> list[Rule]:
    """Several rules; every invalid one is reported in one ``InvalidRule``."""
    rules: list[Rule] = []
    problems: list[str] = []
    for data in items:
        try:
            rules.append(parse_rule(data))
        except InvalidRule as exc:
            problems.append(exc.message)
    if problems:
        raise InvalidRule("; ".join(problems))
    return rules
