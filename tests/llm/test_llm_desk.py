"""The model for people: a summary and a checked draft for the agent, draft answers for frequent
uncovered questions into review (never live); nothing of it without a model."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kefu.api.app import create_app
from kefu.llm.desk import GAP_AUTHOR, propose_gap_answers
from kefu.wiring import Kefu
from tests.llm.conftest import start_kefu
from tests.llm.standin import Script


@pytest.fixture
def kefu_llm(tmp_path: Path, model_url: str, script: Script) -> Iterator[Kefu]:
    script.mode, script.requests[:] = "good", []
    kefu = start_kefu(tmp_path, llm_base_url=model_url, llm_model="standin")
    yield kefu
    kefu.close()


def _handed_over(client: TestClient) -> tuple[str, dict[str, str]]:
    said = client.post(
        "/api/v1/messages",
        json={"channel": "web", "customer_id": "C1001", "text": "帮我转人工，耳机订单要问问"},
    ).json()
    assert said["handoff"] is True
    token = client.post("/api/v1/agent/login", json={"agent_id": "S01", "password": "demo"})
    return said["conversation_id"], {"Authorization": f"Bearer {token.json()['token']}"}


def test_the_agent_gets_a_summary_and_a_draft_that_keeps_to_the_facts(
    kefu_llm: Kefu,
    script: Script,
) -> None:
    with TestClient(create_app(kefu=kefu_llm)) as client:
        conversation_id, auth = _handed_over(client)
        url = f"/api/v1/agent/conversations/{conversation_id}/llm-assist"
        shown = client.get(url, headers=auth).json()
        assert shown["available"] is True and shown["summary"]
        assert shown["drafts"] == ["亲，我这边看到订单E2026111100002已付款待发货，马上为您催促。"]
        customer = kefu_llm.commerce.get_customer("C1001")
        assert customer.phone and customer.phone not in str(script.requests)
        assert customer.name not in str(script.requests)
        script.mode = "invent_id"
        assert client.get(url, headers=auth).json()["drafts"] == []
        assert client.get(url).status_code == 401


def test_without_a_model_the_console_is_told_so(kefu: Kefu) -> None:
    with TestClient(create_app(kefu=kefu)) as client:
        conversation_id, auth = _handed_over(client)
        shown = client.get(
            f"/api/v1/agent/conversations/{conversation_id}/llm-assist", headers=auth
        ).json()
    assert shown == {"available": False, "summary": None, "drafts": []}


def test_frequent_uncovered_questions_get_a_draft_in_review_not_live(kefu_llm: Kefu) -> None:
    now = datetime(2026, 11, 20, 4, 41, tzinfo=UTC)
    for text in ("门店可以自提吗", "能不能到店自提", "线下门店自提怎么弄"):
        kefu_llm.knowledge.log_uncovered(text, "zh-CN", now=now)
    live_before = kefu_llm.knowledge.search("门店自提", "zh-CN", "web", now, record=False)
    assert propose_gap_answers(kefu_llm, now) >= 1
    proposals = [p for p in kefu_llm.knowledge.proposals() if p.agent_id == GAP_AUTHOR]
    assert proposals and proposals[0].answer.startswith("[to confirm]")
    live_after = kefu_llm.knowledge.search("门店自提", "zh-CN", "web", now, record=False)
    assert [h.answer for h in live_after.hits] == [h.answer for h in live_before.hits]
    assert propose_gap_answers(kefu_llm, now) == 0  # drafted once, not again
