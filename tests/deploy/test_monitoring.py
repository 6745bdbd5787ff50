"""deploy/: the Prometheus rules, their unit tests, the scrape config and the Grafana dashboard's
queries all pass promtool (Debian's prometheus package, installed by ``make promtool``), and the
dashboard only plots series kefu really exports."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
RULES = DEPLOY / "prometheus" / "kefu-rules.yml"
DASHBOARD = DEPLOY / "grafana" / "kefu-dashboard.json"
# what /metrics exports (tests/api/test_metrics.py scrapes each) and the recording rules
EXPORTED = {
    "kefu_messages_total",
    "kefu_handoffs_total",
    "kefu_turn_seconds_bucket",
    "kefu_queue_waiting",
    "kefu_queue_oldest_wait_seconds",
    "kefu_service_alerts_total",
    "kefu_rollout_ai_share",
    "kefu_jobs_last_beat_seconds",
    "kefu_wait_promise_met_ratio",
    "kefu_outcome_ratio",
}
SERIES = re.compile(r"\b(kefu_[a-z_]+|kefu:[a-z0-9_:]+)")


@pytest.fixture(scope="module")
def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        message = "promtool missing: run `make promtool` (Debian's prometheus package)"
        if os.environ.get("KEFU_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return found


def _run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_alert_rules_pass_promtool_and_their_unit_tests(promtool: str) -> None:
    assert "SUCCESS: 13 rules found" in _run(promtool, "check", "rules", str(RULES))
    assert "SUCCESS" in _run(
        promtool, "test", "rules", str(DEPLOY / "prometheus" / "kefu-rules.test.yml")
    )
    _run(promtool, "check", "config", str(DEPLOY / "prometheus" / "prometheus.yml"))


def _dashboard_queries() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [t["expr"] for p in dashboard["panels"] for t in p["targets"]]


def test_every_dashboard_query_parses_with_promtool(promtool: str, tmp_path: Path) -> None:
    # promtool has no dashboard check: each query becomes a recording rule it must parse
    queries = _dashboard_queries()
    assert len(queries) >= 10
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [{"record": f"dashboard:q{i}", "expr": q} for i, q in enumerate(queries)],
            }
        ]
    }
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    assert f"SUCCESS: {len(queries)} rules found" in _run(promtool, "check", "rules", str(path))


def test_dashboard_and_rules_use_only_series_kefu_exports() -> None:
    recorded = {
        r["record"]
        for g in yaml.safe_load(RULES.read_text())["groups"]
        for r in g["rules"]
        if "record" in r
    }
    used = set()
    for text in [*_dashboard_queries(), RULES.read_text()]:
        used |= {m for m in SERIES.findall(text)}
    unknown = used - EXPORTED - recorded
    assert not unknown, f"series nothing exports: {sorted(unknown)}"
    # the contract's four series are on the dashboard
    plotted = " ".join(_dashboard_queries())
    for name in (
        "kefu_messages_total",
        "kefu_handoffs_total",
        "kefu_turn_seconds_bucket",
        "kefu_queue_waiting",
    ):
        assert name in plotted
