"""Promotion rules and coupon wallets in the database: the SQL ``RuleStore``."""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from kefu.promotions.ports import CustomerWallet, RuleVersion
from kefu.promotions.rules import Rule, dump_rule, parse_rule
from kefu.store.db import Database
from kefu.store.tables.commerce import CustomerRow
from kefu.store.tables.promotions import CustomerCouponRow, PromotionRuleRow

# How long a worker trusts its last look at the revision: bounds staleness across workers.
REVISION_TTL_S = 0.5


# a wallet in one statement: the customer's row, once per coupon held (once with NULL if none)
_WALLET = (
    select(CustomerRow.is_new_customer, CustomerCouponRow.coupon_id)
    .outerjoin(
        CustomerCouponRow,
        (CustomerCouponRow.customer_id == CustomerRow.id) & (CustomerCouponRow.status == "held"),
    )
    .where(CustomerRow.id == bindparam("customer_id"))
    .order_by(CustomerCouponRow.coupon_id)
)


class SqlRuleStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._revision: tuple[float, str] | None = None

    def _newest(self, s: Session) -> list[PromotionRuleRow]:
        newest = (
            select(PromotionRuleRow.id, func.max(PromotionRuleRow.version).label("v"))
            .group_by(PromotionRuleRow.id)
            .subquery()
        )
        return list(
            s.scalars(
                select(PromotionRuleRow)
                .join(
                    newest,
                    (PromotionRuleRow.id == newest.c.id) & (PromotionRuleRow.version == newest.c.v),
                )
                .order_by(PromotionRuleRow.id)
            )
        )

    def list_rules(self, include_inactive: bool = False) -> list[Rule]:
        with self.db.session() as s:
            return [
                parse_rule(row.data) for row in self._newest(s) if include_inactive or row.active
            ]

    def _add_version(
        self,
        s: Session,
        rule_id: str,
        kind: str,
        data: dict[str, object],
        active: bool,
        now: datetime,
        created_by: str,
    ) -> int:
        last = s.scalar(
            select(func.max(PromotionRuleRow.version)).where(PromotionRuleRow.id == rule_id)
        )
        version = (last or 0) + 1
        s.add(
            PromotionRuleRow(
                id=rule_id,
                version=version,
                kind=kind,
                data=data,
                active=active,
                created_at=now,
                created_by=created_by,
            )
        )
        self._revision = None
        return version

    def put_rule(self, rule: Rule, now: datetime, created_by: str = "system") -> RuleVersion:
        with self.db.session() as s:
            version = self._add_version(
                s, rule.id, rule.kind, dump_rule(rule), True, now, created_by
            )
        return RuleVersion(rule, version, now, created_by, True)

    def set_active(
        self, rule_id: str, active: bool, now: datetime, created_by: str = "system"
    ) -> None:
        with self.db.session() as s:
            current = s.scalar(
                select(PromotionRuleRow)
                .where(PromotionRuleRow.id == rule_id)
                .order_by(PromotionRuleRow.version.desc())
                .limit(1)
            )
            if current is None:
                raise KeyError(rule_id)
            self._add_version(s, rule_id, current.kind, current.data, active, now, created_by)

    def history(self, rule_id: str) -> list[RuleVersion]:
        with self.db.session() as s:
            rows = s.scalars(
                select(PromotionRuleRow)
                .where(PromotionRuleRow.id == rule_id)
                .order_by(PromotionRuleRow.version)
            )
            return [
                RuleVersion(parse_rule(r.data), r.version, r.created_at, r.created_by, r.active)
                for r in rows
            ]

    def wallet(self, customer_id: str) -> CustomerWallet | None:
        # on the turn's path (every promotion question): Core rows, statements built once
        rows = self.db.rows(_WALLET, {"customer_id": customer_id})
        if not rows:
            return None
        held = tuple(r.coupon_id for r in rows if r.coupon_id is not None)
        return CustomerWallet(customer_id, held, bool(rows[0].is_new_customer))

    def revision(self) -> str:
        cached = self._revision
        if cached is not None and time.monotonic() - cached[0] < REVISION_TTL_S:
            return cached[1]
        with self.db.session() as s:
            count, newest = s.execute(
                select(func.count(), func.max(PromotionRuleRow.created_at))
            ).one()
        value = f"{count}:{newest.isoformat() if newest else '-'}"
        self._revision = (time.monotonic(), value)
        return value


def seed_demo_rules(session: Session, now: datetime) -> None:
    """Seeder: the demo shop's promotions and coupon definitions, times resolved at load."""
    from kefu.demo.promotions import load_demo_rules

    for rule in load_demo_rules(now):
        session.add(
            PromotionRuleRow(
                id=rule.id,
                version=1,
                kind=rule.kind,
                data=dump_rule(rule),
                active=True,
                created_at=now,
                created_by="seed",
            )
        )
