"""The service desk: takes handoffs and bot tickets, routes them, and serves the agents.

``Desk`` implements ``kefu.domain.handoff.DeskPort`` for the dialogue and is what the routes,
channels and jobs hold; it is composed of the desk's collaborators, each of which takes only the
ports it uses:

- ``QueueDesk`` (queue_desk.py): handoffs, the queue and routing, waiting, agents' status, the
  supervisor's queue views;
- ``ChatDesk`` (chat_desk.py): the conversation with a person: accept, reply, transfer, close,
  the customer's rating, and who may read which conversation;
- ``TicketDesk`` (ticket_desk.py): tickets opened, carried along with the chat, escalated;
- ``DeskJobs`` (jobs.py): the periodic work;
- ``Outbox`` (outbox.py) and ``Shop`` (shop.py): what the desk says and what it reads from the shop;
- the agent's tools around a chat: ``Inbox`` (inbox.py, open chats and read marks), ``DeskNotes``
  (notes.py, notes, tags and whispers), ``Attachments`` (attachments.py, the customer's photos),
  ``CannedReplies`` (canned.py) and ``TicketWork`` (ticket_work.py, what agents do with tickets).

Every state change goes through a store whose conditional updates keep workers consistent;
``now`` is always passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from kefu.commerce.ports import CommercePort
from kefu.desk import workspace
from kefu.desk.attachments import Attachments
from kefu.desk.canned import CannedReplies
from kefu.desk.chat_desk import ChatDesk
from kefu.desk.inbox import Inbox
from kefu.desk.jobs import DeskJobs
from kefu.desk.notes import DeskNotes
from kefu.desk.outbox import Outbox
from kefu.desk.policy import DeskPolicy
from kefu.desk.ports import (
    AgentLoad,
    AgentStore,
    Marks,
    Notes,
    Publisher,
    QueueEntry,
    QueueStore,
    StoredImage,
    Survey,
    SurveyStore,
    TicketRecord,
    TicketStore,
    Uploads,
)
from kefu.desk.queue_desk import QueueDesk
from kefu.desk.shop import Shop
from kefu.desk.ticket_desk import TicketDesk
from kefu.desk.ticket_work import TicketWork
from kefu.domain.conversations import Conversation, Message
from kefu.domain.customers import Customer
from kefu.domain.desk import Agent, AgentStatus, TicketKind
from kefu.domain.handoff import (
    HandoffOutcome,
    HandoffRequest,
    LeftMessage,
    TicketRequest,
    WaitStatus,
)
from kefu.domain.images import ImageFile
from kefu.domain.orders import Order
from kefu.domain.ports import ConversationStore
from kefu.knowledge.ports import KnowledgeBase


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
        knowledge: KnowledgeBase | None = None,
        clean_text: Callable[[str], str] | None = None,
        marks: Marks | None = None,
        uploads: Uploads | None = None,
        notes: Notes | None = None,
    ) -> None:
        self.agents = agents
        self.queue = queue
        self.tickets = tickets
        self.surveys = surveys
        self.conversations = conversations
        self.commerce = commerce
        self.publisher = publisher
        self._policy = policy
        self.knowledge = knowledge
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
        self.chat_desk = ChatDesk(
            agents=agents,
            queue=queue,
            surveys=surveys,
            conversations=conversations,
            policy=policy,
            outbox=self.outbox,
            routing=self.queue_desk,
            tickets=self.ticket_desk,
            # the same sensitive-word filter as the bot's replies: what a person types reaches
            # the customer (and the platform's content checks) too
            clean_text=clean_text or (lambda text: text),
            knowledge=knowledge,
        )
        self.jobs = DeskJobs(queue=self.queue_desk, tickets=self.ticket_desk)
        # the agent's own tools around a chat: each holds only what it uses
        self.inbox = Inbox(
            marks=marks,
            queue=queue,
            conversations=conversations,
            shop=self.shop,
            outbox=self.outbox,
        )
        self.notes = DeskNotes(
            store=notes, check_access=self.chat_desk.check_access, outbox=self.outbox
        )
        self.attachments = Attachments(
            uploads=uploads,
            conversations=conversations,
            policy=policy,
            outbox=self.outbox,
            check_access=self.chat_desk.check_access,
        )
        self.canned = CannedReplies(
            conversations=conversations,
            shop=self.shop,
            policy=policy,
            check_access=self.chat_desk.check_access,
        )
        self.ticket_work = TicketWork(
            tickets=tickets,
            queue=queue,
            agents=agents,
            conversations=conversations,
            policy=policy,
            outbox=self.outbox,
        )

    @property
    def policy(self) -> DeskPolicy:
        return self._policy

    @policy.setter
    def policy(self, policy: DeskPolicy) -> None:
        """A new policy (a shop's edited routing or waiting-room rules) holds for every part of
        the desk at once."""
        self._policy = policy
        self.outbox.messages = policy.messages
        for part in (
            self.ticket_desk,
            self.queue_desk,
            self.chat_desk,
            self.attachments,
            self.canned,
            self.ticket_work,
        ):
            part.policy = policy

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
        return self.chat_desk.check_access(agent, conversation_id)

    def accept(self, agent: Agent, conversation_id: str, at: datetime) -> None:
        self.chat_desk.accept(agent, conversation_id, at)

    def pick_next(self, agent: Agent, at: datetime) -> str | None:
        return self.chat_desk.pick_next(agent, at)

    def send(self, agent: Agent, conversation_id: str, text: str, at: datetime) -> Message:
        return self.chat_desk.send(agent, conversation_id, text, at)

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
        return self.chat_desk.transfer(
            agent, conversation_id, at, to_agent=to_agent, to_skill=to_skill, note=note
        )

    def close(self, agent: Agent, conversation_id: str, resolution: str, at: datetime) -> Survey:
        return self.chat_desk.close(agent, conversation_id, resolution, at)

    def rate(
        self, conversation_id: str, customer_id: str, score: int, comment: str | None, at: datetime
    ) -> Survey:
        return self.chat_desk.rate(conversation_id, customer_id, score, comment, at)

    def propose_answer(
        self,
        agent: Agent,
        conversation_id: str,
        question: str,
        answer: str,
        entry_id: str | None,
    ) -> Any:
        return self.chat_desk.propose_answer(agent, conversation_id, question, answer, entry_id)

    def view(self, agent: Agent, conversation_id: str, now: datetime) -> dict[str, Any]:
        """Everything an agent needs in hand: history, profile, orders, tickets, suggestions.
        Reading it marks the conversation read for this agent."""
        shown = workspace.view(self, agent, conversation_id, now)
        if shown["messages"]:
            self.inbox.mark_read(agent, conversation_id, int(shown["messages"][-1]["seq"]))
        return shown

    def my_conversations(self, agent: Agent) -> list[dict[str, Any]]:
        """The agent's open chats from the server, with customer, last message and unread count."""
        return self.inbox.open_chats(agent)

    def suggestions_for(
        self, agent: Agent, conversation_id: str, message_id: str | None, now: datetime
    ) -> list[dict[str, Any]]:
        return workspace.suggestions_for(self, agent, conversation_id, message_id, now)

    # ---- photos from the customer ---------------------------------------------------------------

    def receive_image(
        self, conversation_id: str, customer_id: str, image: ImageFile, at: datetime
    ) -> Message:
        """A customer's photo: stored, then a message in the conversation that shows it."""
        return self.attachments.receive(conversation_id, customer_id, image, at)

    def image_for_customer(self, upload_id: str, customer_id: str) -> StoredImage:
        return self.attachments.for_customer(upload_id, customer_id)

    def image_for_agent(self, agent: Agent, upload_id: str) -> StoredImage:
        return self.attachments.for_agent(agent, upload_id)

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
