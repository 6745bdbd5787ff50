"""AgentStore (kefu.desk.ports): agents, their status and how many chats each holds or has been
offered (what routing reads), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from kefu.desk.ports import QueueEntry
from kefu.domain.desk import Agent, AgentRole, AgentStatus, Skill
from kefu.store.db import Database
from kefu.store.desk_repo import SqlAgents, SqlDeskQueue
from tests.contracts.conftest import unique

T0 = datetime(2026, 11, 11, 4, 0, tzinfo=UTC)


def _new_agent(db: Database) -> Agent:
    agent = Agent(
        id=unique("A"),
        name="小李",
        role=AgentRole.AGENT,
        skills=(Skill.PRE_SALES, Skill.ENGLISH),
        max_chats=2,
        status=AgentStatus.OFFLINE,
        langs=("zh-CN", "en"),
    )
    SqlAgents(db).add(agent, "hash-of-a-password")
    return agent


def test_an_agent_reads_back_with_its_skills_and_languages(store_db: Database) -> None:
    agents = SqlAgents(store_db)
    agent = _new_agent(store_db)
    assert agents.get(agent.id) == agent
    assert agents.password_hash(agent.id) == "hash-of-a-password"
    assert agent in agents.all()
    assert agents.get("nobody") is None and agents.password_hash("nobody") is None


def test_a_status_change_is_seen_by_every_reader(store_db: Database) -> None:
    agent = _new_agent(store_db)
    SqlAgents(store_db).set_status(agent.id, AgentStatus.ONLINE, T0)
    again = SqlAgents(store_db).get(agent.id)
    assert again is not None and again.status is AgentStatus.ONLINE


def test_loads_count_held_and_offered_chats_and_room_is_below_max_chats(
    store_db: Database, new_conversation: Callable[..., str]
) -> None:
    agents, queue = SqlAgents(store_db), SqlDeskQueue(store_db)
    agent = _new_agent(store_db)

    def load() -> tuple[int, int, bool]:
        [mine] = [x for x in agents.loads() if x.agent.id == agent.id]
        return mine.active, mine.offered, mine.has_room

    assert load() == (0, 0, True)
    held, offered = new_conversation(), new_conversation()
    for conversation_id in (held, offered):
        queue.enqueue(
            QueueEntry(
                conversation_id=conversation_id,
                customer_id="C1001",
                skill=unique("sk"),
                lang="zh-CN",
                vip="normal",
                reason="asked_for_human",
                summary="",
                points=0,
                virtual_arrival=1.0,
                waiting_since=T0,
            ),
            T0,
        )
    queue.claim(held, agent.id, T0)
    queue.offer(offered, agent.id, T0)
    assert load() == (1, 1, False)
    queue.close(held, agent.id, T0)
    assert load() == (0, 1, True)
