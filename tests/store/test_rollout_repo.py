"""The rollout's store: the table is the truth, the shared state a copy every worker reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from kefu.rollout.policy import RolloutConfig, Side, side_for
from kefu.runtime.shared import InProcessState
from kefu.store.rollout_repo import SqlRollout
from kefu.wiring import Kefu

NOW = datetime(2026, 11, 11, tzinfo=UTC)


def test_a_lost_shared_copy_is_reloaded_from_the_table(kefu: Kefu) -> None:
    rollout = SqlRollout(kefu.db, InProcessState())
    assert rollout.config().ai_share == 100  # nothing stored yet: everyone on the bot
    rollout.change(replace(RolloutConfig(), ai_share=30, ai_off_intents=("invoice",)), "S01", NOW)
    restarted = SqlRollout(kefu.db, InProcessState())  # Redis flushed or restarted
    config = restarted.config()
    assert config.ai_share == 30 and config.ai_off_intents == ("invoice",)
    assert config.updated_by == "S01" and config.updated_at == NOW
    [entry] = restarted.audit()
    assert entry.before["ai_share"] == 100 and entry.after["ai_share"] == 30


def test_a_conversation_keeps_the_side_it_started_on(kefu: Kefu) -> None:
    from kefu.dialogue import Turn

    rollout = kefu.rollout
    reply = kefu.dialogue.handle(Turn(channel="web", customer_id="C1001", text="你好"))
    cid = reply.conversation_id
    rollout.change(replace(RolloutConfig(), ai_share=0), "S01", NOW)
    # and the bot keeps answering it, while a new customer now goes to people
    again = kefu.dialogue.handle(Turn(channel="web", customer_id="C1001", text="下单后多久发货？"))
    assert again.conversation_id == cid and again.status == "bot"
    fresh = kefu.dialogue.handle(Turn(channel="web", customer_id="C1002", text="下单后多久发货？"))
    assert fresh.status == "waiting_agent"


def test_the_hash_is_stable_and_raising_the_share_only_moves_people_to_the_bot() -> None:
    customers = [f"guest-{i}" for i in range(2000)]
    at_50 = {c for c in customers if side_for(c, 50) is Side.AI}
    at_60 = {c for c in customers if side_for(c, 60) is Side.AI}
    assert at_50 <= at_60
    assert 0.45 <= len(at_50) / 2000 <= 0.55 and 0.55 <= len(at_60) / 2000 <= 0.65
    assert all(side_for(c, 0) is Side.PEOPLE and side_for(c, 100) is Side.AI for c in customers)
