"""What one customer can never reach of another's, and what an agent's reply cannot carry:
the rating and the quote need the customer's own token in production, a handoff ticket links
only the customer's own orders, an agent's reply passes the sensitive-word filter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kefu.api.app import create_app
from kefu.config import Mode, Settings
from kefu.desk.service import Desk
from kefu.edge.identity import issue_customer_token
from kefu.wiring import Kefu
from tests.conftest import PRODUCTION_SECRETS, demo_data_for_production
from tests.desk.support import desk_of, handoff, new_conversation


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    data_dir: Path = tmp_path_factory.mktemp("prod")
    demo_data_for_production(data_dir)
    settings = Settings(data_dir=data_dir, mode=Mode.PRODUCTION, **PRODUCTION_SECRETS)
    kefu = Kefu.start(settings)
    with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as client:
        yield client, settings.secret_key
    kefu.close()


def _bearer(secret: str, customer_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_customer_token(customer_id, secret, ttl_s=600)}"}


def test_a_rating_needs_the_customers_own_token_in_production(
    production: tuple[TestClient, str],
) -> None:
    client, secret = production
    said = client.post(
        "/api/v1/messages",
        json={"channel": "web", "customer_id": "C1001", "text": "在吗"},
        headers=_bearer(secret, "C1001"),
    )
    assert said.status_code == 200, said.text
    rating = f"/api/v1/conversations/{said.json()['conversation_id']}/rating"
    body = {"customer_id": "C1001", "score": 1, "comment": "太差"}
    assert client.post(rating, json=body).status_code == 401
    assert client.post(rating, json=body, headers=_bearer(secret, "C1002")).status_code == 401
    own = client.post(rating, json=body, headers=_bearer(secret, "C1001"))
    assert own.status_code != 401  # past the identity check (the desk decides the rest)


def test_a_quote_needs_the_customers_own_token_in_production(
    production: tuple[TestClient, str],
) -> None:
    client, secret = production
    cart = {"customer_id": "C1001", "items": [{"sku": "P1003", "qty": 2}]}
    for headers in ({}, _bearer(secret, "C1002")):
        refused = client.post("/api/v1/promotions/quote", json=cart, headers=headers)
        assert refused.status_code == 401
        assert "coupons_used" not in refused.text
    # an unknown id looks exactly like someone else's: no existence oracle
    unknown = client.post("/api/v1/promotions/quote", json={**cart, "customer_id": "C9999"})
    assert unknown.status_code == 401
    own = client.post("/api/v1/promotions/quote", json=cart, headers=_bearer(secret, "C1001"))
    assert own.status_code == 200 and "coupons_used" in own.json()


def test_a_handoff_ticket_never_links_another_customers_order(kefu: Kefu) -> None:
    desk: Desk = desk_of(kefu)
    now = datetime.now(UTC)
    conversation = new_conversation(kefu.db, "C1001", now, text="订单E2026111000006怎么回事")
    # E2026111000006 is C1004's order: C1001 typed it
    outcome = desk.hand_off(
        handoff(conversation, now, entities={"order_id": "E2026111000006", "phone": "x"})
    )
    ticket = desk.tickets.get(outcome.ticket_id).ticket  # type: ignore[arg-type,union-attr]
    assert ticket.order_id is None
    assert "E2026111000006" not in str(ticket.fields)
    # the customer's own order is linked as before
    own = new_conversation(kefu.db, "C1001", now, text="订单E2026111100001")
    outcome = desk.hand_off(handoff(own, now, entities={"order_id": "E2026111100001"}))
    assert desk.tickets.get(outcome.ticket_id).ticket.order_id == "E2026111100001"  # type: ignore[arg-type,union-attr]


def test_an_agents_reply_passes_the_sensitive_word_filter(kefu: Kefu, client: TestClient) -> None:
    desk: Desk = desk_of(kefu)
    now = datetime.now(UTC)
    conversation = new_conversation(kefu.db, "C1002", now, text="我要找人工")
    desk.hand_off(handoff(conversation, now))
    token = client.post("/api/v1/agent/login", json={"agent_id": "S01", "password": "demo"})
    auth = {"Authorization": f"Bearer {token.json()['token']}"}
    base = f"/api/v1/agent/conversations/{conversation.id}"
    assert client.post(f"{base}/accept", headers=auth).status_code == 200
    sent = client.post(
        f"{base}/messages", headers=auth, json={"text": "这是最好的选择，傻逼才不买"}
    )
    assert sent.status_code == 200
    history = client.get(
        f"/api/v1/conversations/{conversation.id}/messages", params={"customer_id": "C1002"}
    ).json()
    delivered = [m["text"] for m in history if m["sender"] == "agent"][-1]
    assert "傻逼" not in delivered and "最好" not in delivered
