"""Internal notes, tags and a supervisor's whisper on a conversation: the agent serving it and the
supervisors read them in the console view; the customer never sees a word of them (history,
socket), other agents cannot read or write them, and bad input is a clear 4xx."""

from __future__ import annotations

from fastapi.testclient import TestClient

NOTE = "顾客说上次收到的是旧款，电话13900001234，先别承诺补偿"
WHISPER = "先安抚情绪，补偿等我批"


def _login(client: TestClient, agent_id: str) -> dict[str, str]:
    r = client.post("/api/v1/agent/login", json={"agent_id": agent_id, "password": "demo"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_notes_tags_and_whispers_stay_with_the_desk(client: TestClient) -> None:
    a02, a01, s01 = _login(client, "A02"), _login(client, "A01"), _login(client, "S01")
    asked = client.post(
        "/api/v1/messages",
        json={"channel": "web", "customer_id": "C1002", "text": "我要退货，转人工"},
    ).json()
    assert asked["status"] == "waiting_agent", asked
    conv = asked["conversation_id"]
    base = f"/api/v1/agent/conversations/{conv}"

    # nobody serves it yet: nothing to whisper to
    early = client.post(
        f"/api/v1/agent/supervisor/conversations/{conv}/whisper",
        json={"text": WHISPER},
        headers=s01,
    )
    assert early.status_code == 409, early.text
    moved = client.post(
        f"/api/v1/agent/supervisor/conversations/{conv}/reassign",
        json={"agent_id": "A02"},
        headers=s01,
    )
    assert moved.status_code == 200, moved.text
    accepted = client.post(base + "/accept", headers=a02)
    assert accepted.status_code == 200, accepted.text

    added = client.post(base + "/notes", json={"text": NOTE}, headers=a02)
    assert added.status_code == 201, added.text
    assert added.json()["author"] == "A02" and added.json()["kind"] == "note"
    tagged = client.put(
        base + "/tags", json={"tags": ["退货纠纷", " VIP ", "退货纠纷"]}, headers=a02
    )
    assert tagged.status_code == 200 and tagged.json()["tags"] == ["VIP", "退货纠纷"]
    whispered = client.post(
        f"/api/v1/agent/supervisor/conversations/{conv}/whisper",
        json={"text": WHISPER},
        headers=s01,
    )
    assert whispered.status_code == 201, whispered.text
    assert whispered.json()["to_agent"] == "A02"

    # the serving agent and the supervisor see notes, the whisper and tags in the console view
    for who in (a02, s01):
        view = client.get(base, headers=who).json()
        assert [n["text"] for n in view["notes"]] == [NOTE, WHISPER]
        assert [n["kind"] for n in view["notes"]] == ["note", "whisper"]
        assert view["tags"] == ["VIP", "退货纠纷"]
    listed = client.get(base + "/notes", headers=a02).json()
    assert len(listed["notes"]) == 2 and listed["tags"] == ["VIP", "退货纠纷"]

    # the customer's side never carries them, even once an agent has replied
    assert client.post(base + "/messages", json={"text": "您好，我来处理"}, headers=a02).is_success
    history = client.get(f"/api/v1/conversations/{conv}/messages", params={"customer_id": "C1002"})
    assert history.status_code == 200 and "您好，我来处理" in history.text
    assert (
        NOTE not in history.text and WHISPER not in history.text and "退货纠纷" not in history.text
    )
    with client.websocket_connect(
        f"/api/v1/ws/chat?channel=web&customer_id=C1002&conversation_id={conv}"
    ) as ws:
        frames = [ws.receive_json()]
        while not (
            frames[-1].get("type") == "message" and "我来处理" in frames[-1].get("text", "")
        ):
            frames.append(ws.receive_json())
    assert all(NOTE not in str(f) and WHISPER not in str(f) for f in frames)

    # another agent, not serving it, neither reads nor writes them
    assert client.get(base + "/notes", headers=a01).status_code == 403
    assert client.post(base + "/notes", json={"text": "x"}, headers=a01).status_code == 403
    assert client.put(base + "/tags", json={"tags": []}, headers=a01).status_code == 403
    assert (
        client.post(
            f"/api/v1/agent/supervisor/conversations/{conv}/whisper",
            json={"text": "hi"},
            headers=a01,
        ).status_code
        == 403
    )
    assert client.get(base + "/notes").status_code == 401

    # bad input: a clear 4xx, nothing stored
    for body in ({"text": ""}, {"text": "   "}, {"text": "x" * 1001}, {}, {"text": 5}):
        r = client.post(base + "/notes", json=body, headers=a02)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["message"]
    for tags in (["x" * 13], [""], [str(n) for n in range(11)], "VIP", [1]):
        r = client.put(base + "/tags", json={"tags": tags}, headers=a02)
        assert r.status_code == 422, (tags, r.text)
    assert client.get(
        "/api/v1/agent/conversations/c000000000000000000000/notes", headers=a02
    ).status_code in (403, 404)
    after = client.get(base + "/notes", headers=a02).json()
    assert len(after["notes"]) == 2 and after["tags"] == ["VIP", "退货纠纷"]

    # the customer's erasure takes what agents wrote about them too
    erased = client.post("/api/v1/admin/customers/C1002/erase", headers=s01)
    assert erased.status_code == 200, erased.text
    assert client.get(base + "/notes", headers=s01).json()["notes"] == []
