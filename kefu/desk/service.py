"""The service desk: takes handoffs and bot tickets, routes them, and serves the agents.

Implements ``kefu.domain.handoff.DeskPort`` for the dialogue. Every state change goes through a
store whose conditional updates keep workers consistent; ``now`` is always passed in.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from kefu.commerce.port import CommercePort
from kefu.desk import attachments, inbox, jobs, routing, workspace
from kefu.desk.errors import Invalid, NotAllowed, Unavailable, Unknown, WrongState
from kefu.desk.events import (
    QUEUE_CHANNEL,
    agent_channel,
    conversation_channel,
    is_supervisor,
    message_dict,
)
from kefu.desk.outbox import Outbox
from kefu.desk.policy import DeskPolicy
from kefu.desk.ports import (
    AgentLoad,
    AgentStore,
    Knowledge,
    Marks,
    Notes,
    Publisher,
    QueueEntry,
    QueueStore,
    SeatState,
    StoredImage,
    Survey,
    SurveyStore,
    TicketRecord,
    TicketStore,
    Uploads,
)
from kefu.desk.priority import effective_priority, urgency, virtual_arrival
from kefu.desk.shop import Shop
from kefu.desk.texts import MAX_TEXT
from kefu.desk.ticket_desk import TicketDesk
from kefu.domain.conversations import (
    Conversation,
    ConversationStatus,
    ConversationStore,
    Message,
    Sender,
)
from kefu.domain.customers import Customer
from kefu.domain.desk import Agent, AgentStatus, Skill, TicketKind
from kefu.domain.handoff import (
    HandoffOutcome,
    HandoffRequest,
    LeftMessage,
    TicketRequest,
    WaitStatus,
)
from kefu.domain.images import ImageFile
from kefu.domain.orders import Order


class Desk:
    def __init__(
        self,
        *,
        agents: AgentStore,
        queue: QueueStore,
        tickets: TicketStore,
        surveys: SurveyStore,
        conversations: ConversationStore,
        commerce: CommercePort,
        publisher: Publisher,
        policy: DeskPolicy,
        knowledge: Knowledge | None = None,
        clean_text: Callable[[str], str] | None = None,
        marks: Marks | None = None,
        uploads: Uploads | None = None,
        notes: Notes | None = None,
    ) -> None:
        self.agents = agents
        # the same sensitive-word filter as the bot's replies: what a person types reaches the
        # customer (and the platform's content checks) too
        self.clean_text = clean_text or (lambda text: text)
        self.queue = queue
        self.tickets = tickets
        self.surveys = surveys
        self.conversations = conversations
        self.commerce = commerce
        self.publisher = publisher
        self.policy = policy
        self.knowledge = knowledge
        self.marks = marks
        self.uploads = uploads
        self.notes = notes
        self.outbox = Outbox(
            conversations=conversations, publisher=publisher, messages=policy.messages
        )
        self.shop = Shop(commerce)
        self.ticket_desk = TicketDesk(
            agents=agents,
            tickets=tickets,
            conversations=conversations,
            policy=policy,
            shop=self.shop,
            outbox=self.outbox,
        )

    # ---- DeskPort: what the dialogue calls ----------------------------------------------------

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
                ticket_id=self.ticket_desk.of_conversation(request.conversation_id),
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
        ticket_id = self.ticket_desk.for_handoff(request, urgent.points)
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
        routed = self._route(entry, at, loads)
        self.publish(QUEUE_CHANNEL, {"type": "queued", "conversation_id": entry.conversation_id})
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
        ticket = self.ticket_desk.left_message(
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
            self.publish(QUEUE_CHANNEL, {"type": "withdrawn", "conversation_id": cid})
        if ticket.assignee:
            self.publish(agent_channel(ticket.assignee), {"type": "ticket", "ticket_id": ticket.id})
        return ticket.id

    def waiting_conversations(self, limit: int) -> list[str]:
        """Conversations waiting for a person, most urgent first (the waiting-room job)."""
        return [e.conversation_id for e in self.queue.all(limit) if e.state == SeatState.WAITING]

    def notify(self, conversation_id: str, text: str, at: datetime) -> None:
        self.tell_customer_text(conversation_id, text, at)

    def find_open_ticket(
        self, customer_id: str, order_id: str | None, kind: TicketKind
    ) -> str | None:
        return self.ticket_desk.find_open_ticket(customer_id, order_id, kind)

    def open_ticket(self, request: TicketRequest) -> str:
        return self.ticket_desk.open_ticket(request)

    # ---- agents: status, queue, accept -------------------------------------------------------

    def agent(self, agent_id: str) -> Agent:
        agent = self.agents.get(agent_id)
        if agent is None:
            raise Unknown(f"no agent {agent_id}")
        return agent

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

    def accept(self, agent: Agent, conversation_id: str, at: datetime) -> None:
        entry = self.queue.get(conversation_id)
        if entry is None:
            raise Unknown(f"conversation {conversation_id} is not at the desk")
        if entry.state == SeatState.ACTIVE and entry.agent_id == agent.id:
            return  # accepting twice is harmless
        if entry.state != SeatState.WAITING:
            raise WrongState("this conversation is no longer waiting")
        if not self._may_take(agent, entry):
            raise NotAllowed("this conversation is not routed to you")
        if not self.queue.claim(conversation_id, agent.id, at):
            raise WrongState("another agent accepted this conversation first")
        self._after_accept(agent, entry, at)

    def pick_next(self, agent: Agent, at: datetime) -> str | None:
        """Claim the most urgent conversation this agent may take (None when none waits)."""
        skills = [s.value for s in agent.skills]
        for _ in range(5):  # another agent may win a race; take the next one then
            entry = self.queue.head(agent.id, skills)
            if entry is None:
                return None
            if self.queue.claim(entry.conversation_id, agent.id, at):
                self._after_accept(agent, entry, at)
                return entry.conversation_id
        return None

    def _may_take(self, agent: Agent, entry: QueueEntry) -> bool:
        if is_supervisor(agent) or entry.routed_to == agent.id:
            return True
        return entry.routed_to is None and entry.skill in agent.skills

    def _after_accept(self, agent: Agent, entry: QueueEntry, at: datetime) -> None:
        cid = entry.conversation_id
        self.ticket_desk.taken_by(cid, agent.id, at)
        self.tell_customer(cid, entry.lang, "agent_joined", at, agent_name=agent.name)
        self.publish(conversation_channel(cid), {"type": "status", "status": "with_agent"})
        self.publish(QUEUE_CHANNEL, {"type": "accepted", "conversation_id": cid})

    # ---- one conversation ---------------------------------------------------------------------

    def check_access(self, agent: Agent, conversation_id: str) -> tuple[Conversation, QueueEntry]:
        """The conversation if it was routed or transferred to this agent (or a supervisor)."""
        conversation = self.conversations.get(conversation_id)
        entry = self.queue.get(conversation_id)
        if conversation is None or entry is None:
            raise Unknown(f"no conversation {conversation_id} at the desk")
        if is_supervisor(agent):
            return conversation, entry
        if entry.state == SeatState.WAITING and entry.routed_to == agent.id:
            return conversation, entry
        if entry.state in (SeatState.ACTIVE, SeatState.CLOSED) and entry.agent_id == agent.id:
            return conversation, entry
        raise NotAllowed("this conversation is not yours")

    def view(self, agent: Agent, conversation_id: str, now: datetime) -> dict[str, Any]:
        """Everything an agent needs in hand: history, profile, orders, tickets, suggestions.
        Reading it marks the conversation read for this agent."""
        shown = workspace.view(self, agent, conversation_id, now)
        if shown["messages"]:
            inbox.mark_read(self, agent, conversation_id, int(shown["messages"][-1]["seq"]))
        return shown

    def my_conversations(self, agent: Agent) -> list[dict[str, Any]]:
        """The agent's open chats from the server, with customer, last message and unread count."""
        return inbox.open_chats(self, agent)

    def suggestions_for(
        self, agent: Agent, conversation_id: str, message_id: str | None, now: datetime
    ) -> list[dict[str, Any]]:
        return workspace.suggestions_for(self, agent, conversation_id, message_id, now)

    def send(self, agent: Agent, conversation_id: str, text: str, at: datetime) -> Message:
        """Deliver an agent's message: stored in the conversation, then published."""
        conversation, entry = self.check_access(agent, conversation_id)
        text = text.strip()
        if not text or len(text) > MAX_TEXT:
            raise Invalid(f"text must be 1 to {MAX_TEXT} characters")
        if entry.state != SeatState.ACTIVE:
            raise WrongState("accept the conversation before replying")
        if entry.agent_id != agent.id and not is_supervisor(agent):
            raise NotAllowed("this conversation is not yours")
        message = self.conversations.append_message(
            conversation_id,
            Sender.AGENT,
            self.clean_text(text),
            at,
            kind="answer",
            channel=conversation.channel,
            agent_id=agent.id,
        )
        self.publish(
            conversation_channel(conversation_id), {"type": "message", **message_dict(message)}
        )
        return message

    def transfer(
        self,
        agent: Agent,
        conversation_id: str,
        at: datetime,
        *,
        to_agent: str | None = None,
        to_skill: str | None = None,
        note: str = "",
    ) -> QueueEntry:
        """Hand the conversation, with its history, to another agent or skill group."""
        _, entry = self.check_access(agent, conversation_id)
        if entry.state != SeatState.ACTIVE:
            raise WrongState("only a conversation you are serving can be transferred")
        if (to_agent is None) == (to_skill is None):
            raise Invalid("give exactly one of to_agent or to_skill")
        skill = entry.skill
        if to_skill is not None:
            try:
                skill = Skill(to_skill).value
            except ValueError:
                raise Invalid(f"unknown skill {to_skill}") from None
        if to_agent is not None:
            target = self.agents.get(to_agent)
            if target is None:
                raise Unknown(f"no agent {to_agent}")
            if target.id == entry.agent_id:
                raise Invalid("the conversation is already with that agent")
            if target.status is AgentStatus.OFFLINE:
                raise WrongState(f"agent {to_agent} is offline")
        holder = entry.agent_id or agent.id
        points = entry.points + self.policy.routing.requeue_points
        # the note travels on the queue card, where the next agent reads it before accepting
        summary = f"{note.strip()}\n{entry.summary}".strip() if note.strip() else entry.summary
        moved = replace(
            entry,
            skill=skill,
            summary=summary,
            points=points,
            virtual_arrival=virtual_arrival(entry.waiting_since, points, self.policy.routing),
            routed_to=to_agent,
            not_to=holder,
            state=SeatState.WAITING,
            agent_id=None,
        )
        if not self.queue.enqueue(moved, at, from_agent=holder):
            raise WrongState("the conversation changed hands meanwhile")
        detail = {"from": holder, "to_agent": to_agent, "to_skill": skill, "note": note}
        self.conversations.record_event(conversation_id, "transferred", at, agent.id, detail)
        self.ticket_desk.transferred(conversation_id, to_agent, agent.id, detail, at)
        self.tell_customer(conversation_id, entry.lang, "transferred", at)
        if to_agent is not None:
            self.publish(
                agent_channel(to_agent), {"type": "offered", "conversation_id": conversation_id}
            )
        else:
            self._route(moved, at, self.agents.loads())
        self.dispatch(at)
        return moved

    def close(self, agent: Agent, conversation_id: str, resolution: str, at: datetime) -> Survey:
        """Close the conversation, resolve its tickets and ask the customer to rate it."""
        conversation, entry = self.check_access(agent, conversation_id)
        if len(resolution) > MAX_TEXT:
            raise Invalid(f"resolution must be at most {MAX_TEXT} characters")
        holder = None if is_supervisor(agent) else agent.id
        open_states = (SeatState.WAITING, SeatState.ACTIVE)
        if entry.state not in open_states or (
            holder is not None and (entry.state != SeatState.ACTIVE or entry.agent_id != holder)
        ):
            raise WrongState("this conversation is not open with you")
        # the survey is stored while the chat is still open: a chat window reads its messages,
        # then the status, so it shows the survey before it shows the chat closed
        survey = Survey(
            id="S" + uuid.uuid4().hex[:12].upper(),
            customer_id=conversation.customer_id,
            sent_at=at,
            conversation_id=conversation_id,
            agent_id=entry.agent_id or agent.id,
        )
        self.surveys.add(survey)
        message = self.tell_customer(
            conversation_id,
            conversation.lang,
            "survey_request",
            at,
            kind="survey",
            meta={"survey_id": survey.id, "scale": [1, 5]},
        )
        if not self.queue.close(conversation_id, holder, at):
            raise WrongState("this conversation is not open with you")  # closed meanwhile
        self.conversations.record_event(
            conversation_id, "closed", at, agent.id, {"resolution": resolution}
        )
        self.ticket_desk.resolved(conversation_id, resolution, agent.id, at)
        self.publish(
            conversation_channel(conversation_id),
            {
                "type": "status",
                "status": "closed",
                "survey_id": survey.id,
                "message_id": message.id,
            },
        )
        self.dispatch(at)
        return survey

    def rate(
        self, conversation_id: str, customer_id: str, score: int, comment: str | None, at: datetime
    ) -> Survey:
        """The customer's answer to the satisfaction survey: a score 1-5 and a comment."""
        conversation = self.conversations.get(conversation_id)
        if conversation is None or conversation.customer_id != customer_id:
            raise Unknown(f"no conversation {conversation_id} for this customer")
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise Invalid("score must be a whole number from 1 to 5")
        if comment is not None and len(comment) > MAX_TEXT:
            raise Invalid(f"comment must be at most {MAX_TEXT} characters")
        survey = self.surveys.latest_for_conversation(conversation_id)
        if survey is None:
            if conversation.status is not ConversationStatus.CLOSED:
                raise WrongState("the conversation is not closed yet")
            survey = Survey(
                id="S" + uuid.uuid4().hex[:12].upper(),
                customer_id=customer_id,
                sent_at=conversation.closed_at or at,
                conversation_id=conversation_id,
                agent_id=conversation.agent_id,
            )
            self.surveys.add(survey)
        if not self.surveys.answer(survey.id, score, comment, at):
            raise WrongState("this conversation was already rated")
        self.tell_customer(conversation_id, conversation.lang, "survey_thanks", at)
        return replace(survey, score=score, comment=comment, answered_at=at)

    def propose_answer(
        self,
        agent: Agent,
        conversation_id: str,
        question: str,
        answer: str,
        entry_id: str | None,
    ) -> Any:
        """An agent's edited answer goes to the knowledge base's review queue."""
        conversation, _ = self.check_access(agent, conversation_id)
        if not question.strip() or not answer.strip():
            raise Invalid("question and answer are required")
        knowledge = self.knowledge
        if knowledge is None:
            raise Unavailable("the knowledge base is not available")
        return knowledge.propose(
            question.strip(), answer.strip(), conversation.lang, agent.id, entry_id
        )

    # ---- photos from the customer -------------------------------------------------------------

    def receive_image(
        self, conversation_id: str, customer_id: str, image: ImageFile, at: datetime
    ) -> Message:
        """A customer's photo: stored, then a message in the conversation that shows it."""
        return attachments.receive(self, conversation_id, customer_id, image, at)

    def image_for_customer(self, upload_id: str, customer_id: str) -> StoredImage:
        return attachments.for_customer(self, upload_id, customer_id)

    def image_for_agent(self, agent: Agent, upload_id: str) -> StoredImage:
        return attachments.for_agent(self, agent, upload_id)

    # ---- supervisors ----------------------------------------------------------------------------

    def require_supervisor(self, agent: Agent) -> None:
        if not is_supervisor(agent):
            raise NotAllowed("supervisors only")

    def agent_loads(self) -> list[AgentLoad]:
        return self.agents.loads()

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
            self.publish(
                agent_channel(target.id), {"type": "offered", "conversation_id": conversation_id}
            )
        else:
            if entry.agent_id == target.id:
                return
            assert entry.agent_id is not None
            if not self.queue.hand_to(conversation_id, entry.agent_id, target.id, at):
                raise WrongState("the conversation changed hands meanwhile")
            self.tell_customer(conversation_id, entry.lang, "transferred", at)
        self.conversations.record_event(
            conversation_id,
            "reassigned",
            at,
            supervisor.id,
            {"from": entry.agent_id or entry.routed_to, "to": target.id},
        )

    # ---- routing and jobs -----------------------------------------------------------------------

    def _route(self, entry: QueueEntry, at: datetime, loads: list[AgentLoad]) -> str | None:
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
        self.publish(
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
            agent_id = self._route(entry, at, loads)
            if agent_id is None:
                continue
            routed += 1
            loads = [
                replace(a, offered=a.offered + 1) if a.agent.id == agent_id else a for a in loads
            ]
            if not any(a.agent.status is AgentStatus.ONLINE and a.has_room for a in loads):
                break
        return routed

    def reassign_stale(self, now: datetime) -> int:
        """Offers not accepted in time and customers left unanswered go to another agent."""
        return jobs.reassign_stale(self, now)

    def escalate_breaches(self, now: datetime) -> list[str]:
        """Tickets past their SLA: escalated, bumped, handed to a supervisor, customer told."""
        return self.ticket_desk.escalate_breaches(now)

    def run_jobs(self, now: datetime) -> dict[str, int]:
        """The periodic desk job (CLI or supervisor route): SLA escalation and reassignment."""
        return {
            "escalated": len(self.escalate_breaches(now)),
            "reassigned": self.reassign_stale(now),
        }

    def requeue(self, entry: QueueEntry, from_agent: str, at: datetime, why: str) -> bool:
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
        self.tell_customer(entry.conversation_id, entry.lang, "requeued", at)
        return True

    # ---- tickets --------------------------------------------------------------------------------

    def ticket_summary(self, record: TicketRecord) -> dict[str, Any]:
        return self.ticket_desk.summary(record)

    def bot_ticket_completeness(self, limit: int = 10_000) -> tuple[float, int]:
        return self.ticket_desk.bot_ticket_completeness(limit)

    # ---- what the desk says and reads -----------------------------------------------------------

    def tell_customer(
        self,
        conversation_id: str,
        lang: str,
        key: str,
        at: datetime,
        *,
        kind: str = "notice",
        meta: dict[str, Any] | None = None,
        **values: Any,
    ) -> Message:
        return self.outbox.tell_customer(
            conversation_id, lang, key, at, kind=kind, meta=meta, **values
        )

    def tell_customer_text(self, conversation_id: str, text: str, at: datetime) -> Message:
        return self.outbox.tell_customer_text(conversation_id, text, at)

    def publish(self, channel: str, payload: dict[str, Any]) -> None:
        self.outbox.publish(channel, payload)

    def customer(self, customer_id: str) -> Customer | None:
        return self.shop.customer(customer_id)

    def orders(self, customer_id: str) -> list[Order]:
        return self.shop.orders(customer_id)
