"""The embedded demo reproduces every fact of the shared demo shop (shop.json)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kefu.domain.money import money
from kefu.domain.timeexpr import resolve
from kefu.store.db import Database
from kefu.store.seed import prepare_database, seed_demo
from kefu.store.tables.commerce import CustomerRow, OrderRow, ProductRow
from kefu.store.tables.promotions import CustomerCouponRow

# the facts the demo must reproduce: the shared spec beside the checkout when there is one, else
# the copy kept with the tests (a CI clone may stand alone), which must not drift from the spec
SHARED_SHOP = Path(__file__).resolve().parents[3] / "shared" / "demo-shop" / "shop.json"
KEPT_SHOP = Path(__file__).resolve().parent / "data" / "shop.json"
SHOP = SHARED_SHOP if SHARED_SHOP.exists() else KEPT_SHOP
NOW = datetime(2026, 11, 10, 4, 0, tzinfo=UTC)


@pytest.fixture
def shop() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SHOP.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def seeded(database_url: str) -> Database:
    db = Database.from_url(database_url)
    db.migrate()
    seed_demo(db, now=NOW)
    return db


def at(expr: str) -> datetime:
    return resolve(expr, NOW)


def iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_every_product_fact_is_seeded(seeded: Database, shop: dict[str, Any]) -> None:
    with seeded.session() as s:
        for p in shop["products"]:
            row = s.get(ProductRow, p["sku"])
            assert row is not None, p["sku"]
            assert (row.name_zh, row.name_en, row.category) == (
                p["name_zh"],
                p["name_en"],
                p["category"],
            )
            assert row.price == money(p["price"]) and str(row.price) == p["price"]
            assert row.stock == p["stock"]
            assert row.sizes == p.get("sizes", [])
        assert len(s.scalars(select(ProductRow)).all()) == len(shop["products"])


def test_every_customer_fact_is_seeded(seeded: Database, shop: dict[str, Any]) -> None:
    with seeded.session() as s:
        for c in shop["customers"]:
            row = s.get(CustomerRow, c["id"])
            assert row is not None, c["id"]
            assert (row.name, row.vip, row.phone, row.lang) == (
                c["name"],
                c["vip"],
                c["phone"],
                c["lang"],
            )
            assert row.is_new_customer == c.get("new_customer", False)
            assert {i.channel: i.channel_user_id for i in row.identities} == c["channels"]
            held = s.scalars(
                select(CustomerCouponRow.coupon_id).where(CustomerCouponRow.customer_id == c["id"])
            ).all()
            assert sorted(held) == sorted(c["coupons"])


def test_every_order_and_shipment_fact_is_seeded(seeded: Database, shop: dict[str, Any]) -> None:
    times = {
        "paid": "paid_at",
        "shipped": "shipped_at",
        "delivered": "delivered_at",
        "deposit_paid": "deposit_paid_at",
        "group_deadline": "group_deadline",
        "return_received": "return_received_at",
    }
    with seeded.session() as s:
        for o in shop["orders"]:
            row = s.get(OrderRow, o["id"])
            assert row is not None, o["id"]
            assert row.customer_id == o["customer"] and row.status == o["status"]
            for src, col in times.items():
                expected = at(o[src]) if src in o else None
                assert getattr(row, col) == expected, (o["id"], col)
            items = [(i.sku, i.qty, str(i.unit_price), i.size, i.promotion_id) for i in row.items]
            assert items == [
                (i["sku"], i["qty"], i["price"], i.get("size"), i.get("promotion"))
                for i in o["items"]
            ]
            for i, item in zip(o["items"], row.items, strict=True):
                assert item.engraving == i.get("engraving")
            if "address" in o:
                assert row.address == o["address"]
            assert row.shipping_insurance == o.get("shipping_insurance", False)
            for key in ("balance_due", "refund_amount"):
                value = getattr(row, key)
                assert (str(value) if value is not None else None) == o.get(key)
            assert row.group_members == o.get("group_members")
            if "courier" not in o:
                assert row.shipment is None
                continue
            assert row.shipment is not None
            assert (row.shipment.courier, row.shipment.tracking_no) == (o["courier"], o["tracking"])
            seeded_events = {(e.at, e.description) for e in row.shipment.events}
            for when, text in o.get("tracking_events", []):
                assert (at(when), text) in seeded_events
            if "tracking_events" in o:
                # the shop's own events are the whole trail of an undelivered parcel
                assert len(row.shipment.events) == len(o["tracking_events"])


def test_prepare_database_seeds_only_a_new_database(database_url: str) -> None:
    db = Database.from_url(database_url)
    assert prepare_database(db, seed=True) is True
    assert prepare_database(db, seed=True) is False
    with db.session() as s:
        assert s.scalar(select(CustomerRow).where(CustomerRow.id == "C1001")) is not None


def test_every_promotion_and_coupon_fact_is_seeded(seeded: Database, shop: dict[str, Any]) -> None:
    from kefu.store.promotions_repo import SqlRuleStore

    rules = {r.id: r.model_dump(mode="json") for r in SqlRuleStore(seeded).list_rules()}
    for p in shop["promotions"]:
        rule = rules[p["id"]]
        assert rule["kind"] == p["kind"]
        for key in ("sku", "price", "nth", "rate", "buy", "get", "every", "off", "deposit"):
            if key in p:
                assert str(rule[key]) == str(p[key]), (p["id"], key)
        for key in ("deposit_worth", "group_size", "group_price", "limit_per_customer"):
            if key in p:
                assert str(rule[key]) == str(p[key]), (p["id"], key)
        if "excludes_skus" in p:
            assert rule["excludes_skus"] == p["excludes_skus"]
        if p["kind"] == "flash_sale":
            window = rule["window"]
            assert iso(window["start"]) == at(p["window"][0])
            assert iso(window["end"]) == at(p["window"][1])
        if p["kind"] == "presale":
            window = rule["balance_window"]
            assert iso(window["start"]) == at(p["balance_window"][0])
            assert iso(window["end"]) == at(p["balance_window"][1])
    for c in shop["coupons"]:
        rule = rules[c["id"]]
        assert rule["kind"] == f"{c['kind']}_coupon"
        assert (str(rule["threshold"]), str(rule["off"])) == (c["threshold"], c["off"])


def test_the_kept_copy_of_the_shop_matches_the_shared_spec() -> None:
    if SHARED_SHOP.exists():
        assert json.loads(KEPT_SHOP.read_text(encoding="utf-8")) == json.loads(
            SHARED_SHOP.read_text(encoding="utf-8")
        )
    else:
        assert json.loads(KEPT_SHOP.read_text(encoding="utf-8"))["customers"]
