"""The queue and routing: handoffs queued by urgency, offered to the best agent with room,
waiting positions and expected waits, agents coming and going, and the supervisor's view of
the queue and the live chats."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from kefu.desk import routing
from kefu.desk.errors import NotAllowed, Unknown, WrongState
from kefu.desk.events import QUEUE_CHANNEL, agent_channel, is_supervisor
from kefu.desk.outbox import Outbox
from kefu.desk.policy import DeskPolicy
from kefu.desk.ports import AgentLoad, AgentStore, QueueEntry, QueueStore, SeatState
from kefu.desk.priority import effective_priority, urgency, virtual_arrival
from kefu.desk.texts import MAX_TEXT
from kefu.desk.ticket_desk import TicketDesk
from kefu.domain.desk import Agent, AgentStatus, Skill
from kefu.domain.handoff import HandoffOutcome, HandoffRequest, LeftMessage, WaitStatus
from kefu.domain.ports import ConversationStore


class QueueDesk:
    def __init__(
        self,
        *,
        agents: AgentStore,
        queue: QueueStore,
        conversations: ConversationStore,
        policy: DeskPolicy,
        outbox: Outbox,
        tickets: TicketDesk,
    ) -> None:
        self.agents = agents
        self.queue = queue
        self.conversations = conversations
        self.policy = policy
        self.outbox = outbox
        self.tickets = tickets

    # ---- the customer's side: queued, waiting, leaving a message --------------------------------

    def hand_off(self, request: HandoffRequest) -> HandoffOutcome:
        """Queue the conversation by urgency, open its ticket, offer it to the best agent."""
        at = request.at
        current = self.queue.get(request.conversation_id)
        if current is not None and current.state == SeatState.ACTIVE:
            # already with a person: nothing to queue, the agent sees the new message
            return HandoffOutcome(
                priority=current.points,
                skill=current.skill,
                queue_position=0,
                expected_wait_s=0,
                ticket_id=self.tickets.of_conversation(request.conversation_id),
            )
        need = routing.need_for(request.intent, request.lang, request.vip, self.policy.routing)
        urgent = urgency(request, self.policy.routing)
        waiting_since = (
            current.waiting_since
            if current is not None and current.state == SeatState.WAITING
            else at
        )
        entry = QueueEntry(
            conversation_id=request.conversation_id,
            customer_id=request.customer_id,
            skill=need.skill.value,
            lang=request.lang,
            vip=request.vip,
            reason=request.reason.value,
            summary=request.summary,
            points=urgent.points,
            virtual_arrival=virtual_arrival(waiting_since, urgent.points, self.policy.routing),
            waiting_since=waiting_since,
            because=urgent.because,
        )
        ticket_id = self.tickets.for_handoff(request, urgent.points)
        self.queue.enqueue(entry, at)
        self.conversations.record_event(
            request.conversation_id,
            "handoff",
            at,
            "bot",
            {
                "reason": request.reason.value,
                "skill": entry.skill,
                "priority": entry.points,
                "because": list(entry.because),
                "ticket_id": ticket_id,
            },
        )
        loads = self.agents.loads()
        routed = self.route(entry, at, loads)
        self.outbox.publish(
            QUEUE_CHANNEL, {"type": "queued", "conversation_id": entry.conversation_id}
        )
        wait = self._wait(entry, loads, routed=routed is not None)
        return HandoffOutcome(
            priority=entry.points,
            skill=entry.skill,
            queue_position=wait.queue_position,
            expected_wait_s=wait.expected_wait_s,
            ticket_id=ticket_id,
            agents_online=wait.agents_online,
            saturated=wait.saturated,
        )

    def _wait(self, entry: QueueEntry, loads: list[AgentLoad], routed: bool) -> WaitStatus:
        """Place in the queue and expected wait; saturated when nobody will serve soon."""
        position = 0 if routed else self.queue.position(entry)
        serving = [
            a
            for a in loads
            if a.agent.status is AgentStatus.ONLINE and routing.speaks(a.agent.langs, entry.lang)
        ]
        staffed = [a for a in serving if entry.skill in a.agent.skills] or serving
        # each staffed agent frees a place about every average handle time
        expected = 0 if routed else position * self.policy.routing.average_handle_s
        expected //= max(1, len(staffed))
        room = routed or any(a.has_room for a in staffed)
        return WaitStatus(
            waiting=True,
            queue_position=position,
            expected_wait_s=int(expected),
            agents_online=bool(serving),
            saturated=not routed
            and self.policy.waiting.is_saturated(int(expected), bool(serving), room),
            bot_may_answer=self.policy.waiting.bot_answers_while_waiting,
        )

    def waiting_status(self, conversation_id: str, at: datetime) -> WaitStatus:
        """Where a waiting conversation stands now (not waiting once accepted or closed)."""
        entry = self.queue.get(conversation_id)
        if entry is None or entry.state != SeatState.WAITING:
            return WaitStatus(waiting=False)
        return self._wait(entry, self.agents.loads(), routed=entry.routed_to is not None)

    def leave_message(self, message: LeftMessage) -> str:
        """The customer stops waiting: the conversation leaves the queue (closed) and its
        ticket, assigned to the group it waited for, carries the message or call-back."""
        cid = message.conversation_id
        entry = self.queue.get(cid)
        at = message.at
        left = {"kind": message.kind.value, "text": message.text[:MAX_TEXT], "at": at.isoformat()}
        if message.phone:
            left["phone"] = message.phone
        ticket = self.tickets.left_message(
            message,
            left,
            skill=Skill(entry.skill) if entry is not None else self.policy.routing.default_skill,
            lang=entry.lang if entry is not None else "zh-CN",
            description=entry.summary if entry is not None else message.text[:200],
        )
        if entry is not None and entry.state == SeatState.WAITING:
            self.queue.close(cid, None, at)
            self.conversations.record_event(
                cid, "left_message", at, "customer", {"ticket_id": ticket.id, **left}
            )
            self.outbox.publish(QUEUE_CHANNEL, {"type": "withdrawn", "conversation_id": cid})
        if ticket.assignee:
            self.outbox.publish(
                agent_channel(ticket.assignee), {"type": "ticket", "ticket_id": ticket.id}
            )
        return ticket.id

    def waiting_conversations(self, limit: int) -> list[str]:
        """Conversations waiting for a person, most urgent first (the waiting-room job)."""
        return [e.conversation_id for e in self.queue.all(limit) if e.state == SeatState.WAITING]

    # ---- agents ---------------------------------------------------------------------------------

    def agent(self, agent_id: str) -> Agent:
        agent = self.agents.get(agent_id)
        if agent is None:
            raise Unknown(f"no agent {agent_id}")
        return agent

    def agent_loads(self) -> list[AgentLoad]:
        return self.agents.loads()

    def set_status(
        self, agent: Agent, status: AgentStatus, at: datetime, *, hand_back_chats: bool = True
    ) -> None:
        """Going away hands back offers; going offline also hands back open chats, unless the
        console merely closed (a reload or a crashed tab must not cost the agent its chats;
        the stale-chat job moves customers left unanswered)."""
        self.agents.set_status(agent.id, status, at)
        if status is not AgentStatus.ONLINE:
            for entry in self.queue.offered_to(agent.id):
                self.queue.offer(entry.conversation_id, None, at, not_to=agent.id)
        if status is AgentStatus.OFFLINE and hand_back_chats:
            for entry in self.queue.active_of(agent.id):
                self.requeue(entry, agent.id, at, "agent_offline")
        self.dispatch(at)

    def queue_for(self, agent: Agent, now: datetime, limit: int = 100) -> list[dict[str, Any]]:
        """The contract's queue view: what this agent may take, most urgent first."""
        entries = (
            self.queue.all(limit)
            if is_supervisor(agent)
            else self.queue.visible_to(agent.id, [s.value for s in agent.skills], limit)
        )
        return [self.entry_view(e, now) for e in entries]

    def entry_view(self, e: QueueEntry, now: datetime) -> dict[str, Any]:
        return {
            "conversation_id": e.conversation_id,
            "customer_id": e.customer_id,
            "priority": effective_priority(e.virtual_arrival, now, self.policy.routing),
            "reason": e.reason,
            "summary": e.summary,
            "waiting_seconds": max(0, int((now - e.waiting_since).total_seconds())),
            "skill": e.skill,
            "vip": e.vip,
            "lang": e.lang,
            "because": list(e.because),
            "routed_to": e.routed_to,
        }

    # ---- supervisors ----------------------------------------------------------------------------

    def require_supervisor(self, agent: Agent) -> None:
        if not is_supervisor(agent):
            raise NotAllowed("supervisors only")

    def queue_overview(self, now: datetime, limit: int = 200) -> dict[str, Any]:
        counts = self.queue.counts()
        return {
            "groups": {
                skill: {
                    "waiting": n,
                    "longest_wait_seconds": int((now - since).total_seconds()) if since else 0,
                }
                for skill, (n, since) in sorted(counts.items())
            },
            "entries": [self.entry_view(e, now) for e in self.queue.all(limit)],
        }

    def live_chats(self, now: datetime) -> list[dict[str, Any]]:
        """Every chat being served now, agent by agent (the supervisor's view)."""
        chats = []
        for load in self.agents.loads():
            for entry in self.queue.active_of(load.agent.id):
                chats.append(
                    {
                        **self.entry_view(entry, now),
                        "agent_id": load.agent.id,
                        "agent_name": load.agent.name,
                        "agent_status": load.agent.status.value,
                    }
                )
        return chats

    def reassign(
        self, supervisor: Agent, conversation_id: str, to_agent: str, at: datetime
    ) -> None:
        """Move a waiting or active conversation to a named agent."""
        self.require_supervisor(supervisor)
        target = self.agent(to_agent)
        entry = self.queue.get(conversation_id)
        if entry is None or entry.state == SeatState.CLOSED:
            raise Unknown(f"no open conversation {conversation_id} at the desk")
        if entry.state == SeatState.WAITING:
            if not self.queue.offer(conversation_id, target.id, at):
                raise WrongState("the conversation was accepted meanwhile")
            self.outbox.publish(
                agent_channel(target.id), {"type": "offered", "conversation_id": conversation_id}
            )
        else:
            if entry.agent_id == target.id:
                return
            assert entry.agent_id is not None
            if not self.queue.hand_to(conversation_id, entry.agent_id, target.id, at):
                raise WrongState("the conversation changed hands meanwhile")
            self.outbox.tell_customer(conversation_id, entry.lang, "transferred", at)
        self.conversations.record_event(
            conversation_id,
            "reassigned",
            at,
            supervisor.id,
            {"from": entry.agent_id or entry.routed_to, "to": target.id},
        )

    # ---- routing --------------------------------------------------------------------------------

    def route(self, entry: QueueEntry, at: datetime, loads: list[AgentLoad]) -> str | None:
        """Offer the entry to the best agent with room; skill first, then least load.
        A group nobody online can serve falls back to any agent who speaks the language."""
        vip = entry.vip in self.policy.routing.vip_levels
        reserve = self.policy.routing.vip_reserved_seats
        choice = routing.choose_agent(loads, entry.skill, entry.lang, vip, entry.not_to, reserve)
        if choice is None and not routing.someone_can_serve(loads, entry.skill, entry.lang):
            choice = routing.choose_agent(loads, None, entry.lang, vip, entry.not_to, reserve)
        fallback = self.policy.routing.fallback_lang
        if choice is None and fallback and not routing.anyone_speaks(loads, entry.lang):
            choice = routing.choose_agent(loads, None, fallback, vip, entry.not_to, reserve)
        if choice is None:
            return None
        if not self.queue.offer(entry.conversation_id, choice.agent.id, at):
            return None
        self.outbox.publish(
            agent_channel(choice.agent.id),
            {"type": "offered", "conversation_id": entry.conversation_id},
        )
        return choice.agent.id

    def dispatch(self, at: datetime, limit: int = 200) -> int:
        """Offer waiting, unrouted conversations (most urgent first) to agents with room."""
        loads = self.agents.loads()
        if not any(a.agent.status is AgentStatus.ONLINE and a.has_room for a in loads):
            return 0
        routed = 0
        for entry in self.queue.unrouted(None, limit):
            agent_id = self.route(entry, at, loads)
            if agent_id is None:
                continue
            routed += 1
            loads = [
                replace(a, offered=a.offered + 1) if a.agent.id == agent_id else a for a in loads
            ]
            if not any(a.agent.status is AgentStatus.ONLINE and a.has_room for a in loads):
                break
        return routed

    def requeue(self, entry: QueueEntry, from_agent: str, at: datetime, why: str) -> bool:
        """Back to the queue, a little more urgent, never to the agent it left."""
        points = entry.points + self.policy.routing.requeue_points
        moved = replace(
            entry,
            points=points,
            virtual_arrival=virtual_arrival(entry.waiting_since, points, self.policy.routing),
            routed_to=None,
            not_to=from_agent,
            state=SeatState.WAITING,
            agent_id=None,
        )
        if not self.queue.enqueue(moved, at, from_agent=from_agent):
            return False
        self.conversations.record_event(
            entry.conversation_id, "requeued", at, "system", {"from": from_agent, "why": why}
        )
        self.outbox.tell_customer(entry.conversation_id, entry.lang, "requeued", at)
        return True

    def reassign_stale(self, now: datetime) -> int:
        """Offers not accepted in time and customers left unanswered go to another agent."""
        moved = 0
        accept_cutoff = now - timedelta(seconds=self.policy.routing.accept_timeout_s)
        for entry in self.queue.offered_before(accept_cutoff):
            if self.queue.offer(entry.conversation_id, None, now, not_to=entry.routed_to):
                moved += 1
        reply_cutoff = now - timedelta(seconds=self.policy.routing.response_timeout_s)
        for conversation_id, agent_id in self.queue.unanswered_chats(reply_cutoff):
            held = self.queue.get(conversation_id)
            if held is not None and self.requeue(held, agent_id, now, "response_timeout"):
                moved += 1
        self.dispatch(now)
        return moved
