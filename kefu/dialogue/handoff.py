"""Handing a conversation to a person: summary, intent, entities, profile and orders to the desk;
the conversation waits for an agent and the customer hears the expected wait."""

from __future__ import annotations

import logging
import math
from typing import Any

from kefu.dialogue.context import Outcome, Reply, TurnContext
from kefu.domain.conversations import ConversationStatus, ReplyKind
from kefu.domain.handoff import HandoffOutcome, HandoffReason, HandoffRequest

log = logging.getLogger("kefu.dialogue")


def summary_for(ctx: TurnContext, reason: HandoffReason, outcome: Outcome) -> str:
    """What the agent reads first (agents work in Chinese; the customer's words stay as written)."""
    templates = ctx.services.templates
    order = outcome.order
    orders = ctx.orders()
    listed = "; ".join(
        f"{o.id} {ctx.order_items(o)} {o.status.value} ¥{o.goods_total}" for o in orders[:5]
    )
    return templates.render(
        "zh-CN",
        "agent.summary",
        reason=templates.render("zh-CN", f"reason.{reason.value}"),
        intent=ctx.intent,
        text=ctx.text[:200],
        order=order.id if order else "-",
        orders=listed or "-",
        vip=ctx.customer.vip.value,
        sentiment=ctx.u.sentiment,
        language=ctx.lang,
    )


def hand_off(ctx: TurnContext, reason: HandoffReason, outcome: Outcome) -> list[Reply]:
    """Queue the conversation at the desk, mark it waiting and say how long the wait is."""
    conversation = ctx.conversation
    order = outcome.order
    orders = ctx.orders()
    entities: dict[str, Any] = dict(ctx.u.entities)
    summary = summary_for(ctx, reason, outcome)
    conversation.status = ConversationStatus.WAITING_AGENT
    conversation.handoff_reason = reason.value
    conversation.summary = summary
    conversation.waiting_since = ctx.now
    ctx.state.pending = None
    ctx.state.awaiting = None
    ctx.state.unresolved = 0
    ctx.state.low_confidence = 0
    ctx.state.notice_sent = False
    request = HandoffRequest(
        conversation_id=conversation.id,
        customer_id=ctx.customer.id,
        channel=conversation.channel,
        reason=reason,
        lang=ctx.lang,
        at=ctx.now,
        summary=summary,
        intent=ctx.intent,
        entities=entities,
        vip=ctx.customer.vip.value,
        order_ids=tuple([order.id] if order else [])
        + tuple(o.id for o in orders if o is not order),
        order_value=order.goods_total if order else None,
        sentiment=ctx.u.sentiment,
        anger=float(ctx.u.anger),
        urgent=ctx.state.urgent or reason is HandoffReason.URGENT,
    )
    result: HandoffOutcome | None = None
    desk = ctx.services.desk
    if desk is not None:
        try:
            result = desk.hand_off(request)
        except Exception:  # the customer still waits for a person; the desk catches up
            log.exception("desk hand-off failed for %s", conversation.id)
    if result is None:
        return [ctx.say("handoff.queued_unknown", ReplyKind.HANDOFF)]
    conversation.priority = result.priority
    conversation.skill = result.skill
    ctx.state.waiting_told = {
        "position": result.queue_position,
        "wait_s": result.expected_wait_s,
        "online": result.agents_online,
    }
    if not result.agents_online:
        replies = [ctx.say("handoff.offline", ReplyKind.HANDOFF)]
    else:
        minutes = wait_minutes(result.expected_wait_s)
        replies = [
            ctx.say(
                "handoff.queued",
                ReplyKind.HANDOFF,
                minutes=minutes,
                position=result.queue_position,
            )
        ]
    if result.saturated:
        # nobody will answer soon: waiting is not the only way to reach a person (part of the
        # handoff message, so the turn still ends with the handoff as clients expect)
        key = "waiting.offer_leave" if result.agents_online else "waiting.offer_leave_offline"
        replies.append(ctx.say(key, ReplyKind.HANDOFF))
    return replies


def wait_minutes(expected_wait_s: int) -> int:
    return max(1, math.ceil(expected_wait_s / 60))
