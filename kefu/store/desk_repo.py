"""The service desk's persistence: agents, the queue (with atomic claims), tickets and surveys.

The database is the source of truth for every worker. Claims and hand-overs are conditional
UPDATEs, so two agents on two workers never accept the same conversation.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from kefu.commerce.ports import CommercePort
from kefu.desk.passwords import demo_hash
from kefu.desk.policy import DeskPolicy, load_policy
from kefu.desk.ports import (
    AgentLoad,
    Marks,
    Publisher,
    QueueEntry,
    SeatState,
    Survey,
    TicketEvent,
    TicketRecord,
    TicketStep,
)
from kefu.desk.service import Desk
from kefu.domain.conversations import ConversationStatus
from kefu.domain.desk import (
    Agent,
    AgentRole,
    AgentStatus,
    Skill,
    Ticket,
    TicketKind,
    TicketStatus,
)
from kefu.domain.ports import ConversationStore
from kefu.knowledge.ports import KnowledgeBase
from kefu.resources import data_path
from kefu.store.db import Database
from kefu.store.note_repo import SqlNotes
from kefu.store.tables.conversations import ConversationRow, MessageRow
from kefu.store.tables.desk import (
    AgentRow,
    DeskQueueRow,
    SurveyRow,
    TicketEventRow,
    TicketRow,
    TicketStepRow,
)
from kefu.store.upload_repo import SqlUploads

AGENTS_FILE = data_path("desk", "agents.json")


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


# ---- agents ---------------------------------------------------------------------------------


def agent_from_row(row: AgentRow) -> Agent:
    return Agent(
        id=row.id,
        name=row.name,
        role=AgentRole(row.role),
        skills=tuple(Skill(s) for s in row.skills or ()),
        max_chats=row.max_chats,
        status=AgentStatus(row.status),
        langs=tuple(row.langs or ()),
    )


class SqlAgents:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, agent_id: str) -> Agent | None:
        with self.db.session() as s:
            row = s.get(AgentRow, agent_id)
            return agent_from_row(row) if row else None

    def password_hash(self, agent_id: str) -> str | None:
        with self.db.session() as s:
            row = s.get(AgentRow, agent_id)
            return row.password_hash if row else None

    def password_hashes(self) -> list[tuple[str, str | None]]:
        """Every agent's id and stored hash (the start-up check for published passwords)."""
        with self.db.session() as s:
            return [(r.id, r.password_hash) for r in s.scalars(select(AgentRow))]

    def all(self) -> list[Agent]:
        with self.db.session() as s:
            return [agent_from_row(r) for r in s.scalars(select(AgentRow).order_by(AgentRow.id))]

    def add(self, agent: Agent, password_hash: str) -> None:
        with self.db.session() as s:
            s.add(_agent_row(agent, password_hash))

    def update(self, agent: Agent, password_hash: str | None = None) -> bool:
        """Save an agent's profile (name, role, skills, langs, max_chats; the status goes through
        ``set_status``), and a new password hash when given. False for an unknown id."""
        values: dict[str, Any] = {
            "name": agent.name,
            "role": agent.role.value,
            "skills": [s.value for s in agent.skills],
            "langs": list(agent.langs),
            "max_chats": agent.max_chats,
        }
        if password_hash is not None:
            values["password_hash"] = password_hash
        with self.db.session() as s:
            result = s.execute(update(AgentRow).where(AgentRow.id == agent.id).values(**values))
            return _rowcount(result) == 1

    def set_status(self, agent_id: str, status: AgentStatus, at: datetime) -> None:
        with self.db.session() as s:
            s.execute(
                update(AgentRow)
                .where(AgentRow.id == agent_id)
                .values(status=status.value, last_seen_at=at)
            )

    def loads(self) -> list[AgentLoad]:
        with self.db.session() as s:
            active: dict[str | None, int] = dict(
                s.execute(
                    select(DeskQueueRow.agent_id, func.count())
                    .where(DeskQueueRow.state == SeatState.ACTIVE)
                    .group_by(DeskQueueRow.agent_id)
                ).all()
            )
            offered: dict[str | None, int] = dict(
                s.execute(
                    select(DeskQueueRow.routed_to, func.count())
                    .where(
                        DeskQueueRow.state == SeatState.WAITING,
                        DeskQueueRow.routed_to.is_not(None),
                    )
                    .group_by(DeskQueueRow.routed_to)
                ).all()
            )
            agents = [agent_from_row(r) for r in s.scalars(select(AgentRow).order_by(AgentRow.id))]
        return [
            AgentLoad(agent=a, active=active.get(a.id, 0), offered=offered.get(a.id, 0))
            for a in agents
        ]


def _agent_row(agent: Agent, password_hash: str) -> AgentRow:
    return AgentRow(
        id=agent.id,
        name=agent.name,
        password_hash=password_hash,
        role=agent.role.value,
        skills=[s.value for s in agent.skills],
        langs=list(agent.langs),
        max_chats=agent.max_chats,
        status=agent.status.value,
    )


def demo_passwords() -> set[str]:
    """The passwords the demo agents ship with: public, so never valid in production."""
    with AGENTS_FILE.open(encoding="utf-8") as f:
        return {str(raw["password"]) for raw in json.load(f)["agents"]}


def seed_desk_agents(session: Session, now: datetime) -> None:
    """The demo agents (A01 pre-sales, A02 after-sales, A03 English, S01 supervisor)."""
    with AGENTS_FILE.open(encoding="utf-8") as f:
        data = json.load(f)
    for raw in data["agents"]:
        agent = Agent(
            id=raw["id"],
            name=raw["name"],
            role=AgentRole(raw["role"]),
            skills=tuple(Skill(s) for s in raw["skills"]),
            max_chats=int(raw["max_chats"]),
            status=AgentStatus.OFFLINE,
            langs=tuple(raw["langs"]),
        )
        session.add(_agent_row(agent, demo_hash(raw["password"])))


# ---- the queue ------------------------------------------------------------------------------


def entry_from_row(row: DeskQueueRow) -> QueueEntry:
    return QueueEntry(
        conversation_id=row.conversation_id,
        customer_id=row.customer_id,
        skill=row.skill,
        lang=row.lang,
        vip=row.vip,
        reason=row.reason,
        summary=row.summary,
        points=row.points,
        virtual_arrival=row.virtual_arrival,
        waiting_since=row.waiting_since,
        routed_to=row.routed_to,
        routed_at=row.routed_at,
        not_to=row.not_to,
        because=tuple(row.because or ()),
        state=row.state,
        agent_id=row.agent_id,
    )


_WAITING = DeskQueueRow.state == SeatState.WAITING


@lru_cache(maxsize=16)
def _head_statement(skill_groups: int) -> Select[DeskQueueRow]:
    """The most urgent entry an agent may take, in one round trip.

    One index seek per group (routed to the agent, then each unrouted skill group), each a LIMIT 1
    branch of a UNION, then the smallest of those. Built once per group count with bound
    parameters: building the statement costs more than running it.
    """
    va = DeskQueueRow.virtual_arrival
    unrouted = DeskQueueRow.routed_to.is_(None)
    groups = [and_(_WAITING, DeskQueueRow.routed_to == bindparam("agent"))] + [
        and_(_WAITING, DeskQueueRow.skill == bindparam(f"skill{i}"), unrouted)
        for i in range(skill_groups)
    ]
    branches = [
        select(DeskQueueRow.conversation_id, va).where(g).order_by(va).limit(1).subquery()
        for g in groups
    ]
    heads = union_all(*(select(b.c.conversation_id, b.c.virtual_arrival) for b in branches))
    first = heads.subquery()
    return (
        select(DeskQueueRow)
        .join(first, first.c.conversation_id == DeskQueueRow.conversation_id)
        .order_by(first.c.virtual_arrival)
        .limit(1)
    )


class SqlDeskQueue:
    def __init__(self, db: Database) -> None:
        self.db = db

    def enqueue(self, entry: QueueEntry, at: datetime, from_agent: str | None = None) -> bool:
        values: dict[str, Any] = {
            "customer_id": entry.customer_id,
            "state": SeatState.WAITING,
            "skill": entry.skill,
            "lang": entry.lang,
            "vip": entry.vip,
            "reason": entry.reason,
            "summary": entry.summary,
            "points": entry.points,
            "because": list(entry.because),
            "virtual_arrival": entry.virtual_arrival,
            "waiting_since": entry.waiting_since,
            "routed_to": entry.routed_to,
            "routed_at": at if entry.routed_to else None,
            "not_to": entry.not_to,
            "agent_id": None,
            "accepted_at": None,
            "updated_at": at,
        }
        conv_values: dict[str, Any] = {
            "status": ConversationStatus.WAITING_AGENT.value,
            "agent_id": None,
            "priority": entry.points,
            "handoff_reason": entry.reason,
            "summary": entry.summary,
            "skill": entry.skill,
            "waiting_since": entry.waiting_since,
            "updated_at": at,
        }
        with self.db.session() as s:
            if from_agent is not None:
                moved = s.execute(
                    update(DeskQueueRow)
                    .where(
                        DeskQueueRow.conversation_id == entry.conversation_id,
                        DeskQueueRow.state == SeatState.ACTIVE,
                        DeskQueueRow.agent_id == from_agent,
                    )
                    .values(**values)
                )
                if _rowcount(moved) != 1:
                    return False
                # the conversation changed hands: a stale save elsewhere must lose
                conv_values["version"] = ConversationRow.version + 1
            else:
                row = s.get(DeskQueueRow, entry.conversation_id, with_for_update=True)
                if row is None:
                    s.add(DeskQueueRow(conversation_id=entry.conversation_id, **values))
                else:
                    for key, value in values.items():
                        setattr(row, key, value)
            s.execute(
                update(ConversationRow)
                .where(ConversationRow.id == entry.conversation_id)
                .values(**conv_values)
                .execution_options(synchronize_session=False)
            )
        return True

    def get(self, conversation_id: str) -> QueueEntry | None:
        with self.db.session() as s:
            row = s.get(DeskQueueRow, conversation_id)
            return entry_from_row(row) if row else None

    def _visible(self, agent_id: str, skills: Sequence[str]) -> ColumnElement[bool]:
        return and_(
            _WAITING,
            or_(
                DeskQueueRow.routed_to == agent_id,
                and_(DeskQueueRow.routed_to.is_(None), DeskQueueRow.skill.in_(list(skills))),
            ),
        )

    def visible_to(self, agent_id: str, skills: Sequence[str], limit: int) -> list[QueueEntry]:
        with self.db.session() as s:
            rows = s.scalars(
                select(DeskQueueRow)
                .where(self._visible(agent_id, skills))
                .order_by(DeskQueueRow.virtual_arrival)
                .limit(limit)
            )
            return [entry_from_row(r) for r in rows]

    def head(self, agent_id: str, skills: Sequence[str]) -> QueueEntry | None:
        groups = list(dict.fromkeys(skills))
        params = {"agent": agent_id, **{f"skill{i}": skill for i, skill in enumerate(groups)}}
        with self.db.session() as s:
            found = s.execute(_head_statement(len(groups)), params).scalar()
            return entry_from_row(found) if found is not None else None

    def all(self, limit: int) -> list[QueueEntry]:
        with self.db.session() as s:
            rows = s.scalars(
                select(DeskQueueRow)
                .where(_WAITING)
                .order_by(DeskQueueRow.virtual_arrival)
                .limit(limit)
            )
            return [entry_from_row(r) for r in rows]

    def unrouted(self, skills: Sequence[str] | None, limit: int) -> list[QueueEntry]:
        query = select(DeskQueueRow).where(_WAITING, DeskQueueRow.routed_to.is_(None))
        if skills is not None:
            query = query.where(DeskQueueRow.skill.in_(list(skills)))
        with self.db.session() as s:
            rows = s.scalars(query.order_by(DeskQueueRow.virtual_arrival).limit(limit))
            return [entry_from_row(r) for r in rows]

    def offered_to(self, agent_id: str) -> list[QueueEntry]:
        with self.db.session() as s:
            rows = s.scalars(
                select(DeskQueueRow)
                .where(_WAITING, DeskQueueRow.routed_to == agent_id)
                .order_by(DeskQueueRow.virtual_arrival)
            )
            return [entry_from_row(r) for r in rows]

    def offered_before(self, cutoff: datetime) -> list[QueueEntry]:
        with self.db.session() as s:
            rows = s.scalars(
                select(DeskQueueRow).where(
                    _WAITING,
                    DeskQueueRow.routed_to.is_not(None),
                    DeskQueueRow.routed_at < cutoff,
                )
            )
            return [entry_from_row(r) for r in rows]

    def active_of(self, agent_id: str) -> list[QueueEntry]:
        with self.db.session() as s:
            rows = s.scalars(
                select(DeskQueueRow).where(
                    DeskQueueRow.state == SeatState.ACTIVE, DeskQueueRow.agent_id == agent_id
                )
            )
            return [entry_from_row(r) for r in rows]

    def position(self, entry: QueueEntry) -> int:
        with self.db.session() as s:
            ahead = s.scalar(
                select(func.count())
                .select_from(DeskQueueRow)
                .where(
                    _WAITING,
                    DeskQueueRow.skill == entry.skill,
                    DeskQueueRow.virtual_arrival < entry.virtual_arrival,
                )
            )
        return int(ahead or 0) + 1

    def counts(self) -> dict[str, tuple[int, datetime | None]]:
        with self.db.session() as s:
            rows = s.execute(
                select(DeskQueueRow.skill, func.count(), func.min(DeskQueueRow.waiting_since))
                .where(_WAITING)
                .group_by(DeskQueueRow.skill)
            ).all()
            return {skill: (int(n), since) for skill, n, since in rows}

    def offer(
        self, conversation_id: str, agent_id: str | None, at: datetime, not_to: str | None = None
    ) -> bool:
        values: dict[str, Any] = {"routed_to": agent_id, "routed_at": at if agent_id else None}
        if not_to is not None:
            values["not_to"] = not_to
        with self.db.session() as s:
            result = s.execute(
                update(DeskQueueRow)
                .where(DeskQueueRow.conversation_id == conversation_id, _WAITING)
                .values(**values)
            )
            return _rowcount(result) == 1

    def claim(self, conversation_id: str, agent_id: str, at: datetime) -> bool:
        with self.db.session() as s:
            won = s.execute(
                update(DeskQueueRow)
                .where(DeskQueueRow.conversation_id == conversation_id, _WAITING)
                .values(
                    state=SeatState.ACTIVE,
                    agent_id=agent_id,
                    routed_to=None,
                    accepted_at=at,
                    updated_at=at,
                )
            )
            if _rowcount(won) != 1:
                return False
            self._set_conversation(s, conversation_id, ConversationStatus.WITH_AGENT, agent_id, at)
            return True

    def hand_to(self, conversation_id: str, from_agent: str, to_agent: str, at: datetime) -> bool:
        with self.db.session() as s:
            moved = s.execute(
                update(DeskQueueRow)
                .where(
                    DeskQueueRow.conversation_id == conversation_id,
                    DeskQueueRow.state == SeatState.ACTIVE,
                    DeskQueueRow.agent_id == from_agent,
                )
                .values(agent_id=to_agent, accepted_at=at, updated_at=at)
            )
            if _rowcount(moved) != 1:
                return False
            self._set_conversation(s, conversation_id, ConversationStatus.WITH_AGENT, to_agent, at)
            return True

    def close(self, conversation_id: str, agent_id: str | None, at: datetime) -> bool:
        conditions: list[ColumnElement[bool]] = [
            DeskQueueRow.conversation_id == conversation_id,
            DeskQueueRow.state.in_([SeatState.WAITING, SeatState.ACTIVE]),
        ]
        if agent_id is not None:
            conditions += [
                DeskQueueRow.state == SeatState.ACTIVE,
                DeskQueueRow.agent_id == agent_id,
            ]
        with self.db.session() as s:
            done = s.execute(
                update(DeskQueueRow)
                .where(*conditions)
                .values(state=SeatState.CLOSED, routed_to=None, updated_at=at)
            )
            if _rowcount(done) != 1:
                return False
            s.execute(
                update(ConversationRow)
                .where(ConversationRow.id == conversation_id)
                .values(
                    status=ConversationStatus.CLOSED.value,
                    closed_at=at,
                    updated_at=at,
                    version=ConversationRow.version + 1,
                )
                .execution_options(synchronize_session=False)
            )
            return True

    @staticmethod
    def _set_conversation(
        s: Session, conversation_id: str, status: ConversationStatus, agent_id: str, at: datetime
    ) -> None:
        s.execute(
            update(ConversationRow)
            .where(ConversationRow.id == conversation_id)
            .values(
                status=status.value,
                agent_id=agent_id,
                updated_at=at,
                version=ConversationRow.version + 1,
            )
            .execution_options(synchronize_session=False)
        )

    def unanswered_chats(self, before: datetime) -> list[tuple[str, str]]:
        with self.db.session() as s:
            rows = s.execute(
                select(DeskQueueRow.conversation_id, DeskQueueRow.agent_id)
                .join(ConversationRow, ConversationRow.id == DeskQueueRow.conversation_id)
                .join(
                    MessageRow,
                    and_(
                        MessageRow.conversation_id == ConversationRow.id,
                        MessageRow.seq == ConversationRow.last_seq,
                    ),
                )
                .where(
                    DeskQueueRow.state == SeatState.ACTIVE,
                    MessageRow.sender == "customer",
                    MessageRow.at < before,
                    # a customer who wrote before the agent took over is not the agent's delay
                    DeskQueueRow.accepted_at < before,
                )
            ).all()
            return [(c, a) for c, a in rows if a is not None]

    def clear(self) -> None:
        """Empty the queue (benchmarks)."""
        with self.db.session() as s:
            s.execute(delete(DeskQueueRow))


# ---- tickets --------------------------------------------------------------------------------


def record_from_row(row: TicketRow) -> TicketRecord:
    ticket = Ticket(
        id=row.id,
        kind=TicketKind(row.kind),
        status=TicketStatus(row.status),
        customer_id=row.customer_id,
        created_at=row.created_at,
        sla_due_at=row.sla_due_at,
        description=row.description,
        order_id=row.order_id,
        conversation_id=row.conversation_id,
        assignee=row.assignee,
        priority=row.priority,
        fields=dict(row.fields or {}),
        attachments=tuple(row.attachments or ()),
    )
    return TicketRecord(
        ticket=ticket,
        department=row.department,
        updated_at=row.updated_at,
        escalated_at=row.escalated_at,
        closed_at=row.closed_at,
    )


def _ticket_values(record: TicketRecord) -> dict[str, Any]:
    t = record.ticket
    return {
        "kind": t.kind.value,
        "status": t.status.value,
        "customer_id": t.customer_id,
        "order_id": t.order_id,
        "conversation_id": t.conversation_id,
        "assignee": t.assignee,
        "department": record.department,
        "priority": t.priority,
        "description": t.description,
        "fields": _jsonable(t.fields),
        "attachments": list(t.attachments),
        "created_at": t.created_at,
        "updated_at": record.updated_at,
        "sla_due_at": t.sla_due_at,
        "escalated_at": record.escalated_at,
        "closed_at": record.closed_at,
    }


def _jsonable(value: Any) -> Any:
    """Ticket fields come from entities and order facts: keep them plain JSON."""
    result: Any = json.loads(json.dumps(value, ensure_ascii=False, default=str))
    return result


_OPEN = [
    s.value
    for s in (
        TicketStatus.OPEN,
        TicketStatus.IN_PROGRESS,
        TicketStatus.WAITING_CUSTOMER,
        TicketStatus.ESCALATED,
    )
]


class SqlTickets:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, record: TicketRecord, actor: str) -> None:
        with self.db.session() as s:
            s.add(TicketRow(id=record.ticket.id, **_ticket_values(record)))
            s.flush()
            s.add(
                TicketEventRow(
                    ticket_id=record.ticket.id,
                    at=record.ticket.created_at,
                    kind="created",
                    actor=actor,
                    detail={"kind": record.ticket.kind.value},
                )
            )

    def get(self, ticket_id: str) -> TicketRecord | None:
        with self.db.session() as s:
            row = s.get(TicketRow, ticket_id)
            return record_from_row(row) if row else None

    def save(self, record: TicketRecord, actor: str, event: str, detail: dict[str, Any]) -> None:
        with self.db.session() as s:
            s.execute(
                update(TicketRow)
                .where(TicketRow.id == record.ticket.id)
                .values(**_ticket_values(record))
            )
            s.add(
                TicketEventRow(
                    ticket_id=record.ticket.id,
                    at=record.updated_at,
                    kind=event,
                    actor=actor,
                    detail=_jsonable(detail),
                )
            )

    def find(
        self,
        *,
        status: Sequence[TicketStatus] | None = None,
        assignee: str | None = None,
        customer_id: str | None = None,
        conversation_id: str | None = None,
        limit: int = 100,
    ) -> list[TicketRecord]:
        query = select(TicketRow)
        if status is not None:
            query = query.where(TicketRow.status.in_([s.value for s in status]))
        if assignee is not None:
            query = query.where(TicketRow.assignee == assignee)
        if customer_id is not None:
            query = query.where(TicketRow.customer_id == customer_id)
        if conversation_id is not None:
            query = query.where(TicketRow.conversation_id == conversation_id)
        with self.db.session() as s:
            rows = s.scalars(query.order_by(TicketRow.created_at.desc()).limit(limit))
            return [record_from_row(r) for r in rows]

    def breached(self, now: datetime, limit: int = 500) -> list[TicketRecord]:
        with self.db.session() as s:
            rows = s.scalars(
                select(TicketRow)
                .where(
                    TicketRow.status.in_(_OPEN),
                    TicketRow.status != TicketStatus.ESCALATED.value,
                    TicketRow.sla_due_at < now,
                    TicketRow.escalated_at.is_(None),
                )
                .order_by(TicketRow.sla_due_at)
                .limit(limit)
            )
            return [record_from_row(r) for r in rows]

    def open_counts(self) -> dict[str, int]:
        with self.db.session() as s:
            rows = s.execute(
                select(TicketRow.assignee, func.count())
                .where(TicketRow.status.in_(_OPEN), TicketRow.assignee.is_not(None))
                .group_by(TicketRow.assignee)
            ).all()
            return {a: int(n) for a, n in rows if a is not None}

    def add_step(
        self, ticket_id: str, department: str, status: str, note: str, at: datetime
    ) -> TicketStep:
        with self.db.session() as s:
            row = TicketStepRow(
                ticket_id=ticket_id,
                department=department,
                status=status,
                note=note,
                created_at=at,
                done_at=at if status == "done" else None,
            )
            s.add(row)
            s.add(
                TicketEventRow(
                    ticket_id=ticket_id,
                    at=at,
                    kind="step",
                    actor="desk",
                    detail={"department": department, "status": status, "note": note},
                )
            )
            s.flush()
            return _step(row)

    def steps(self, ticket_id: str) -> list[TicketStep]:
        with self.db.session() as s:
            rows = s.scalars(
                select(TicketStepRow)
                .where(TicketStepRow.ticket_id == ticket_id)
                .order_by(TicketStepRow.id)
            )
            return [_step(r) for r in rows]

    def events(self, ticket_id: str) -> list[TicketEvent]:
        with self.db.session() as s:
            rows = s.scalars(
                select(TicketEventRow)
                .where(TicketEventRow.ticket_id == ticket_id)
                .order_by(TicketEventRow.id)
            )
            return [
                TicketEvent(
                    ticket_id=r.ticket_id,
                    at=r.at,
                    kind=r.kind,
                    actor=r.actor,
                    detail=dict(r.detail or {}),
                )
                for r in rows
            ]


def _step(row: TicketStepRow) -> TicketStep:
    return TicketStep(
        id=row.id,
        ticket_id=row.ticket_id,
        department=row.department,
        status=row.status,
        note=row.note,
        created_at=row.created_at,
        done_at=row.done_at,
    )


# ---- surveys --------------------------------------------------------------------------------


def _survey(row: SurveyRow) -> Survey:
    return Survey(
        id=row.id,
        customer_id=row.customer_id,
        sent_at=row.sent_at,
        conversation_id=row.conversation_id,
        ticket_id=row.ticket_id,
        agent_id=row.agent_id,
        score=row.score,
        comment=row.comment,
        answered_at=row.answered_at,
    )


class SqlSurveys:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, survey: Survey) -> None:
        with self.db.session() as s:
            s.add(
                SurveyRow(
                    id=survey.id,
                    conversation_id=survey.conversation_id,
                    ticket_id=survey.ticket_id,
                    customer_id=survey.customer_id,
                    agent_id=survey.agent_id,
                    score=survey.score,
                    comment=survey.comment,
                    sent_at=survey.sent_at,
                    answered_at=survey.answered_at,
                )
            )

    def latest_for_conversation(self, conversation_id: str) -> Survey | None:
        with self.db.session() as s:
            row = s.scalar(
                select(SurveyRow)
                .where(SurveyRow.conversation_id == conversation_id)
                .order_by(SurveyRow.sent_at.desc())
                .limit(1)
            )
            return _survey(row) if row else None

    def answer(self, survey_id: str, score: int, comment: str | None, at: datetime) -> bool:
        with self.db.session() as s:
            result = s.execute(
                update(SurveyRow)
                .where(SurveyRow.id == survey_id, SurveyRow.answered_at.is_(None))
                .values(score=score, comment=comment, answered_at=at)
            )
            return _rowcount(result) == 1


# ---- assembly -------------------------------------------------------------------------------


def make_desk(
    db: Database,
    conversations: ConversationStore,
    commerce: CommercePort,
    publisher: Publisher,
    knowledge: KnowledgeBase,
    policy: DeskPolicy | None = None,
    clean_text: Callable[[str], str] | None = None,
    marks: Marks | None = None,
) -> Desk:
    """The desk over this database."""
    return Desk(
        agents=SqlAgents(db),
        queue=SqlDeskQueue(db),
        tickets=SqlTickets(db),
        surveys=SqlSurveys(db),
        conversations=conversations,
        commerce=commerce,
        publisher=publisher,
        policy=policy or load_policy(),
        knowledge=knowledge,
        clean_text=clean_text,
        marks=marks,
        uploads=SqlUploads(db),
        notes=SqlNotes(db),
    )
