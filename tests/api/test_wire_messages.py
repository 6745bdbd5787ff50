"""The customer's side of the contract (sections 3 and 5) answers exactly its wire models: a
reply, a handoff, a guest's first message, the conversation list and its history. The message
route writes its answer with orjson for speed, so nothing but this test holds it to the model."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from kefu.api.schemas.messages import ConversationOut, HistoryMessageOut, MessageOut


def _send(client: TestClient, **body: str) -> MessageOut:
    r = client.post("/api/v1/messages", json={"channel": "web", **body})
    assert r.status_code == 200, r.text
    return MessageOut.model_validate(r.json())


def test_answers_handoffs_and_guests_match_the_message_model(client: TestClient) -> None:
    answered = _send(client, customer_id="C1001", text="我的订单到哪了")
    assert answered.replies and not answered.handoff
    handed = _send(
        client,
        customer_id="C1001",
        conversation_id=answered.conversation_id,
        text="转人工",
    )
    assert handed.handoff and handed.status in ("waiting_agent", "with_agent")
    guest = _send(client, channel_user_id="wire-visitor-1", text="包邮吗")
    assert guest.replies and guest.status == "bot"


def test_the_conversation_list_and_history_match_their_models(client: TestClient) -> None:
    sent = _send(client, customer_id="C1002", text="退款咋还没到")
    listed = client.get("/api/v1/conversations", params={"customer_id": "C1002"})
    assert listed.status_code == 200, listed.text
    conversations = TypeAdapter(list[ConversationOut]).validate_python(listed.json())
    assert sent.conversation_id in [c.id for c in conversations]
    history = client.get(
        f"/api/v1/conversations/{sent.conversation_id}/messages",
        params={"customer_id": "C1002"},
    )
    assert history.status_code == 200, history.text
    messages = TypeAdapter(list[HistoryMessageOut]).validate_python(history.json())
    assert [m.sender for m in messages][:2] == ["customer", "bot"]
    assert messages[0].text == "退款咋还没到"
