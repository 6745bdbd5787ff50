"""``kefu eval conversations FILE``: play scenarios against the bot and check what it says.

Each scenario runs on a fresh demo shop (the caller's ``fresh_dialogue`` factory builds one), so
actions in one scenario never leak into another. Checks per turn: intent, handoff, status,
sentiment, ``any`` / ``all`` / ``none`` words, and the reply language (``english`` /
``traditional``). A scenario may carry ``kind`` (or ``kinds``): the report then says where each
kind stands (context, safe actions, handoff, order choice, waiting room).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kefu.dialogue.engine import Dialogue, Turn, TurnResult
from kefu.texts.scripts import has_traditional, script_neutral

_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def is_english(text: str) -> bool:
    """Written in English: Latin letters and no Chinese characters."""
    return bool(_LATIN.search(text)) and not _HAN.search(text)


def is_traditional(text: str) -> bool:
    """Chinese in traditional characters: some characters differ from simplified, none are
    simplified-only."""
    if not _HAN.search(text):
        return False
    return has_traditional(text) and script_neutral(text)


@dataclass
class ScenarioResult:
    id: str
    passed: bool
    reasons: list[str] = field(default_factory=list)
    transcript: list[tuple[str, str]] = field(default_factory=list)
    kinds: tuple[str, ...] = ()


def scenario_kinds(scenario: dict[str, Any]) -> tuple[str, ...]:
    """The labels a scenario is counted under (none when it is not labelled)."""
    raw = scenario.get("kinds", scenario.get("kind", ()))
    if isinstance(raw, str):
        raw = (raw,)
    return tuple(str(k) for k in raw)


def check_turn(expect: dict[str, Any], result: TurnResult) -> list[str]:
    """Why a turn's result misses what the scenario expects (empty when it meets it)."""
    reasons = []
    text = "\n".join(r.text for r in result.replies)
    lowered = text.lower()
    for key in ("intent", "handoff", "status", "sentiment"):
        if key in expect and getattr(result, key) != expect[key]:
            reasons.append(f"{key}: expected {expect[key]!r}, got {getattr(result, key)!r}")
    if "any" in expect and not any(w.lower() in lowered for w in expect["any"]):
        reasons.append(f"none of {expect['any']} in the reply")
    for word in expect.get("all", []):
        if word.lower() not in lowered:
            reasons.append(f"{word!r} missing from the reply")
    for word in expect.get("none", []):
        if word.lower() in lowered:
            reasons.append(f"{word!r} should not be in the reply")
    if expect.get("english") and not is_english(text):
        reasons.append("reply is not in English")
    if expect.get("traditional") and not is_traditional(text):
        reasons.append("reply is not in traditional Chinese")
    return reasons


def run_scenario(dialogue: Dialogue, scenario: dict[str, Any]) -> ScenarioResult:
    outcome = ScenarioResult(str(scenario.get("id", "?")), True, kinds=scenario_kinds(scenario))
    conversation_id: str | None = None
    for number, turn in enumerate(scenario["turns"], start=1):
        result = dialogue.handle(
            Turn(
                channel=scenario.get("channel", "web"),
                text=turn["text"],
                customer_id=scenario.get("customer_id"),
                channel_user_id=scenario.get("channel_user_id"),
                conversation_id=conversation_id,
            )
        )
        conversation_id = result.conversation_id
        reply = " / ".join(r.text for r in result.replies)
        outcome.transcript.append((turn["text"], reply))
        for reason in check_turn(turn.get("expect", {}), result):
            outcome.passed = False
            outcome.reasons.append(f"turn {number}: {reason}")
    return outcome


def load_scenarios(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def run_all(
    scenarios: Iterable[dict[str, Any]],
    fresh_dialogue: Callable[[], AbstractContextManager[Dialogue]],
) -> list[ScenarioResult]:
    results = []
    for scenario in scenarios:
        with fresh_dialogue() as dialogue:
            results.append(run_scenario(dialogue, scenario))
    return results


def report(results: list[ScenarioResult], verbose: bool = False) -> str:
    lines = []
    for r in results:
        lines.append(f"{'PASS' if r.passed else 'FAIL'} {r.id}")
        for reason in r.reasons:
            lines.append(f"     {reason}")
        if verbose or not r.passed:
            for said, reply in r.transcript:
                lines.append(f"     > {said}")
                lines.append(f"     < {reply}")
    lines.extend(by_kind(results))
    passed = sum(r.passed for r in results)
    rate = passed / len(results) if results else 0.0
    lines.append(f"passed {passed}/{len(results)} ({rate:.0%})")
    return "\n".join(lines)


def by_kind(results: list[ScenarioResult]) -> list[str]:
    """One line per scenario kind: how many of its scenarios pass, and which fail."""
    kinds = sorted({k for r in results for k in r.kinds})
    lines = []
    for kind in kinds:
        of_kind = [r for r in results if kind in r.kinds]
        passed = sum(r.passed for r in of_kind)
        failed = ", ".join(r.id for r in of_kind if not r.passed)
        line = f"kind {kind}: {passed}/{len(of_kind)}"
        lines.append(f"{line} (failing: {failed})" if failed else line)
    unlabelled = [r for r in results if not r.kinds]
    if kinds and unlabelled:
        passed = sum(r.passed for r in unlabelled)
        lines.append(f"kind (unlabelled): {passed}/{len(unlabelled)}")
    return lines
