"""Masked views with an audited full view, the audit log of the back office, a customer's export
and erasure (API and CLI), and retention."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from kefu.desk.service import Desk
from kefu.domain.conversations import Sender
from kefu.knowledge.ports import UncoveredQuestion
from kefu.privacy.requests import run_retention
from kefu.store.conversation_repo import SqlConversations
from kefu.store.knowledge_repo import SqlKnowledgeRepository
from kefu.wiring import Kefu
from tests.desk.support import desk_of, handoff, new_conversation
from tests.privacy.test_personal_data import ADDRESS, PHONE, dump

CUSTOMER = "C1001"


@pytest.fixture
def api(kefu: Kefu) -> Iterator[TestClient]:
    desk_of(kefu)
    from kefu.api.app import create_app

    with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as c:
        yield c


def _login(api: TestClient, agent_id: str) -> dict[str, str]:
    response = api.post("/api/v1/agent/login", json={"agent_id": agent_id, "password": "demo"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _with_agent(kefu: Kefu, api: TestClient, agent_id: str = "A02") -> tuple[str, dict[str, str]]:
    desk: Desk = kefu.desk
    now = datetime.now(UTC)
    conversation = new_conversation(kefu.db, CUSTOMER, now, text="快递员说地址不对,我要找人工")
    desk.hand_off(handoff(conversation, now, intent="logistics"))
    headers = _login(api, agent_id)
    accepted = api.post(f"/api/v1/agent/conversations/{conversation.id}/accept", headers=headers)
    assert accepted.status_code == 200, accepted.text
    return conversation.id, headers


def _audit(api: TestClient, **params: str) -> list[dict[str, object]]:
    response = api.get("/api/v1/admin/audit", headers=_login(api, "S01"), params=params)
    assert response.status_code == 200, response.text
    events: list[dict[str, object]] = response.json()
    return events


# ---- masked views, audited full views --------------------------------------------------------


def test_an_agent_sees_masked_phone_and_address_and_each_full_view_is_audited(
    kefu: Kefu, api: TestClient
) -> None:
    conversation_id, a02 = _with_agent(kefu, api)
    view = api.get(f"/api/v1/agent/conversations/{conversation_id}", headers=a02).json()
    assert PHONE not in json.dumps(view, ensure_ascii=False)
    assert ADDRESS not in json.dumps(view, ensure_ascii=False)
    assert view["customer"]["phone"].endswith("1001") and "*" in view["customer"]["phone"]
    assert all(o["address"].endswith("****") for o in view["orders"])

    url = f"/api/v1/agent/conversations/{conversation_id}/reveal"
    no_reason = api.post(url, headers=a02, json={"field": "phone", "reason": ""})
    assert no_reason.status_code == 422 and "error" in no_reason.json()
    phone = api.post(url, headers=a02, json={"field": "phone", "reason": "courier needs it"})
    assert phone.status_code == 200 and phone.json()["value"] == PHONE
    address = api.post(
        url,
        headers=a02,
        json={"field": "address", "reason": "check the door number", "order_id": "E2026111100001"},
    )
    assert address.status_code == 200 and address.json()["value"] == ADDRESS

    events = _audit(api, actor="A02")
    views = [e for e in events if e["action"] == "view_personal_data"]
    assert [(e["target_kind"], e["target_id"], e["reason"]) for e in views] == [
        ("order", "E2026111100001", "check the door number"),
        ("customer", CUSTOMER, "courier needs it"),
    ]
    assert all(e["at"] for e in views)


def test_an_agent_cannot_reveal_data_of_a_conversation_that_is_not_theirs(
    kefu: Kefu, api: TestClient
) -> None:
    conversation_id, _ = _with_agent(kefu, api, "A02")
    a01 = _login(api, "A01")
    url = f"/api/v1/agent/conversations/{conversation_id}/reveal"
    refused = api.post(url, headers=a01, json={"field": "phone", "reason": "curious"})
    assert refused.status_code == 403 and PHONE not in refused.text
    # nor reach another customer's order through the conversation of this one
    a02 = _login(api, "A02")
    other = api.post(
        url,
        headers=a02,
        json={"field": "address", "reason": "x", "order_id": "E2026110500003"},  # C1002's
    )
    assert other.status_code == 404 and "建国路" not in other.text
    assert not [e for e in _audit(api) if e["action"] == "view_personal_data"]


def test_back_office_changes_are_in_the_audit_log_for_admins_only(api: TestClient) -> None:
    s01 = _login(api, "S01")
    added = api.post(
        "/api/v1/admin/sensitive-words",
        headers=s01,
        json={"word": "测试违禁词", "category": "custom"},
    )
    assert added.status_code == 201, added.text
    events = _audit(api, actor="S01")
    change = next(e for e in events if e["action"] == "admin_change")
    assert change["target_kind"] == "sensitive-words"
    assert change["detail"]["method"] == "POST"  # type: ignore[index]
    # reads change nothing and are not recorded as changes; agents cannot read the log
    assert api.get("/api/v1/admin/sensitive-words", headers=s01).status_code == 200
    assert len([e for e in _audit(api, actor="S01") if e["action"] == "admin_change"]) == 1
    assert api.get("/api/v1/admin/audit", headers=_login(api, "A01")).status_code == 403
    assert api.get("/api/v1/admin/audit").status_code == 401


# ---- a customer's data requests --------------------------------------------------------------


def test_export_then_erase_through_the_admin_api(kefu: Kefu, api: TestClient) -> None:
    _with_agent(kefu, api)
    s01 = _login(api, "S01")
    exported = api.get(f"/api/v1/admin/customers/{CUSTOMER}/export", headers=s01)
    assert exported.status_code == 200
    data = exported.json()
    assert data["customer"]["phone"] == PHONE and data["customer"]["name"]
    assert ADDRESS in {o["address"] for o in data["orders"]}
    assert any(
        m["text"].startswith("快递员说地址不对")
        for c in data["conversations"]
        for m in c["messages"]
    )
    assert all(o["id"].startswith("E") for o in data["orders"])
    assert "C1002" not in json.dumps(data)  # nothing of another customer

    gaps = SqlKnowledgeRepository(kefu.db)
    asked = "13800001001这个号码能换绑吗"
    gaps.add_uncovered(UncoveredQuestion(asked, asked, "zh-CN", datetime.now(UTC), CUSTOMER))
    erased = api.post(f"/api/v1/admin/customers/{CUSTOMER}/erase", headers=s01)
    assert erased.status_code == 200
    assert asked not in [q.text for q in gaps.uncovered()]
    after = api.get(f"/api/v1/admin/customers/{CUSTOMER}/export", headers=s01).json()
    assert (
        after["customer"]["phone"] == "" and after["customer"]["name"] != data["customer"]["name"]
    )
    assert {o["address"] for o in after["orders"]} == {""}
    assert after["customer"]["channels"] == {}
    raw = dump(kefu.db)
    assert data["customer"]["name"] not in raw and "快递员说地址不对" not in raw
    # the orders stay for the shop's accounts
    assert len(after["orders"]) == len(data["orders"])
    # another customer is untouched
    assert kefu.commerce.get_customer("C1002").phone == "13800001002"
    actions = {(e["action"], e["target_id"]) for e in _audit(api)}
    assert {("customer_export", CUSTOMER), ("customer_erase", CUSTOMER)} <= actions
    assert api.get("/api/v1/admin/customers/NOPE/export", headers=s01).status_code == 404
    assert api.post(f"/api/v1/admin/customers/{CUSTOMER}/erase").status_code == 401


def test_the_cli_exports_and_erases_a_customer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kefu.cli import app
    from kefu.config import get_settings

    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KEFU_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        exported = runner.invoke(app, ["customer", "export", "C1003"])
        assert exported.exit_code == 0, exported.output
        assert json.loads(exported.output)["customer"]["phone"] == "13800001003"
        erased = runner.invoke(app, ["customer", "erase", "C1003", "--yes"])
        assert erased.exit_code == 0, erased.output
        again = json.loads(runner.invoke(app, ["customer", "export", "C1003"]).output)
        assert again["customer"]["phone"] == ""
        missing = runner.invoke(app, ["customer", "export", "C9999"])
        assert missing.exit_code == 1
        retention = runner.invoke(app, ["privacy", "retention"])
        assert retention.exit_code == 0 and "messages" in json.loads(retention.output)
        assert len(runner.invoke(app, ["data", "new-key"]).output.strip()) == 44
    finally:
        get_settings.cache_clear()


# ---- retention -------------------------------------------------------------------------------


def test_retention_anonymises_only_what_is_older_than_the_configured_age(kefu: Kefu) -> None:
    now = datetime.now(UTC)
    old_at = now - timedelta(days=kefu.settings.retention_days + 10)
    old = new_conversation(kefu.db, "C1003", old_at, text="我的手机号13800001003,地址文三路200号")
    recent = new_conversation(kefu.db, "C1001", now, text="我的快递到哪了")
    SqlConversations(kefu.db).append_message(recent.id, Sender.BOT, "在路上了", now)
    # an old customer with nothing recent (C1003's orders are old in this clock): backdate all
    with kefu.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE customers SET created_at = :at WHERE id = 'C1003'"), {"at": old_at}
        )
        conn.execute(
            text("UPDATE orders SET created_at = :at WHERE customer_id = 'C1003'"),
            {"at": old_at},
        )
    report = run_retention(kefu, now)
    assert report["messages"] >= 1 and report["customers"] >= 1
    store = SqlConversations(kefu.db)
    assert [m.text for m in store.messages(old.id)] == ["[erased]"]
    assert [m.text for m in store.messages(recent.id)] == ["我的快递到哪了", "在路上了"]
    assert kefu.commerce.get_customer("C1003").phone == ""
    assert kefu.commerce.get_customer("C1001").phone == PHONE
    assert "文三路" not in dump(kefu.db)
    # running it again finds nothing more to do
    assert run_retention(kefu, now)["messages"] == 0
