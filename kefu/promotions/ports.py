"""The promotion engine's ports: where rules and customers' coupons are stored, and where prices
come from (the edges implement them: kefu.store.promotions_repo, the commerce port)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from kefu.domain.catalog import Product
from kefu.promotions.rules import Rule


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


class CatalogLookup(Protocol):
    """Where prices come from; the commerce port satisfies it."""

    def list_products(self) -> list[Product]: ...
