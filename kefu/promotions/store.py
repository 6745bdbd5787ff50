"""An in-memory ``RuleStore`` (the port is in kefu.promotions.ports) for tests and benchmarks.

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

from kefu.promotions.ports import CustomerWallet, RuleVersion
from kefu.promotions.rules import COUPON_KINDS, Coupon, Rule


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
