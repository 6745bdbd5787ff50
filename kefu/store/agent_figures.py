"""Each agent's figures over a window, for the dashboard: chats closed and their handle time,
replies written and chats replied in, and the ratings their customers gave."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from kefu.store.db import Database
from kefu.store.tables.conversations import MessageRow
from kefu.store.tables.desk import AgentRow, DeskQueueRow, SurveyRow

_CLOSED_ROWS = 200_000  # a month of a big shop's closed chats; more would need SQL-side means


def agent_figures(db: Database, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """One row per agent (zeros included: an idle agent is a figure too), busiest first."""
    with db.session() as s:
        agents = {a.id: a.name for a in s.scalars(select(AgentRow).order_by(AgentRow.id))}
        replies = dict(
            s.execute(
                select(MessageRow.agent_id, func.count())
                .where(MessageRow.sender == "agent", MessageRow.at >= start, MessageRow.at < end)
                .group_by(MessageRow.agent_id)
            ).all()
        )
        replied_in = dict(
            s.execute(
                select(MessageRow.agent_id, func.count(func.distinct(MessageRow.conversation_id)))
                .where(MessageRow.sender == "agent", MessageRow.at >= start, MessageRow.at < end)
                .group_by(MessageRow.agent_id)
            ).all()
        )
        closed = s.execute(
            select(DeskQueueRow.agent_id, DeskQueueRow.accepted_at, DeskQueueRow.updated_at)
            .where(
                DeskQueueRow.state == "closed",
                DeskQueueRow.agent_id.is_not(None),
                DeskQueueRow.updated_at >= start,
                DeskQueueRow.updated_at < end,
            )
            .limit(_CLOSED_ROWS)
        ).all()
        ratings = {
            agent: (int(n), float(mean) if mean is not None else None)
            for agent, n, mean in s.execute(
                select(SurveyRow.agent_id, func.count(), func.avg(SurveyRow.score))
                .where(
                    SurveyRow.score.is_not(None),
                    SurveyRow.answered_at >= start,
                    SurveyRow.answered_at < end,
                )
                .group_by(SurveyRow.agent_id)
            ).all()
        }
    handled: dict[str, list[float]] = {}
    for agent_id, accepted_at, closed_at in closed:
        times = handled.setdefault(str(agent_id), [])
        if accepted_at is not None and closed_at >= accepted_at:
            times.append((closed_at - accepted_at).total_seconds())
    rows: list[dict[str, Any]] = []
    for agent_id, name in agents.items():
        times = handled.get(agent_id, [])
        rated, mean_score = ratings.get(agent_id, (0, None))
        rows.append(
            {
                "agent_id": agent_id,
                "name": name,
                "chats_closed": sum(1 for c in closed if c[0] == agent_id),
                "avg_handle_s": round(sum(times) / len(times), 1) if times else None,
                "replies": int(replies.get(agent_id, 0)),
                "chats_replied": int(replied_in.get(agent_id, 0)),
                "ratings": rated,
                "avg_score": round(mean_score, 2) if mean_score is not None else None,
            }
        )
    rows.sort(key=lambda r: (-r["chats_closed"], -r["replies"], r["agent_id"]))
    return rows
