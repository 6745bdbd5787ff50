"""The service desk: takes handoffs and bot tickets, routes them, and serves the agents.

``Desk`` implements ``kefu.domain.handoff.DeskPort`` for the dialogue and is what the routes,
channels and jobs hold; it is composed of the desk's collaborators, each of which takes only the
ports it uses:

- ``QueueDesk`` (queue_desk.py): handoffs, the queue and routing, waiting, agents' status, the
  supervisor's queue views;
- ``TicketDesk`` (ticket_desk.py): tickets opened, carried along with the chat, escalated;
- ``DeskJobs`` (jobs.py): the periodic work;
- ``Outbox`` (outbox.py) and ``Shop`` (shop.py): what the desk says and what it reads from the shop.

Every state change goes through a store whose conditional updates keep workers consistent;
``now`` is always passed in.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from kefu.commerce.port import CommercePort
from kefu.desk import attachments, inbox, workspace
from kefu.desk.errors import Invalid, NotAllowed, Unavailable, Unknown, WrongState
from kefu.desk.events import (
    QUEUE_CHANNEL,
    agent_channel,
    conversation_channel,
    is_supervisor,
    message_dict,
)
from kefu.desk.jobs import DeskJobs
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
from kefu.desk.priority import virtual_arrival
from kefu.desk.queue_desk import QueueDesk
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
        self.queue_desk = QueueDesk(
            agents=agents,
            queue=queue,
            conversations=conversations,
            policy=policy,
            outbox=self.outbox,
            tickets=self.ticket_desk,
        )
        self.jobs = DeskJobs(queue=self.queue_desk, tickets=self.ticket_desk)

    # ---- DeskPort: what the dialogue calls ----------------------------------------------------

    def hand_off(self, request: HandoffRequest) -> HandoffOutcome:
        return self.queue_desk.hand_off(request)

    def waiting_status(self, conversation_id: str, at: datetime) -> WaitStatus:
        return self.queue_desk.waiting_status(conversation_id, at)

    def leave_message(self, message: LeftMessage) -> str:
        return self.queue_desk.leave_message(message)

    def waiting_conversations(self, limit: int) -> list[str]:
        return self.queue_desk.waiting_conversations(limit)

    def notify(self, conversation_id: str, text: str, at: datetime) -> None:
        self.outbox.tell_customer_text(conversation_id, text, at)

    def find_open_ticket(
        self, customer_id: str, order_id: str | None, kind: TicketKind
    ) -> str | None:
        return self.ticket_desk.find_open_ticket(customer_id, order_id, kind)

    def open_ticket(self, request: TicketRequest) -> str:
        return self.ticket_desk.open_ticket(request)

    # ---- agents and the queue -------------------------------------------------------------------

    def agent(self, agent_id: str) -> Agent:
        return self.queue_desk.agent(agent_id)

    def agent_loads(self) -> list[AgentLoad]:
        return self.queue_desk.agent_loads()

    def set_status(
        self, agent: Agent, status: AgentStatus, at: datetime, *, hand_back_chats: bool = True
    ) -> None:
        self.queue_desk.set_status(agent, status, at, hand_back_chats=hand_back_chats)

    def queue_for(self, agent: Agent, now: datetime, limit: int = 100) -> list[dict[str, Any]]:
        return self.queue_desk.queue_for(agent, now, limit)

    def entry_view(self, e: QueueEntry, now: datetime) -> dict[str, Any]:
        return self.queue_desk.entry_view(e, now)

    def dispatch(self, at: datetime, limit: int = 200) -> int:
        return self.queue_desk.dispatch(at, limit)

    def requeue(self, entry: QueueEntry, from_agent: str, at: datetime, why: str) -> bool:
        return self.queue_desk.requeue(entry, from_agent, at, why)

    # ---- supervisors ----------------------------------------------------------------------------

    def require_supervisor(self, agent: Agent) -> None:
        self.queue_desk.require_supervisor(agent)

    def queue_overview(self, now: datetime, limit: int = 200) -> dict[str, Any]:
        return self.queue_desk.queue_overview(now, limit)

    def live_chats(self, now: datetime) -> list[dict[str, Any]]:
        return self.queue_desk.live_chats(now)

    def reassign(
        self, supervisor: Agent, conversation_id: str, to_agent: str, at: datetime
    ) -> None:
        self.queue_desk.reassign(supervisor, conversation_id, to_agent, at)

    # ---- one conversation -----------------------------------------------------------------------

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

    # ---- accepting ------------------------------------------------------------------------------

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
        self.conversations.record_event(cid, "accepted", at, agent.id, {"skill": entry.skill})
        self.ticket_desk.taken_by(cid, agent.id, at)
        self.tell_customer(cid, entry.lang, "agent_joined", at, agent_name=agent.name)
        self.publish(conversation_channel(cid), {"type": "status", "status": "with_agent"})
        self.publish(QUEUE_CHANNEL, {"type": "accepted", "conversation_id": cid})

    # ---- serving --------------------------------------------------------------------------------

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
            self.queue_desk.route(moved, at, self.agents.loads())
        self.queue_desk.dispatch(at)
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
        self.queue_desk.dispatch(at)
        return survey

    # ---- after the chat -------------------------------------------------------------------------

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

    # ---- photos from the customer ---------------------------------------------------------------

    def receive_image(
        self, conversation_id: str, customer_id: str, image: ImageFile, at: datetime
    ) -> Message:
        """A customer's photo: stored, then a message in the conversation that shows it."""
        return attachments.receive(self, conversation_id, customer_id, image, at)

    def image_for_customer(self, upload_id: str, customer_id: str) -> StoredImage:
        return attachments.for_customer(self, upload_id, customer_id)

    def image_for_agent(self, agent: Agent, upload_id: str) -> StoredImage:
        return attachments.for_agent(self, agent, upload_id)

    # ---- tickets and jobs -----------------------------------------------------------------------

    def ticket_summary(self, record: TicketRecord) -> dict[str, Any]:
        return self.ticket_desk.summary(record)

    def bot_ticket_completeness(self, limit: int = 10_000) -> tuple[float, int]:
        return self.ticket_desk.bot_ticket_completeness(limit)

    def reassign_stale(self, now: datetime) -> int:
        return self.jobs.reassign_stale(now)

    def escalate_breaches(self, now: datetime) -> list[str]:
        return self.jobs.escalate_breaches(now)

    def run_jobs(self, now: datetime) -> dict[str, int]:
        return self.jobs.run_jobs(now)

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
