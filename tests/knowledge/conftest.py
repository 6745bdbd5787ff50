from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kefu.demo.knowledge import load_demo_entries
from kefu.knowledge.service import KnowledgeService
from tests.knowledge.memory_repo import MemoryRepository

SEEDED_AT = datetime(2026, 11, 10, 4, 0, tzinfo=UTC)


@pytest.fixture
def repo() -> MemoryRepository:
    return MemoryRepository(load_demo_entries(SEEDED_AT), SEEDED_AT)


@pytest.fixture
def service(repo: MemoryRepository) -> KnowledgeService:
    return KnowledgeService(repo)
