"""The model's outcomes are counted where every worker adds to one count (Redis in production),
so any worker's /metrics shows the whole service."""

from __future__ import annotations

import pytest

from kefu.llm.assist import LlmMetrics
from kefu.runtime.shared import make_shared_state


@pytest.mark.redis
def test_two_workers_count_into_one_total(redis_url: str) -> None:
    first, second = make_shared_state(redis_url), make_shared_state(redis_url)
    try:
        LlmMetrics(first).record("phrasing", "used")
        LlmMetrics(second).record("phrasing", "used")
        LlmMetrics(second).record("phrasing", "rejected", "number")
        seen = LlmMetrics(first)
        assert seen.outcomes() == {("phrasing", "used"): 2, ("phrasing", "rejected"): 1}
        assert seen.rejections() == {("phrasing", "number"): 1}
    finally:
        first.close()
        second.close()
