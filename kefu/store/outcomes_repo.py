"""Each conversation's outcome, read with grouped queries over the conversations of a window
(one row per conversation per query, never every message into Python)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from kefu.analytics.outcomes import (
    NOT_A_NEED,
    REPEAT_WINDOW,
    RETURN_GAP,
    AgentFigures,
    ConversationOutcome,
    Judged,
    Reviews,
    judge,
)
from kefu.store.db import Database
from kefu.store.tables.conversations import ConversationEventRow, ConversationRow, MessageRow
from kefu.store.tables.desk import SurveyRow, TicketRow
from kefu.store.tables.ops import ConversationSideRow, HandoffReviewRow

ANSWER_KINDS = ("answer", "clarify", "action")


def _aware(value: Any, like: datetime) -> datetime | None:
    # MIN() over SQLite comes back as text, without the column's type
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    found: datetime = value if value.tzinfo else value.replace(tzinfo=like.tzinfo)
    return found


@dataclass
class _Facts:
    needs: dict[str, set[str]]
    returned: dict[str, set[str]]
    handed_off: set[str]
    complaint_handoffs: set[str]
    fallback: set[str]
    accepted: dict[str, tuple[datetime, str]]
    closed: dict[str, tuple[datetime, str]]
    scores: dict[str, int]
    first_asked: dict[str, datetime]
    first_answer: dict[str, datetime]
    first_agent: dict[str, datetime]
    sides: dict[str, str]


class SqlOutcomes:
    def __init__(self, db: Database) -> None:
        self.db = db

    def judged(self, start: datetime, end: datetime, now: datetime) -> list[Judged]:
        """The window's conversations judged, repeats looked for up to 24 h after it."""
        horizon = min(now, end + REPEAT_WINDOW)
        all_outcomes = self._outcomes(start, horizon)
        inside = [o for o in all_outcomes if o.started_at < end]
        later = [o for o in all_outcomes if o.started_at >= end]
        return judge(inside, later)

    def _in_range(self, start: datetime, end: datetime) -> Select[Any]:
        return select(ConversationRow.id).where(
            ConversationRow.created_at >= start, ConversationRow.created_at < end
        )

    def _outcomes(self, start: datetime, end: datetime) -> list[ConversationOutcome]:
        c = ConversationRow
        ids = self._in_range(start, end)
        with self.db.session() as s:
            rows = s.execute(
                select(c.id, c.customer_id, c.created_at, c.updated_at, c.agent_id).where(
                    c.id.in_(ids)
                )
            ).all()
            f = self._facts(s, ids, start)
        found = []
        for cid, customer, created, updated, agent in rows:
            asked, answered = f.first_asked.get(cid), f.first_answer.get(cid)
            first_response = (
                (answered - asked).total_seconds()
                if asked is not None and answered is not None and answered >= asked
                else None
            )
            needs = f.needs.get(cid, set())
            found.append(
                ConversationOutcome(
                    id=cid,
                    customer_id=customer,
                    started_at=created,
                    last_at=updated,
                    needs=frozenset(needs - NOT_A_NEED),
                    returned=frozenset(f.returned.get(cid, set()) - NOT_A_NEED),
                    handed_off=cid in f.handed_off,
                    fallback=cid in f.fallback,
                    closed_by_agent=cid in f.closed,
                    complaint="complaint" in needs or cid in f.complaint_handoffs,
                    score=f.scores.get(cid),
                    first_response_s=first_response,
                    side=f.sides.get(cid),
                    agent_id=f.closed[cid][1] if cid in f.closed else agent,
                )
            )
        return found

    def _facts(self, s: Any, ids: Select[Any], like: datetime) -> _Facts:
        m, e = MessageRow, ConversationEventRow
        needs: dict[str, set[str]] = defaultdict(set)
        returned: dict[str, set[str]] = defaultdict(set)
        for cid, intent, first_at, last_at in s.execute(
            select(m.conversation_id, m.intent, func.min(m.at), func.max(m.at))
            .where(m.conversation_id.in_(ids), m.sender == "customer", m.intent.is_not(None))
            .group_by(m.conversation_id, m.intent)
        ):
            needs[cid].add(intent)
            first_seen, last_seen = _aware(first_at, like), _aware(last_at, like)
            if first_seen and last_seen and last_seen - first_seen >= RETURN_GAP:
                returned[cid].add(intent)
        handed_off, complaint_handoffs = set(), set()
        reason = e.detail["reason"].as_string()
        for cid, why in s.execute(
            select(e.conversation_id, reason).where(e.conversation_id.in_(ids), e.kind == "handoff")
        ):
            handed_off.add(cid)
            if why == "complaint":
                complaint_handoffs.add(cid)
        # the bot said it did not understand, or its last turns left the need unmet (a refusal,
        # a "please ask a person" fallback): the dialogue counts those in its state
        fallback = set(
            s.scalars(
                select(m.conversation_id)
                .where(m.conversation_id.in_(ids), m.sender == "bot", m.kind == "clarify")
                .distinct()
            )
        )
        # the state is encrypted at rest (kefu.store.encrypted): read in Python, not in SQL
        c = ConversationRow
        fallback |= {
            cid
            for cid, state in s.execute(select(c.id, c.state).where(c.id.in_(ids)))
            if int((state or {}).get("unresolved") or 0) > 0
        }
        accepted: dict[str, tuple[datetime, str]] = {}
        closed: dict[str, tuple[datetime, str]] = {}
        for cid, kind, at, actor in s.execute(
            select(e.conversation_id, e.kind, e.at, e.actor)
            .where(e.conversation_id.in_(ids), e.kind.in_(("accepted", "closed")))
            .order_by(e.at, e.id)
        ):
            if kind == "accepted":
                accepted.setdefault(cid, (at, actor))  # the first accept starts the work
            else:
                closed[cid] = (at, actor)  # the last close is who finished it
        scores = {
            cid: int(score)
            for cid, score in s.execute(
                select(SurveyRow.conversation_id, SurveyRow.score)
                .where(SurveyRow.conversation_id.in_(ids), SurveyRow.score.is_not(None))
                .order_by(SurveyRow.sent_at)
            )
        }

        def first(condition: Any) -> dict[str, datetime]:
            rows = s.execute(
                select(m.conversation_id, func.min(m.at))
                .where(m.conversation_id.in_(ids), condition)
                .group_by(m.conversation_id)
            )
            return {cid: at for cid, raw in rows if (at := _aware(raw, like)) is not None}

        answer = or_(m.sender == "agent", and_(m.sender == "bot", m.kind.in_(ANSWER_KINDS)))
        sides = dict(
            s.execute(
                select(ConversationSideRow.conversation_id, ConversationSideRow.side).where(
                    ConversationSideRow.conversation_id.in_(ids)
                )
            ).all()
        )
        return _Facts(
            needs=needs,
            returned=returned,
            handed_off=handed_off,
            complaint_handoffs=complaint_handoffs,
            fallback=fallback,
            accepted=accepted,
            closed=closed,
            scores=scores,
            first_asked=first(m.sender == "customer"),
            first_answer=first(answer),
            first_agent=first(m.sender == "agent"),
            sides=sides,
        )

    def per_agent(self, start: datetime, end: datetime, now: datetime) -> list[AgentFigures]:
        """Per agent, the conversations of the window they closed."""
        judged = {j.outcome.id: j for j in self.judged(start, end, now)}
        ids = self._in_range(start, end)
        with self.db.session() as s:
            f = self._facts(s, ids, start)
        figures: dict[str, AgentFigures] = {}
        for cid, (closed_at, agent_id) in f.closed.items():
            j = judged.get(cid)
            if j is None:
                continue
            fig = figures.setdefault(agent_id, AgentFigures(agent_id))
            accepted = f.accepted.get(cid)
            first_msg = f.first_agent.get(cid)
            figures[agent_id] = AgentFigures(
                agent_id,
                handled=fig.handled + 1,
                resolved=fig.resolved + (1 if j.agent_resolved else 0),
                first_response_s=fig.first_response_s
                + (
                    [(first_msg - accepted[0]).total_seconds()]
                    if accepted and first_msg and first_msg >= accepted[0]
                    else []
                ),
                handle_s=fig.handle_s
                + ([(closed_at - accepted[0]).total_seconds()] if accepted else []),
                scores=fig.scores + ([j.outcome.score] if j.outcome.score is not None else []),
            )
        return sorted(figures.values(), key=lambda a: a.agent_id)

    def reviews(self, start: datetime, end: datetime) -> Reviews:
        r = HandoffReviewRow
        with self.db.session() as s:
            rows = s.execute(
                select(r.needless, func.count())
                .where(r.at >= start, r.at < end)
                .group_by(r.needless)
            ).all()
        counts = {bool(needless): int(n) for needless, n in rows}
        return Reviews(reviewed=sum(counts.values()), needless=counts.get(True, 0))

    def review_handoff(
        self, conversation_id: str, agent_id: str, needless: bool, note: str, at: datetime
    ) -> None:
        """An agent's verdict on the handoff; a second verdict replaces the first."""
        with self.db.session() as s:
            row = s.get(HandoffReviewRow, conversation_id)
            if row is None:
                s.add(
                    HandoffReviewRow(
                        conversation_id=conversation_id,
                        agent_id=agent_id,
                        needless=needless,
                        note=note,
                        at=at,
                    )
                )
            else:
                row.agent_id, row.needless, row.note, row.at = agent_id, needless, note, at

    def ticket_sla(self, start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
        """Tickets due in the window: resolved in time, or late / overdue."""
        t = TicketRow
        met = missed = 0
        with self.db.session() as s:
            for due, closed in s.execute(
                select(t.sla_due_at, t.closed_at).where(t.sla_due_at >= start, t.sla_due_at < end)
            ):
                if closed is not None and closed <= due:
                    met += 1
                elif closed is not None or due < now:
                    missed += 1
        total = met + missed
        return {
            "met": met,
            "missed": missed,
            "compliance": round(met / total, 4) if total else None,
        }


def window(hours: float, now: datetime) -> tuple[datetime, datetime]:
    return now - timedelta(hours=hours), now
