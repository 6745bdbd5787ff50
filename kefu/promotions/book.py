"""Rules compiled once into lookups, so pricing a cart touches plain dicts and tuples only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from kefu.promotions.rules import (
    COUPON_KINDS,
    ITEM_KINDS,
    Coupon,
    CrossStoreThreshold,
    FreeShipping,
    ItemRule,
    Presale,
    Rule,
)


@dataclass(frozen=True, slots=True)
class CompiledCoupon:
    rule: Coupon
    slot: str
    excludes: frozenset[str]
    not_with: frozenset[str]


class RuleBook:
    """A shop's live rules, indexed: item rules by SKU, order-level rules, coupons by id."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(sorted(rules, key=lambda r: r.id))
        self.by_id: dict[str, Rule] = {r.id: r for r in self.rules}
        items: dict[str, list[ItemRule]] = {}
        for rule in self.rules:
            if rule.kind in ITEM_KINDS:
                items.setdefault(rule.sku, []).append(rule)  # type: ignore[union-attr, arg-type]
        self._items: dict[str, tuple[ItemRule, ...]] = {k: tuple(v) for k, v in items.items()}
        self.stacks: dict[str, frozenset[str] | None] = {
            r.id: (None if r.stacks_with is None else frozenset(r.stacks_with))  # type: ignore[union-attr]
            for r in self.rules
            if r.kind in ITEM_KINDS
        }
        self._cross: tuple[CrossStoreThreshold, ...] = tuple(
            r for r in self.rules if isinstance(r, CrossStoreThreshold)
        )
        self.cross_excludes: dict[str, frozenset[str]] = {
            r.id: frozenset(r.excludes_skus) for r in self._cross
        }
        self.coupons: dict[str, CompiledCoupon] = {
            r.id: CompiledCoupon(r, r.slot, frozenset(r.excludes_skus), frozenset(r.not_with))  # type: ignore[union-attr, arg-type]
            for r in self.rules
            if r.kind in COUPON_KINDS
        }
        for compiled in list(self.coupons.values()):
            # exclusivity is symmetric even when only one side declares it
            for other in compiled.not_with:
                if other in self.coupons:
                    peer = self.coupons[other]
                    self.coupons[other] = CompiledCoupon(
                        peer.rule, peer.slot, peer.excludes, peer.not_with | {compiled.rule.id}
                    )
        self._shipping: tuple[FreeShipping, ...] = tuple(
            r for r in self.rules if isinstance(r, FreeShipping)
        )

    def item_rule(self, sku: str, now: datetime) -> ItemRule | None:
        """The item-level rule pricing ``sku`` at ``now``, if any."""
        for rule in self._items.get(sku, ()):
            if isinstance(rule, Presale):
                # deposit phase until the balance window opens, then the balance; after it, nothing
                if rule.is_active(now) and now < rule.balance_window.end:
                    return rule
            elif rule.is_active(now):
                return rule
        return None

    def item_rules_for(self, sku: str) -> tuple[ItemRule, ...]:
        """Every item rule on ``sku``, active or not (for answers about past or coming offers)."""
        return self._items.get(sku, ())

    def cross_store(self, now: datetime) -> CrossStoreThreshold | None:
        for rule in self._cross:
            if rule.is_active(now):
                return rule
        return None

    def cross_store_rules(self) -> tuple[CrossStoreThreshold, ...]:
        return self._cross

    def shipping(self, now: datetime) -> FreeShipping | None:
        for rule in self._shipping:
            if rule.is_active(now):
                return rule
        return None

    def coupon(self, coupon_id: str) -> CompiledCoupon | None:
        return self.coupons.get(coupon_id)
