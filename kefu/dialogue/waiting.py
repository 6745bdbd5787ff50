"""The waiting room: what a customer waiting for a person sees and can do.

They hear their place and expected wait (when it moves meaningfully, and whenever they ask); the
bot still answers routine questions when the shop allows it; and when nobody will answer soon they
can leave a message (留言) or ask for a call back, which turns the conversation into a ticket.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kefu.dialogue.context import Outcome, Reply, TurnContext
from kefu.dialogue.handoff import wait_minutes
from kefu.dialogue.lexicon import squeeze
from kefu.dialogue.policy import HandoffPolicy
from kefu.dialogue.state import DialogueState
from kefu.dialogue.texts import Templates
from kefu.domain.conversations import (
    ConcurrentUpdate,
    ConversationStatus,
    ReplyKind,
)
from kefu.domain.handoff import LeaveKind, LeftMessage, WaitStatus
from kefu.domain.ports import ConversationStore, DeskPort

log = logging.getLogger("kefu.dialogue")

_PHONE = re.compile(r"(?<!\d)(\+?\d[\d -]{6,16}\d)(?!\d)")
_STRIP = " :：,，。.!！~-"
# said instead of waiting: "留言" alone asks for the message, a phone number answers "回电"
_ASK_MESSAGE = "left_message"
_ASK_PHONE = "callback_phone"
# a place this close to the front is "next", whatever the minutes say
_NEXT = 0
NOTICE = ReplyKind.NOTICE


def mask_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return phone
    return f"{digits[:3]}****{digits[-4:]}"


def _phone_in(ctx: TurnContext) -> str | None:
    found = ctx.u.entities.get("phone")
    if found:
        return str(found)
    m = _PHONE.search(ctx.text)
    return re.sub(r"[ -]", "", m.group(1)) if m else None


def _after_lead(ctx: TurnContext) -> str:
    """The message without its "留言：" lead-in."""
    text = ctx.text.strip()
    lowered = text.lower()
    for lead in ctx.services.lexicon.words("message_lead"):
        at = lowered.find(lead)
        if at >= 0:
            return (text[:at] + text[at + len(lead) :]).strip(_STRIP)
    return text


def _status(ctx: TurnContext) -> WaitStatus | None:
    desk = ctx.services.desk
    if desk is None:
        return None
    try:
        return desk.waiting_status(ctx.conversation.id, ctx.now)
    except Exception:  # the customer still waits; only the numbers are missing
        log.exception("waiting status failed for %s", ctx.conversation.id)
        return None


def status_text(templates: Templates, lang: str, wait: WaitStatus, key: str) -> str:
    """Where the customer stands, in their language."""
    if not wait.agents_online:
        return templates.render(lang, "waiting.offline")
    if wait.queue_position <= _NEXT:
        return templates.render(lang, "waiting.next")
    minutes = wait_minutes(wait.expected_wait_s)
    return templates.render(lang, key, position=wait.queue_position, minutes=minutes)


def told(wait: WaitStatus) -> dict[str, Any]:
    """What the state keeps of the status the customer was last told."""
    return {
        "position": wait.queue_position,
        "wait_s": wait.expected_wait_s,
        "online": wait.agents_online,
    }


def moved_meaningfully(
    last: dict[str, Any] | None, wait: WaitStatus, policy: HandoffPolicy
) -> bool:
    """Worth a notice: the place or the wait moved by a step, the customer is next, or agents
    came or went."""
    if not last:
        return True
    if bool(last.get("online", True)) != wait.agents_online:
        return True
    before = int(last.get("position", 0))
    if abs(before - wait.queue_position) >= policy.waiting_notice_position_step:
        return True
    if wait.queue_position <= _NEXT < before:
        return True
    moved_s = abs(int(last.get("wait_s", 0)) - wait.expected_wait_s)
    return moved_s >= policy.waiting_notice_wait_step_s


def _leave(ctx: TurnContext, kind: LeaveKind, text: str, phone: str | None) -> list[Reply]:
    desk = ctx.services.desk
    if desk is None:
        return [ctx.say("handoff.notice", ReplyKind.NOTICE)]
    message = LeftMessage(
        conversation_id=ctx.conversation.id,
        customer_id=ctx.customer.id,
        kind=kind,
        text=text,
        at=ctx.now,
        phone=phone,
    )
    try:
        ticket_id = desk.leave_message(message)
    except Exception:  # still in the queue: say so rather than promise a ticket
        log.exception("leaving a message failed for %s", ctx.conversation.id)
        return [ctx.say("handoff.notice", ReplyKind.NOTICE)]
    ctx.state.awaiting = None
    ctx.state.waiting_told = None
    ctx.conversation.status = ConversationStatus.CLOSED
    ctx.conversation.closed_at = ctx.now
    if kind is LeaveKind.CALLBACK:
        return [
            ctx.say(
                "waiting.callback",
                ReplyKind.ACTION,
                ticket_id=ticket_id,
                phone=mask_phone(phone or ""),
            )
        ]
    return [ctx.say("waiting.left_message", ReplyKind.ACTION, ticket_id=ticket_id)]


def _leaving(ctx: TurnContext) -> list[Reply] | None:
    """Leaving a message or asking for a call back, in one message or over two."""
    awaiting = (ctx.state.awaiting or {}).get("slot")
    phone = _phone_in(ctx)
    if awaiting == _ASK_PHONE and phone:
        return _leave(ctx, LeaveKind.CALLBACK, ctx.text.strip(), phone)
    if awaiting == _ASK_MESSAGE and not ctx.has("callback"):
        return _leave(ctx, LeaveKind.MESSAGE, ctx.text.strip(), phone)
    if ctx.has("callback"):
        phone = phone or ctx.customer.phone or None
        if not phone:
            ctx.state.awaiting = {"intent": "human_agent", "slot": _ASK_PHONE}
            return [ctx.say("waiting.ask_phone", ReplyKind.CLARIFY)]
        return _leave(ctx, LeaveKind.CALLBACK, ctx.text.strip(), phone)
    if ctx.has("leave_message"):
        text = _after_lead(ctx)
        lexicon = ctx.services.lexicon
        # "我要留言" / "can I leave a message" asks to leave one; the message comes next
        if len(text) < 2 or lexicon.only("leave_request", text.lower()):
            ctx.state.awaiting = {"intent": "human_agent", "slot": _ASK_MESSAGE}
            return [ctx.say("waiting.ask_message", ReplyKind.CLARIFY)]
        return _leave(ctx, LeaveKind.MESSAGE, text, phone)
    return None


def _names_a_case(ctx: TurnContext) -> bool:
    """The message is about something concrete: a product, an order, a parcel, a refund."""
    entities = ctx.u.entities
    return bool(
        ctx.mentioned_skus()
        or entities.get("order_id")
        or entities.get("tracking_no")
        or ctx.has("case_words")
    )


def _routine(ctx: TurnContext) -> bool:
    """A routine question the bot can answer while the customer waits; a bare urge ("快点")
    is impatience with the queue, not a question about an order."""
    policy = ctx.services.policy
    if ctx.u.intent not in policy.routine_while_waiting:
        return False
    if float(ctx.u.confidence) < policy.fragment_confidence:
        return False
    return _names_a_case(ctx) or len(squeeze(ctx.text)) >= 5


def while_waiting(
    ctx: TurnContext,
    skill_for: Callable[[str], Callable[[TurnContext], Outcome]],
) -> list[Reply]:
    """The replies to a message from a customer in the queue."""
    leaving = _leaving(ctx)
    if leaving is not None:
        return leaving
    wait = _status(ctx)
    if wait is not None and not wait.waiting:
        return []  # accepted meanwhile: the agent answers
    replies: list[Reply] = []
    # "还要多久" in the queue is about the queue; "快递还要多久" is still about the parcel
    asked = ctx.has("wait_query") and not _names_a_case(ctx)
    if not asked and (wait is None or wait.bot_may_answer) and _routine(ctx):
        replies = list(skill_for(ctx.intent)(ctx).replies)
    if wait is None:
        if not replies and not ctx.state.notice_sent:
            ctx.state.notice_sent = True
            replies.append(ctx.say("handoff.notice", ReplyKind.NOTICE))
        return replies
    if asked or moved_meaningfully(ctx.state.waiting_told, wait, ctx.services.policy):
        key = "waiting.status" if asked else "waiting.moved"
        replies.append(Reply(status_text(ctx.services.templates, ctx.lang, wait, key), NOTICE))
        if wait.saturated and wait.agents_online:  # the offline notice already offers it
            replies.append(ctx.say("waiting.offer_leave", NOTICE))
        ctx.state.waiting_told = told(wait)
        ctx.state.notice_sent = True
    elif not replies and not ctx.state.notice_sent:
        ctx.state.notice_sent = True
        replies.append(ctx.say("handoff.notice", NOTICE))
    return replies


def announce_moves(
    store: ConversationStore,
    desk: DeskPort,
    templates: Templates,
    policy: HandoffPolicy,
    now: datetime,
    limit: int = 500,
) -> int:
    """The periodic job: tell each waiting customer whose place or wait moved meaningfully
    since they were last told, without waiting for them to ask. Returns how many were told."""
    sent = 0
    for conversation_id in desk.waiting_conversations(limit):
        conversation = store.get(conversation_id)
        if conversation is None or conversation.status is not ConversationStatus.WAITING_AGENT:
            continue
        state = DialogueState.from_dict(conversation.state)
        wait = desk.waiting_status(conversation_id, now)
        if not wait.waiting or not moved_meaningfully(state.waiting_told, wait, policy):
            continue
        state.waiting_told = told(wait)
        conversation.state = state.to_dict()
        try:
            store.save(conversation)
        except ConcurrentUpdate:
            continue  # the customer's own turn is saving it; the next run looks again
        desk.notify(conversation_id, status_text(templates, state.lang, wait, "waiting.moved"), now)
        sent += 1
    return sent
