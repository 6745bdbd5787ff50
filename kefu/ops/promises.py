"""The wait-time promise check, run by the job runner every few seconds on any worker:
conversations about to break their promise overflow to a broader skill group, and broken ones
raise an alert for supervisors (feed, pub/sub for the console, webhook)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kefu.desk import routing
from kefu.desk.events import agent_channel
from kefu.desk.ports import AgentLoad, QueueEntry
from kefu.desk.promises import Promises, load_promises
from kefu.ops.alerts import raise_alert
from kefu.ops.host import Host
from kefu.store.promises_repo import SqlPromises

MAX_ENTRIES = 1000


@dataclass(frozen=True, slots=True)
class PromiseCheck:
    overflowed: int
    breaches: int

    def to_dict(self) -> dict[str, int]:
        return {"overflowed": self.overflowed, "breaches": self.breaches}


def promises_of(kefu: Host) -> Promises:
    return load_promises(kefu.desk.policy.routing.vip_levels)


def _overflow_to(
    entry: QueueEntry, loads: list[AgentLoad], promises: Promises, reserve: int
) -> str | None:
    """An agent with room in a broader group, when the entry's own group is full."""
    vip = entry.vip in promises.vip_levels
    own = routing.choose_agent(loads, entry.skill, entry.lang, vip, entry.not_to, reserve)
    if own is not None:
        return None  # its own group has room: the desk's routing will offer it there
    for skill in promises.overflow.get(entry.skill, ()):
        choice = routing.choose_agent(loads, skill, entry.lang, vip, entry.not_to, reserve)
        if choice is not None:
            return choice.agent.id
    return None


def check_wait_promises(
    kefu: Host, now: datetime, promises: Promises | None = None
) -> PromiseCheck:
    promises = promises or promises_of(kefu)
    desk = kefu.desk
    loads = desk.agents.loads()
    overflowed = breaches = 0
    for entry in desk.queue.all(MAX_ENTRIES):
        if entry.routed_to is None and promises.should_overflow(entry, now):
            agent_id = _overflow_to(entry, loads, promises, desk.policy.routing.vip_reserved_seats)
            if agent_id is not None and desk.queue.offer(entry.conversation_id, agent_id, now):
                overflowed += 1
                loads = [
                    AgentLoad(a.agent, a.active, a.offered + 1) if a.agent.id == agent_id else a
                    for a in loads
                ]
                desk.conversations.record_event(
                    entry.conversation_id,
                    "overflowed",
                    now,
                    "system",
                    {"from_skill": entry.skill, "to_agent": agent_id},
                )
                desk.publish(
                    agent_channel(agent_id),
                    {"type": "offered", "conversation_id": entry.conversation_id},
                )
        if promises.is_broken(entry, now):
            tier = promises.tier(entry.vip)
            detail = {
                "conversation_id": entry.conversation_id,
                "tier": tier,
                "skill": entry.skill,
                "target_s": promises.target_s(entry.vip),
                "waited_s": round((now - entry.waiting_since).total_seconds(), 1),
            }
            key = f"wait_breach:{entry.conversation_id}:{entry.waiting_since.isoformat()}"
            if raise_alert(kefu, key, "wait_breach", now, detail):
                breaches += 1
    for ticket_id, created in SqlPromises(kefu.db, promises).unanswered_urgent_tickets(now):
        detail = {
            "ticket_id": ticket_id,
            "tier": "urgent_ticket",
            "target_s": promises.urgent_ticket_first_response_s,
            "waited_s": round((now - created).total_seconds(), 1),
        }
        if raise_alert(kefu, f"ticket_breach:{ticket_id}", "wait_breach", now, detail):
            breaches += 1
    return PromiseCheck(overflowed, breaches)
