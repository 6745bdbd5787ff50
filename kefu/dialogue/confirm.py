"""Actions the customer must confirm first (cancel, change address, a return or exchange asked
about as a question, hand to a person)."""

from __future__ import annotations

from typing import Any

from kefu.commerce.ports import ActionResult, OrderNotFound, Refusal
from kefu.dialogue.context import Outcome, TurnContext
from kefu.dialogue.skills import aftersales
from kefu.domain.conversations import ReplyKind
from kefu.domain.handoff import HandoffReason

ACTION_INTENTS = {
    "cancel": "cancel_order",
    "change_address": "change_address",
    "handoff": "human_agent",
    "return": "return_refund",
    "exchange": "exchange",
}


def handle_pending(ctx: TurnContext) -> Outcome | None:
    """The reply to a yes or a no; None when the message is about something else (the pending
    action is dropped either way: a confirmation is only good for the next message)."""
    pending = ctx.state.pending or {}
    ctx.state.pending = None
    lexicon = ctx.services.lexicon
    if lexicon.is_no(ctx.norm):
        ctx.intent = ACTION_INTENTS.get(str(pending.get("action")), ctx.intent)
        return Outcome([ctx.say("confirm.dropped")])
    if not lexicon.is_yes(ctx.norm):
        return None
    ctx.intent = ACTION_INTENTS.get(str(pending.get("action")), ctx.intent)
    try:
        return _execute(ctx, pending)
    except OrderNotFound:
        return Outcome([ctx.say("order_not_found")], resolved=False)


def _execute(ctx: TurnContext, pending: dict[str, Any]) -> Outcome:
    action = pending.get("action")
    commerce = ctx.services.commerce
    order_id = str(pending.get("order_id", ""))
    if action == "handoff":
        return Outcome([], handoff=HandoffReason(pending.get("reason", "needs_person")))
    if action == "change_address":
        result = commerce.change_address(
            ctx.customer.id, order_id, str(pending.get("address", "")), ctx.now
        )
        if result.ok:
            return _done(ctx, result, "address.done", new=str(pending.get("address", "")))
        key = (
            "address.shipped"
            if result.refusal is Refusal.ALREADY_SHIPPED
            else "address.wrong_state"
        )
        return _refused(ctx, result, key)
    if action in ("return", "exchange"):
        order = commerce.get_order(ctx.customer.id, order_id)
        size = pending.get("size")
        return aftersales.file_request(
            ctx,
            order,
            [str(s) for s in pending.get("skus") or []],
            exchange=action == "exchange",
            quality=bool(pending.get("quality")),
            reason=str(pending.get("reason", "")),
            size=str(size) if size else None,
        )
    if action == "cancel":
        result = commerce.cancel_order(ctx.customer.id, order_id, ctx.now)
        if not result.ok:
            key = {
                Refusal.ALREADY_SHIPPED: "cancel.shipped",
                Refusal.ALREADY_CANCELLED: "cancel.already",
            }.get(result.refusal or Refusal.WRONG_STATE, "cancel.wrong_state")
            return _refused(ctx, result, key)
        if result.detail.get("deposit_forfeited"):
            return _done(ctx, result, "cancel.done_deposit")
        refund = str(result.detail.get("refund", "0.00"))
        key = "cancel.done" if refund in ("0", "0.00") else "cancel.done_refund"
        return _done(ctx, result, key, amount=refund)
    return Outcome([ctx.say("confirm.dropped")])


def _done(ctx: TurnContext, result: ActionResult, key: str, **facts: Any) -> Outcome:
    order = result.order
    base = ctx.order_facts(order) if order else {}
    return Outcome([ctx.say(key, ReplyKind.ACTION, **base, **facts)], order=order)


def _refused(ctx: TurnContext, result: ActionResult, key: str) -> Outcome:
    order = result.order
    base = ctx.order_facts(order) if order else {}
    return Outcome([ctx.say(key, **base)], order=order)
