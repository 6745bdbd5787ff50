"""The demo shop's rules loaded at a pinned moment, and a service over them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kefu.demo.promotions import demo_rule_store, load_demo_products
from kefu.domain.catalog import Product
from kefu.promotions.book import RuleBook
from kefu.promotions.service import PromotionService
from kefu.promotions.store import InMemoryRuleStore

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


class StaticCatalog:
    def __init__(self, products: dict[str, Product]) -> None:
        self.products = products

    def list_products(self) -> list[Product]:
        return list(self.products.values())


@pytest.fixture(scope="session")
def products() -> dict[str, Product]:
    return load_demo_products()


@pytest.fixture
def store() -> InMemoryRuleStore:
    return demo_rule_store(NOW)


@pytest.fixture
def book(store: InMemoryRuleStore) -> RuleBook:
    return RuleBook(store.list_rules())


@pytest.fixture
def service(store: InMemoryRuleStore, products: dict[str, Product]) -> PromotionService:
    return PromotionService(store, StaticCatalog(products), lambda: NOW)
