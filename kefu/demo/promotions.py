"""Load the demo shop's rules (data/demo/promotions.json) and wallets (data/demo/seed.json).

Demo times are offsets from the load moment; they become absolute UTC times here, so stored rules
never depend on when they are read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from kefu.domain.catalog import Category, NoReasonReturnExclusion, Product
from kefu.promotions.ports import CustomerWallet
from kefu.promotions.rules import Rule, parse_rules, validate_rule_set
from kefu.promotions.store import InMemoryRuleStore
from kefu.promotions.timespec import resolve_time

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEMO_RULES = DATA_DIR / "demo" / "promotions.json"
DEMO_SEED = DATA_DIR / "demo" / "seed.json"
_WINDOW_FIELDS = ("window", "balance_window")


def _resolve_window(value: Any, anchor: datetime, campaign: Mapping[str, str]) -> Any:
    if value == "campaign":
        return {
            "start": resolve_time(campaign["starts"], anchor),
            "end": resolve_time(campaign["ends"], anchor),
        }
    if isinstance(value, Mapping):
        return {k: resolve_time(v, anchor) if isinstance(v, str) else v for k, v in value.items()}
    return value


def resolve_rule_times(
    raw: Mapping[str, Any], anchor: datetime, campaign: Mapping[str, str]
) -> dict[str, Any]:
    """A rule's JSON with its relative times (offsets, "campaign") made absolute."""
    data = dict(raw)
    for name in _WINDOW_FIELDS:
        if name in data:
            data[name] = _resolve_window(data[name], anchor, campaign)
    return data


def load_seed(path: Path = DEMO_SEED) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return result


def product_from_seed(raw: Mapping[str, Any]) -> Product:
    exclusion = raw.get("no_reason_exclusion")
    return Product(
        sku=raw["sku"],
        name_zh=raw["name_zh"],
        name_en=raw["name_en"],
        category=Category(raw["category"]),
        price=Decimal(raw["price"]),
        stock=int(raw["stock"]),
        sizes=tuple(raw.get("sizes", ())),
        notes_zh=raw.get("notes_zh", ""),
        notes_en=raw.get("notes_en", ""),
        aliases=tuple(raw.get("aliases", ())),
        no_reason_exclusion=NoReasonReturnExclusion(exclusion) if exclusion else None,
        restock_days=raw.get("restock_days"),
        size_chart=dict(raw.get("size_chart", {})),
    )


def load_demo_products(seed: Mapping[str, Any] | None = None) -> dict[str, Product]:
    seed = seed if seed is not None else load_seed()
    return {p["sku"]: product_from_seed(p) for p in seed["products"]}


def load_demo_rules(
    anchor: datetime,
    products: Mapping[str, Product] | None = None,
    path: Path = DEMO_RULES,
    seed: Mapping[str, Any] | None = None,
) -> list[Rule]:
    """The demo rules with times relative to ``anchor``, validated against the catalogue."""
    seed = seed if seed is not None else load_seed()
    products = products if products is not None else load_demo_products(seed)
    raw = json.loads(path.read_text(encoding="utf-8"))
    campaign = seed["shop"]["campaign"]
    rules = parse_rules(resolve_rule_times(r, anchor, campaign) for r in raw["rules"])
    validate_rule_set(rules, products)
    return rules


def demo_wallets(seed: Mapping[str, Any] | None = None) -> list[CustomerWallet]:
    seed = seed if seed is not None else load_seed()
    return [
        CustomerWallet(c["id"], tuple(c.get("coupons", ())), bool(c.get("new_customer", False)))
        for c in seed["customers"]
    ]


def demo_rule_store(anchor: datetime) -> InMemoryRuleStore:
    """An in-memory store holding the demo rules and the demo customers' wallets."""
    seed = load_seed()
    store = InMemoryRuleStore()
    for rule in load_demo_rules(anchor, load_demo_products(seed), seed=seed):
        store.put_rule(rule, anchor)
    for wallet in demo_wallets(seed):
        store.set_wallet(wallet)
    return store
