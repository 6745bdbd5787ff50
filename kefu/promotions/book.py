"""Rules compiled once into lookups, so pricing a cart touches plain dicts and tuples only."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

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


_SINCE_ALWAYS = datetime.min.replace(tzinfo=UTC)
_FOREVER = datetime.max.replace(tzinfo=UTC)


@dataclass(slots=True)
class ActiveRules:
    """The rules in force over [start, end), a stretch in which no rule's window opens or closes.

    Every time test in pricing compares ``now`` with a window bound, so between two neighbouring
    bounds the answers are the same: a quote can look them up instead of asking every rule.
    """

    start: datetime
    end: datetime
    item_rules: dict[str, ItemRule]
    cross: CrossStoreThreshold | None
    shipping: FreeShipping | None
    # per-caller memo for results that depend only on these rules (e.g. a wallet's coupon sets)
    memo: dict[object, object] = field(default_factory=dict)


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
        # the instants at which some rule's answer to "active at now?" can change
        bounds: set[datetime] = set()
        for rule in self.rules:
            if rule.window is not None:
                bounds.update((rule.window.start, rule.window.end))
            if isinstance(rule, Presale):
                bounds.update((rule.balance_window.start, rule.balance_window.end))
        self._bounds: list[datetime] = sorted(bounds)
        self._active: ActiveRules | None = None

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

    def active(self, now: datetime) -> ActiveRules:
        """The rules in force at ``now``, cached for the stretch of time ``now`` falls in."""
        snap = self._active
        if snap is not None and snap.start <= now < snap.end:
            return snap
        k = bisect_right(self._bounds, now)
        snap = ActiveRules(
            start=self._bounds[k - 1] if k else _SINCE_ALWAYS,
            end=self._bounds[k] if k < len(self._bounds) else _FOREVER,
            item_rules={
                sku: rule for sku in self._items if (rule := self.item_rule(sku, now)) is not None
            },
            cross=self.cross_store(now),
            shipping=self.shipping(now),
        )
        self._active = snap  # one snapshot is enough: quotes come in time order
        return snap

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
