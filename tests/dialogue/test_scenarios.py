"""Our own conversation scenarios (another voice than the dev set) on the real components."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kefu.config import Settings
from kefu.dialogue import Dialogue
from kefu.nlu import NluPipeline
from kefu.tools.conversation_eval import (
    ScenarioResult,
    check_turn,
    report,
    run_scenario,
    scenario_kinds,
)
from kefu.wiring import Kefu
from tests.dialogue.conftest import MODELS


def _load(name: str) -> list[dict]:
    lines = (Path(__file__).parent / name).read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


SCENARIOS = _load("scenarios_own.jsonl")
# a second voice: other customers, phrasings and multi-turn paths, written from shop.json's facts
VOICE_SCENARIOS = _load("scenarios_voice.jsonl")
# labelled by kind (context, safe actions, handoff, order choice, waiting room): issue 12's cases
KIND_SCENARIOS = _load("scenarios_kinds.jsonl")


@contextmanager
def fresh(tmp: Path, nlu: NluPipeline) -> Iterator[Dialogue]:
    kefu = Kefu.start(Settings(data_dir=tmp, model_dir=MODELS))
    kefu.dialogue.nlu = nlu
    try:
        yield kefu.dialogue
    finally:
        kefu.close()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["id"] for s in SCENARIOS])
def test_scenario(scenario: dict, tmp_path: Path, real_nlu: NluPipeline) -> None:
    with fresh(tmp_path, real_nlu) as dialogue:
        result = run_scenario(dialogue, scenario)
    assert result.passed, "\n".join(result.reasons + [f"{a} -> {b}" for a, b in result.transcript])


@pytest.mark.parametrize("scenario", VOICE_SCENARIOS, ids=[s["id"] for s in VOICE_SCENARIOS])
def test_voice_scenario(scenario: dict, tmp_path: Path, real_nlu: NluPipeline) -> None:
    with fresh(tmp_path, real_nlu) as dialogue:
        result = run_scenario(dialogue, scenario)
    assert result.passed, "\n".join(result.reasons + [f"{a} -> {b}" for a, b in result.transcript])


@pytest.mark.parametrize("scenario", KIND_SCENARIOS, ids=[s["id"] for s in KIND_SCENARIOS])
def test_kind_scenario(scenario: dict, tmp_path: Path, real_nlu: NluPipeline) -> None:
    with fresh(tmp_path, real_nlu) as dialogue:
        result = run_scenario(dialogue, scenario)
    assert result.passed, "\n".join(result.reasons + [f"{a} -> {b}" for a, b in result.transcript])


def test_every_kind_has_scenarios_and_the_report_counts_them_apart() -> None:
    kinds = {k for s in KIND_SCENARIOS for k in scenario_kinds(s)}
    assert kinds == {"context", "safe_actions", "handoff", "order_choice", "waiting_room"}
    results = [
        ScenarioResult("a", True, kinds=("handoff",)),
        ScenarioResult("b", False, kinds=("handoff", "context")),
        ScenarioResult("c", True),
    ]
    lines = report(results).splitlines()
    assert "kind context: 0/1 (failing: b)" in lines
    assert "kind handoff: 1/2 (failing: b)" in lines
    assert "kind (unlabelled): 1/1" in lines and lines[-1] == "passed 2/3 (67%)"


def test_the_voice_set_speaks_for_every_demo_customer_in_every_language() -> None:
    customers = {s.get("customer_id") for s in VOICE_SCENARIOS}
    assert {"C1001", "C1002", "C1003", "C1004", "C1005", "C1006"} <= customers
    expects = [t["expect"] for s in VOICE_SCENARIOS for t in s["turns"]]
    assert any(e.get("english") for e in expects)
    assert any(e.get("traditional") for e in expects)


def test_every_intent_family_and_handoff_rule_is_covered() -> None:
    intents = {t["expect"].get("intent") for s in SCENARIOS for t in s["turns"]}
    assert {
        "order_status", "logistics", "change_address", "cancel_order", "return_refund",
        "refund_status", "invoice", "price_protection", "product_info", "stock", "promotion",
        "coupon", "account", "greeting", "other", "complaint", "human_agent",
    } <= intents  # fmt: skip


def test_language_checks_fail_on_the_wrong_script() -> None:
    from kefu.dialogue.context import Reply
    from kefu.dialogue.engine import TurnResult

    result = TurnResult("c", "m", [Reply("简体回复")], "other", 1.0, {}, "neutral", False, "bot")
    assert check_turn({"traditional": True}, result)
    assert check_turn({"english": True}, result)
