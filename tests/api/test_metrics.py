"""``/metrics`` (contract 5) and the health checks: what Prometheus and an orchestrator see."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from kefu.config import Settings
from kefu.runtime.heartbeat import JOBS, beat
from kefu.wiring import Kefu


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def _say(client: TestClient, customer: str, text: str, channel: str = "web") -> None:
    body = {"channel": channel, "customer_id": customer, "text": text}
    assert client.post("/api/v1/messages", json=body).status_code == 200


def test_metrics_count_messages_handoffs_turns_and_the_waiting_queue(client: TestClient) -> None:
    before = scrape(client)
    assert before[("kefu_turn_seconds_count", ())] == 0
    _say(client, "C1005", "下单后多久发货？")
    _say(client, "C1005", "下单后多久发货？", channel="app")
    _say(client, "C1002", "转人工")
    after = scrape(client)

    assert after[("kefu_messages_total", (("channel", "web"), ("sender", "customer")))] == 2
    assert after[("kefu_messages_total", (("channel", "app"), ("sender", "customer")))] == 1
    assert after[("kefu_messages_total", (("channel", "web"), ("sender", "bot")))] >= 2
    assert after[("kefu_handoffs_total", (("reason", "asked_for_human"),))] == 1
    assert after[("kefu_turn_seconds_count", ())] == 3
    assert after[("kefu_turn_seconds_bucket", (("le", "+Inf"),))] == 3
    assert 0 < after[("kefu_turn_seconds_sum", ())] < 60
    waiting = {k[1][0][1]: v for k, v in after.items() if k[0] == "kefu_queue_waiting"}
    assert sum(waiting.values()) == 1
    assert after[("kefu_rollout_ai_share", ())] == 100
    # the handoff waits within its promise: nothing decided yet, so no ratio is claimed
    assert not any(k[0] == "kefu_wait_promise_met_ratio" for k in after)


@pytest.fixture
def two_workers(postgres_url: str, redis_url: str, tmp_path: Path) -> Iterator[tuple[Kefu, Kefu]]:
    settings = Settings(data_dir=tmp_path, database_url=postgres_url, redis_url=redis_url)
    first = Kefu.start(settings)
    second = Kefu.start(settings)
    yield first, second
    second.close()
    first.close()


def test_every_worker_scrapes_the_whole_services_numbers(two_workers: tuple[Kefu, Kefu]) -> None:
    from kefu.api.app import create_app

    first, second = two_workers
    with (
        TestClient(create_app(kefu=first)) as one,
        TestClient(create_app(kefu=second)) as two,
    ):
        _say(one, "C1005", "下单后多久发货？")
        _say(two, "C1005", "谢谢")
        _say(one, "C1002", "转人工")
        # each worker shares its turn timings at least once a second
        time.sleep(first.turn_timer.flush_every_s * 1.5)
        for client in (one, two):
            seen = scrape(client)
            assert seen[("kefu_turn_seconds_count", ())] == 3
            assert seen[("kefu_messages_total", (("channel", "web"), ("sender", "customer")))] == 3
            assert seen[("kefu_handoffs_total", (("reason", "asked_for_human"),))] == 1


def test_liveness_stays_up_and_readiness_reports_each_dependency(client: TestClient) -> None:
    assert client.get("/livez").json() == {"status": "alive"}
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert checks["database"]["ok"] and checks["shared_state"]["ok"]
    assert checks["jobs"] == {"ok": False, "required": False, "seconds_since_last_round": None}


def test_readiness_fails_when_a_required_job_runner_is_silent(sqlite_settings: Settings) -> None:
    from kefu.api.app import create_app

    kefu = Kefu.start(sqlite_settings.model_copy(update={"ready_requires_jobs": True}))
    try:
        with TestClient(create_app(kefu=kefu)) as client:
            silent = client.get("/readyz")
            assert silent.status_code == 503 and silent.json()["status"] == "unavailable"
            assert client.get("/livez").status_code == 200
            beat(kefu.state, JOBS, datetime.now(UTC))
            ready = client.get("/readyz")
            assert ready.status_code == 200 and ready.json()["checks"]["jobs"]["ok"]
            assert ("kefu_jobs_last_beat_seconds", ()) in scrape(client)
    finally:
        kefu.close()


def test_readiness_fails_when_the_database_is_gone(sqlite_settings: Settings) -> None:
    from kefu.api.app import create_app

    kefu = Kefu.start(sqlite_settings)
    try:
        with TestClient(create_app(kefu=kefu)) as client:
            kefu.db.engine.dispose()
            (sqlite_settings.data_dir / "kefu.db").unlink()
            (sqlite_settings.data_dir / "kefu.db").mkdir()  # unopenable: a directory
            down = client.get("/readyz")
            assert down.status_code == 503
            assert down.json()["checks"]["database"]["ok"] is False
            assert client.get("/livez").status_code == 200
    finally:
        kefu.close()


def test_the_share_of_vip_promises_kept_is_exported(client: TestClient, kefu: Kefu) -> None:
    from kefu.domain.conversations import Conversation, ConversationStatus
    from kefu.domain.handoff import HandoffReason, HandoffRequest

    waited = datetime.now(UTC) - timedelta(seconds=90)  # nobody took it: the 60 s promise broke
    kefu.dialogue.store.create(
        Conversation(
            "cvip1", "C1001", "web", ConversationStatus.WAITING_AGENT, "zh-CN", waited, waited
        )
    )
    kefu.desk.hand_off(
        HandoffRequest(
            "cvip1", "C1001", "web", HandoffReason.ASKED_FOR_HUMAN, "zh-CN", waited, "", vip="gold"
        )
    )
    seen = scrape(client)
    assert seen[("kefu_wait_promise_met_ratio", (("tier", "vip"),))] == 0.0
    assert ("kefu_wait_promise_met_ratio", (("tier", "normal"),)) not in seen


def test_the_last_hours_true_outcomes_are_exported_as_the_dashboard_computes_them(
    client: TestClient,
) -> None:
    _say(client, "C1005", "下单后多久发货？")
    _say(client, "C1002", "转人工")
    samples = scrape(client)
    ratios = {k[1][0][1]: v for k, v in samples.items() if k[0] == "kefu_outcome_ratio"}
    # two conversations in the hour, one handed to a person
    assert ratios["containment_rate"] == 0.5
    assert ratios["complaint_rate"] == 0.0
    token = client.post("/api/v1/agent/login", json={"agent_id": "S01", "password": "demo"})
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    dashboard = client.get("/api/v1/analytics/outcomes", params={"hours": 1}, headers=headers)
    assert dashboard.status_code == 200
    for measure in ("bot_resolution_rate", "first_contact_resolution", "containment_rate"):
        assert ratios[measure] == dashboard.json()[measure], measure
    assert ratios["bot_resolution_rate"] <= ratios["containment_rate"]
