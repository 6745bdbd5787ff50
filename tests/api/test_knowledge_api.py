from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

KB = "/api/v1/admin/kb"
ENTRY = {
    "id": "gift-wrap",
    "question": "可以礼品包装吗？",
    "variants": ["能帮我包成礼物吗", "gift wrapping"],
    "answers": {"zh-CN": "可以，下单时备注即可。", "en": "Yes, add a note when ordering."},
    "tags": ["service"],
}


def _token(client: TestClient, agent_id: str) -> str:
    login = client.post("/api/v1/agent/login", json={"agent_id": agent_id, "password": "demo"})
    assert login.status_code == 200
    return str(login.json()["token"])


@pytest.fixture(autouse=True)
def _as_supervisor(client: TestClient) -> None:
    """The knowledge admin is for supervisors: every test acts as the demo supervisor S01."""
    client.headers["Authorization"] = f"Bearer {_token(client, 'S01')}"


def test_only_supervisors_reach_the_knowledge_admin(client: TestClient) -> None:
    agent_token = _token(client, "A01")
    del client.headers["Authorization"]
    anonymous = client.get(f"{KB}/entries")
    assert anonymous.status_code == 401 and _error(anonymous)["code"] == "unauthorized"
    forged = client.get(f"{KB}/entries", headers={"Authorization": "Bearer v1.abc.def"})
    assert forged.status_code == 401
    plain_agent = client.post(
        f"{KB}/entries", json=ENTRY, headers={"Authorization": f"Bearer {agent_token}"}
    )
    assert plain_agent.status_code == 403 and _error(plain_agent)["code"] == "forbidden"
    assert client.get(f"{KB}/entries/gift-wrap", headers={"Authorization": "x"}).status_code == 401


def _error(response: object) -> dict[str, str]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body["error"]) >= {"code", "message"}
    return dict(body["error"])


def test_admin_creates_updates_rolls_back_and_deletes_an_entry(client: TestClient) -> None:
    created = client.post(f"{KB}/entries", json=ENTRY)
    assert created.status_code == 201 and created.json()["version"] == 1
    updated = client.put(f"{KB}/entries/gift-wrap", json={"answers": {"en": "Yes, for free."}})
    assert updated.status_code == 200 and updated.json()["version"] == 2
    versions = client.get(f"{KB}/entries/gift-wrap/versions").json()
    assert [v["version"] for v in versions] == [1, 2]
    assert {v["actor"] for v in versions} == {"S01"}  # who changed it comes from the token
    rolled = client.post(f"{KB}/entries/gift-wrap/rollback", json={"version": 1})
    assert rolled.json()["answers"]["zh-CN"] == "可以，下单时备注即可。"
    assert client.delete(f"{KB}/entries/gift-wrap").status_code == 204
    assert client.get(f"{KB}/entries/gift-wrap").status_code == 404


def test_bad_input_gets_a_4xx_json_error(client: TestClient) -> None:
    bad_id = client.post(f"{KB}/entries", json={**ENTRY, "id": "Not An Id"})
    assert bad_id.status_code == 422 and _error(bad_id)["code"] == "invalid_entry"
    no_answer = client.post(f"{KB}/entries", json={**ENTRY, "answers": {}})
    assert no_answer.status_code == 422
    not_object = client.post(f"{KB}/entries", json=["x"])
    assert not_object.status_code == 422 and _error(not_object)["code"] == "invalid_request"
    duplicate = client.post(f"{KB}/entries", json={**ENTRY, "id": "invoice"})
    assert duplicate.status_code == 409 and _error(duplicate)["code"] == "conflict"
    stale = client.put(f"{KB}/entries/invoice?expected_version=9", json={"tags": []})
    assert stale.status_code == 409
    missing = client.post(f"{KB}/entries/nope/rollback", json={"version": 1})
    assert missing.status_code == 404 and _error(missing)["code"] == "not_found"
    bad_csv = client.post(f"{KB}/import?format=csv", content="just,a,header\n")
    assert bad_csv.status_code == 422
    bad_json = client.post(f"{KB}/import?format=json", content="{not json")
    assert bad_json.status_code == 422 and "JSON" in _error(bad_json)["message"]
    bad_format = client.get(f"{KB}/export?format=xml")
    assert bad_format.status_code == 422


def test_export_csv_then_import_it_back_changes_nothing(client: TestClient) -> None:
    exported = client.get(f"{KB}/export?format=csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    result = client.post(f"{KB}/import?format=csv", content=exported.text.encode("utf-8"))
    assert result.status_code == 200
    assert result.json()["created"] == 0 and result.json()["updated"] == 0


def test_search_preview_answers_in_the_requested_language(client: TestClient) -> None:
    body = client.post(f"{KB}/search", json={"text": "可以開公司發票嗎", "lang": "zh-TW"}).json()
    assert body["decision"] == "answer" and body["hits"][0]["entry_id"] == "company-invoice"
    assert "稅號" in body["hits"][0]["answer"]


def test_gaps_and_proposal_review_over_http(client: TestClient) -> None:
    kb = client.app.state.kefu.knowledge  # type: ignore[attr-defined]
    for text in ("你们有实体店吗", "线下有实体门店吗", "今天天气怎么样"):
        kb.search(text)
    gaps = client.get(f"{KB}/gaps").json()
    assert gaps[0]["count"] == 2
    proposal = client.post(
        f"{KB}/proposals",
        json={
            "question": "有实体店吗",
            "answer": "目前只有网店。",
            "lang": "zh-CN",
            "agent_id": "A01",
        },
    ).json()
    pending = client.get(f"{KB}/proposals").json()
    assert [p["id"] for p in pending] == [proposal["id"]]
    approved = client.post(f"{KB}/proposals/{proposal['id']}/approve")
    assert approved.status_code == 200 and approved.json()["answers"]["zh-CN"] == "目前只有网店。"
    again = client.post(f"{KB}/proposals/{proposal['id']}/reject")
    assert again.status_code == 409
    bad = client.post(f"{KB}/proposals", json={"question": "q", "answer": "a", "lang": "fr"})
    assert bad.status_code == 422
