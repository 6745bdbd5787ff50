"""Quotes per second on one core: a 5-line cart with a 3-coupon wallet, and a 20-line cart.

Run: .venv/bin/python bench/bench_promotions.py [--seconds 2]
Prints the calculator alone (kefu.promotions.quote) and the service path that also renders the
explanations in three languages (what POST /api/v1/promotions/quote does, minus HTTP).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime

from kefu.demo.promotions import demo_rule_store, load_demo_products
from kefu.domain.catalog import Product
from kefu.promotions.book import RuleBook
from kefu.promotions.calculator import quote
from kefu.promotions.ports import CustomerWallet
from kefu.promotions.quote import CartItem
from kefu.promotions.service import PromotionService

FIVE = [("P1001", 1), ("P1003", 3), ("P1004", 2), ("P5001", 1), ("P2001", 1)]
TWENTY_SKUS = [
    "P1001", "P1002", "P1003", "P1004", "P1005", "P2001", "P2002", "P2003", "P2004", "P3001",
    "P3002", "P3003", "P4001", "P4002", "P5001", "P5002", "P6001", "P6002", "P1003", "P1004",
]  # fmt: skip


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``fn`` over about ``seconds`` of wall time."""
    for _ in range(200):  # warm caches
        fn()
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(100):
            fn()
        calls += 100
    return calls / elapsed


class _Catalog:
    def __init__(self, products: dict[str, Product]) -> None:
        self._list = list(products.values())

    def list_products(self) -> list[Product]:
        return self._list


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    now = datetime.now(UTC)
    store = demo_rule_store(now)
    products = load_demo_products()
    book = RuleBook(store.list_rules())
    wallet = CustomerWallet("B1", ("CPN-STORE-50", "CPN-PLAT-20", "CPN-NEW-10"), True)
    five = [CartItem(s, q) for s, q in FIVE]
    twenty = [CartItem(s, 2) for s in TWENTY_SKUS]

    five_rate = rate(lambda: quote(five, wallet, book, products, now), args.seconds)
    twenty_rate = rate(lambda: quote(twenty, wallet, book, products, now), args.seconds)
    print(f"calculator, 5-line cart, 3-coupon wallet: {five_rate:,.0f} quotes/s")
    print(f"calculator, 20-line cart, 3-coupon wallet: {twenty_rate:,.0f} quotes/s")

    store.set_wallet(wallet)
    service = PromotionService(store, _Catalog(products), lambda: now)
    five_raw = [{"sku": s, "qty": q} for s, q in FIVE]
    twenty_raw = [{"sku": s, "qty": 2} for s in TWENTY_SKUS]
    svc_five = rate(lambda: service.quote("B1", five_raw).to_wire(), args.seconds)
    svc_twenty = rate(lambda: service.quote("B1", twenty_raw).to_wire(), args.seconds)
    print(f"service + 3-language explanations + wire form, 5 lines: {svc_five:,.0f} quotes/s")
    print(f"service + 3-language explanations + wire form, 20 lines: {svc_twenty:,.0f} quotes/s")


if __name__ == "__main__":
    main()
