"""One trained pipeline per test session (training takes a few seconds; parsing is sub-ms)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kefu.demo.promotions import load_demo_products
from kefu.domain.catalog import Product
from kefu.nlu import NluPipeline

# 2026-11-11 10:00 in Shanghai.
NOW = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def products() -> list[Product]:
    return list(load_demo_products().values())


@pytest.fixture(scope="session")
def nlu_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nlu-cache")


@pytest.fixture(scope="session")
def nlu(products: list[Product], nlu_cache: Path) -> NluPipeline:
    return NluPipeline.load(products, nlu_cache)
