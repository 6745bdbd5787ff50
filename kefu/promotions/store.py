"""Where rules live: the ``RuleStore`` port, and an in-memory store for tests and benchmarks.

Rules and coupon definitions are versioned rows (id, version, kind, data JSON, created_at, active):
putting a rule adds a version and the newest version of an id is the live one, so a shop adds or
changes a campaign without a deploy. Whether a live rule applies at a moment is decided by its own
time windows, not by the store.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from kefu.promotions.rules import COUPON_KINDS, Coupon, Rule


@dataclass(frozen=True, slots=True)
class RuleVersion:
    """One stored version of a rule."""

    rule: Rule
    version: int
    created_at: datetime
    created_by: str = "system"
    active: bool = True


@dataclass(frozen=True, slots=True)
class CustomerWallet:
    """The coupons a customer holds (unused) and whether the next order is their first."""

    customer_id: str
    coupon_ids: tuple[str, ...] = ()
    is_new_customer: bool = False


class RuleStore(Protocol):
    """The storage port; the SQL store implements it over promotion_rules/customer_coupons."""

    def list_rules(self, include_inactive: bool = False) -> list[Rule]:
        """The newest version of every rule id (coupon definitions included); active ones only
        unless ``include_inactive``."""
        ...

    def put_rule(self, rule: Rule, now: datetime, created_by: str = "system") -> RuleVersion:
        """Store a new version of ``rule.id`` (version = previous + 1, active)."""
        ...

    def set_active(
        self, rule_id: str, active: bool, now: datetime, created_by: str = "system"
    ) -> None:
        """Switch a rule off (or on again) by adding a version with the same data."""
        ...

    def history(self, rule_id: str) -> list[RuleVersion]:
        """Every version of a rule, oldest first."""
        ...

    def wallet(self, customer_id: str) -> CustomerWallet | None:
        """The customer's held coupons and new-customer flag; None for an unknown customer."""
        ...

    def revision(self) -> str:
        """Changes whenever any rule changes, so compiled rule indexes can be cached."""
        ...


def coupons_of(rules: Iterable[Rule]) -> dict[str, Coupon]:
    """The coupon definitions among rules, by id."""
    return {r.id: r for r in rules if r.kind in COUPON_KINDS}  # type: ignore[misc]


@dataclass
class InMemoryRuleStore:
    """A ``RuleStore`` in a dict: for tests, benchmarks and the engine's own demo loader."""

    _versions: dict[str, list[RuleVersion]] = field(default_factory=dict)
    _wallets: dict[str, CustomerWallet] = field(default_factory=dict)
    _counter: itertools.count[int] = field(default_factory=itertools.count)
    _revision: int = 0

    def list_rules(self, include_inactive: bool = False) -> list[Rule]:
        newest = (versions[-1] for versions in self._versions.values())
        return [v.rule for v in newest if include_inactive or v.active]

    def put_rule(self, rule: Rule, now: datetime, created_by: str = "system") -> RuleVersion:
        versions = self._versions.setdefault(rule.id, [])
        stored = RuleVersion(rule, len(versions) + 1, now, created_by, True)
        versions.append(stored)
        self._revision += 1
        return stored

    def set_active(
        self, rule_id: str, active: bool, now: datetime, created_by: str = "system"
    ) -> None:
        versions = self._versions.get(rule_id)
        if not versions:
            raise KeyError(rule_id)
        versions.append(RuleVersion(versions[-1].rule, len(versions) + 1, now, created_by, active))
        self._revision += 1

    def history(self, rule_id: str) -> list[RuleVersion]:
        return list(self._versions.get(rule_id, ()))

    def wallet(self, customer_id: str) -> CustomerWallet | None:
        return self._wallets.get(customer_id)

    def revision(self) -> str:
        return str(self._revision)

    def set_wallet(self, wallet: CustomerWallet) -> None:
        self._wallets[wallet.customer_id] = wallet
