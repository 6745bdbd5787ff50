"""The conversation with a person: an agent accepts it, replies, transfers or closes it, the
customer rates it; and who may read which conversation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

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
    AgentStore,
    QueueEntry,
    QueueStore,
    SeatState,
    Survey,
    SurveyStore,
)
from kefu.desk.priority import virtual_arrival
from kefu.desk.queue_desk import QueueDesk
from kefu.desk.texts import MAX_TEXT
from kefu.desk.ticket_desk import TicketDesk
from kefu.domain.conversations import (
    Conversation,
    ConversationStatus,
    Message,
    Sender,
)
from kefu.domain.desk import Agent, AgentStatus, Skill
from kefu.domain.ports import ConversationStore
from kefu.knowledge.ports import KnowledgeBase


class ChatDesk:
    def __init__(
        self,
        *,
        agents: AgentStore,
        queue: QueueStore,
        surveys: SurveyStore,
        conversations: ConversationStore,
        policy: DeskPolicy,
        outbox: Outbox,
        routing: QueueDesk,
        tickets: TicketDesk,
        clean_text: Callable[[str], str],
        knowledge: KnowledgeBase | None = None,
    ) -> None:
        self.agents = agents
        self.queue = queue
        self.surveys = surveys
        self.conversations = conversations
        self.policy = policy
        self.outbox = outbox
        self.routing = routing
        self.tickets = tickets
        # the same sensitive-word filter as the bot's replies: what a person types reaches the
        # customer (and the platform's content checks) too
        self.clean_text = clean_text
        self.knowledge = knowledge

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
        self.tickets.taken_by(cid, agent.id, at)
        self.outbox.tell_customer(cid, entry.lang, "agent_joined", at, agent_name=agent.name)
        self.outbox.publish(conversation_channel(cid), {"type": "status", "status": "with_agent"})
        self.outbox.publish(QUEUE_CHANNEL, {"type": "accepted", "conversation_id": cid})

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
        self.outbox.publish(
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
        self.tickets.transferred(conversation_id, to_agent, agent.id, detail, at)
        self.outbox.tell_customer(conversation_id, entry.lang, "transferred", at)
        if to_agent is not None:
            self.outbox.publish(
                agent_channel(to_agent), {"type": "offered", "conversation_id": conversation_id}
            )
        else:
            self.routing.route(moved, at, self.agents.loads())
        self.routing.dispatch(at)
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
        message = self.outbox.tell_customer(
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
        self.tickets.resolved(conversation_id, resolution, agent.id, at)
        self.outbox.publish(
            conversation_channel(conversation_id),
            {
                "type": "status",
                "status": "closed",
                "survey_id": survey.id,
                "message_id": message.id,
            },
        )
        self.routing.dispatch(at)
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
        self.outbox.tell_customer(conversation_id, conversation.lang, "survey_thanks", at)
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
