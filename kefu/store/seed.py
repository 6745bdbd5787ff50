"""Loads the demo shop (data/demo/*.json) into a new, empty database, resolving relative times."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from kefu.domain.money import money
from kefu.domain.timeexpr import resolve
from kefu.resources import data_path
from kefu.store.db import Database
from kefu.store.desk_repo import seed_desk_agents
from kefu.store.knowledge_repo import seed_knowledge_base
from kefu.store.promotions_repo import seed_demo_rules
from kefu.store.tables.commerce import (
    ChannelIdentityRow,
    CustomerRow,
    OrderEventRow,
    OrderItemRow,
    OrderRow,
    ProductRow,
    ShipmentRow,
    TrackingEventRow,
)
from kefu.store.tables.promotions import CustomerCouponRow

SEED_FILE = data_path("demo", "seed.json")
# Overseas customers of the cross-border demo, kept apart so the core shop's facts stay as they are.
CROSS_BORDER_FILE = data_path("demo", "crossborder.json")

# Other areas (promotions, knowledge, desk) add their demo data through these hooks.
Seeder = Callable[[Session, datetime], None]
EXTRA_SEEDERS: list[Seeder] = [seed_demo_rules, seed_knowledge_base, seed_desk_agents]


def load_seed(path: Path = SEED_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def _when(raw: dict[str, Any], key: str, now: datetime) -> datetime | None:
    value = raw.get(key)
    return None if value is None else resolve(str(value), now)


def seed_commerce(session: Session, seed: dict[str, Any], now: datetime) -> None:
    for p in seed["products"]:
        session.add(
            ProductRow(
                sku=p["sku"],
                name_zh=p["name_zh"],
                name_en=p["name_en"],
                category=p["category"],
                price=money(p["price"]),
                stock=p["stock"],
                sizes=p.get("sizes", []),
                notes_zh=p.get("notes_zh", ""),
                notes_en=p.get("notes_en", ""),
                aliases=p.get("aliases", []),
                no_reason_exclusion=p.get("no_reason_exclusion"),
                restock_days=p.get("restock_days"),
                size_chart=p.get("size_chart", {}),
            )
        )
    seed_customers_and_orders(session, seed, now)


def seed_customers_and_orders(session: Session, seed: dict[str, Any], now: datetime) -> None:
    for c in seed["customers"]:
        row = CustomerRow(
            id=c["id"],
            name=c["name"],
            vip=c["vip"],
            phone=c["phone"],
            email=c.get("email"),
            lang=c["lang"],
            is_new_customer=c.get("new_customer", False),
            timezone=c.get("timezone"),
            currency=c.get("currency"),
            created_at=now,
        )
        row.identities = [
            ChannelIdentityRow(channel=ch, channel_user_id=uid)
            for ch, uid in c.get("identities", {}).items()
        ]
        session.add(row)
        for coupon_id in c.get("coupons", []):
            session.add(
                CustomerCouponRow(
                    customer_id=c["id"], coupon_id=coupon_id, status="held", acquired_at=now
                )
            )
    session.flush()
    for o in seed["orders"]:
        session.add(_order_row(o, now))


def _order_row(o: dict[str, Any], now: datetime) -> OrderRow:
    paid_at = _when(o, "paid_at", now)
    deposit_at = _when(o, "deposit_paid_at", now)
    created = min(t for t in (paid_at, deposit_at, now) if t is not None)
    row = OrderRow(
        id=o["id"],
        customer_id=o["customer_id"],
        status=o["status"],
        address=o.get("address", ""),
        created_at=created,
        paid_at=paid_at,
        shipped_at=_when(o, "shipped_at", now),
        delivered_at=_when(o, "delivered_at", now),
        shipping_insurance=o.get("shipping_insurance", False),
        deposit_paid_at=deposit_at,
        balance_due=money(o["balance_due"]) if "balance_due" in o else None,
        group_members=o.get("group_members"),
        group_deadline=_when(o, "group_deadline", now),
        return_received_at=_when(o, "return_received_at", now),
        refund_amount=money(o["refund_amount"]) if "refund_amount" in o else None,
    )
    row.items = [
        OrderItemRow(
            sku=i["sku"],
            qty=i["qty"],
            unit_price=money(i["unit_price"]),
            size=i.get("size"),
            promotion_id=i.get("promotion_id"),
            engraving=i.get("engraving"),
        )
        for i in o["items"]
    ]
    row.events = [
        OrderEventRow(at=created, kind="status", detail="created", actor="seed"),
        OrderEventRow(at=now, kind="status", detail=o["status"], actor="seed"),
    ]
    ship = o.get("shipment")
    if ship:
        shipped_at = row.shipped_at or created
        row.shipment = ShipmentRow(
            courier=ship["courier"],
            tracking_no=ship["tracking_no"],
            shipped_at=shipped_at,
            delivered_at=row.delivered_at,
            events=[
                TrackingEventRow(at=resolve(at, now), description=text)
                for at, text in ship.get("events", [])
            ],
        )
    return row


def seed_demo(db: Database, now: datetime | None = None) -> datetime:
    """Load the whole demo shop; returns the 'now' its relative times were resolved against."""
    now = now or datetime.now(UTC)
    seed = load_seed()
    with db.session() as s:
        seed_commerce(s, seed, now)
        s.flush()
        seed_customers_and_orders(s, load_seed(CROSS_BORDER_FILE), now)
        s.flush()
        for seeder in EXTRA_SEEDERS:
            seeder(s, now)
    return now


def prepare_database(db: Database, *, seed: bool) -> bool:
    """Migrate, then seed the demo shop if the database is new. Returns True if it seeded."""
    db.migrate()
    if seed and db.is_empty():
        seed_demo(db)
        return True
    return False
