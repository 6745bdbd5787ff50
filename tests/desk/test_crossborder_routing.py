"""Customers of the cross-border languages reach an agent who reads them; a language no online
agent speaks goes to the English agents (routing.json fallback_lang)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kefu.desk.service import Desk
from kefu.desk.texts import render
from kefu.desk.ticket_work import departments
from kefu.domain.desk import AgentStatus
from kefu.wiring import Kefu
from tests.desk.support import desk_of, handoff, new_conversation

T0 = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def desk(kefu: Kefu) -> Desk:
    return desk_of(kefu)


def test_customers_reach_agents_of_their_language_or_english_ones(kefu: Kefu, desk: Desk) -> None:
    for agent_id in ("A02", "A03", "A04", "A05"):
        desk.set_status(desk.agent(agent_id), AgentStatus.ONLINE, T0)
    japanese = new_conversation(kefu.db, "C7001", T0, lang="ja")
    desk.hand_off(handoff(japanese, T0, intent="logistics"))
    assert desk.queue.get(japanese.id).routed_to == "A04"  # type: ignore[union-attr]
    spanish = new_conversation(kefu.db, "C7003", T0, lang="es")
    desk.hand_off(handoff(spanish, T0, intent="return_refund"))
    assert desk.queue.get(spanish.id).routed_to == "A05"  # type: ignore[union-attr]
    # Layla (Arabic) is offline: nobody online reads Arabic, so an English agent takes it
    arabic = new_conversation(kefu.db, "C7011", T0, lang="ar")
    desk.hand_off(handoff(arabic, T0, intent="logistics"))
    routed = desk.queue.get(arabic.id).routed_to  # type: ignore[union-attr]
    assert routed is not None and "en" in desk.agent(routed).langs
    assert routed != "A02"  # a Chinese-only agent never gets it


def test_cross_border_departments_tell_the_customer_in_their_language(desk: Desk) -> None:
    assert {"cross_border_carrier", "overseas_warehouse"} <= set(departments(desk))
    messages = desk.policy.messages
    said = render(
        messages, "step.cross_border_carrier.pending", "ja", ticket_id="T1", order_id="E1"
    )
    assert said.startswith("チケット T1") and "E1" in said
    # a language without its own text reads English, not Chinese
    said = render(messages, "step.overseas_warehouse.done", "ko", ticket_id="T1", order_id="E1")
    assert said.startswith("Ticket T1")
