"""Change the delivery address: only while paid and not shipped; show the change, confirm, do it."""

from __future__ import annotations

import re

from kefu.dialogue.context import Outcome, TurnContext
from kefu.dialogue.orders import resolve_order
from kefu.dialogue.skills.policy_answer import policy_answer
from kefu.domain.conversations import ReplyKind
from kefu.domain.orders import Order, OrderStatus

CHANGEABLE = (OrderStatus.PAID, OrderStatus.GROUP_FORMING, OrderStatus.AWAITING_BALANCE)


def mask_address(address: str) -> str:
    """Enough of the old address to recognise it, not enough to read it out."""
    keep = max(4, len(address) // 3)
    return address[:keep] + "***" if len(address) > keep else address


_STRIP = " :：,，。.?？!！"


def _looks_like_address(ctx: TurnContext, text: str) -> bool:
    lexicon = ctx.services.lexicon
    return len(text) >= 6 and (
        lexicon.has("address_marks", text.lower()) or any(ch.isdigit() for ch in text)
    )


def extract_address(ctx: TurnContext, whole_message: bool) -> str | None:
    """The new address written after a lead-in (改成 / change it to), or the whole message when
    the bot has just asked for it and it looks like an address."""
    text = ctx.text.strip()
    lowered = text.lower()
    lexicon = ctx.services.lexicon
    for lead in lexicon.words("address_lead"):
        at = lowered.find(lead)
        if at >= 0:
            rest = text[at + len(lead) :].strip(_STRIP)
            if len(rest) >= 4:
                return rest
    # a looser lead ("... my order to 22 Nathan Road"): the last one followed by an address
    for lead in lexicon.words("address_lead_loose"):
        at = lowered.rfind(lead)
        while at >= 0:
            rest = text[at + len(lead) :].strip(_STRIP)
            if _looks_like_address(ctx, rest):
                return rest
            at = lowered.rfind(lead, 0, at)
    if whole_message and len(text) >= 6 and lexicon.has("address_marks", lowered):
        return text.strip(_STRIP)
    return None


_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_PHONE = re.compile(r"(?<![\dA-Za-z])(\+?\d[\d -]{6,16}\d)(?![\dA-Za-z])")


def extract_phone(ctx: TurnContext) -> str | None:
    """A phone number in the message (the NLU's, or one written with spaces or dashes)."""
    found = ctx.u.entities.get("phone")
    if found:
        return str(found)
    m = _PHONE.search(ctx.text)
    if m is None or _DATE.fullmatch(m.group(1)):
        return None
    digits = re.sub(r"[ -]", "", m.group(1))
    return digits if len(digits.lstrip("+")) >= 8 else None


def with_new_phone(ctx: TurnContext, order: Order, phone: str) -> str:
    """The order's delivery details with the new phone number (replacing an earlier one)."""
    marker = ctx.render("address.with_phone", address="", phone="")
    opening = marker[: max(1, len(marker) // 2)]  # "（收货电话" / " (phone"
    address = order.address.split(opening)[0].strip() if opening.strip() else order.address
    return ctx.render("address.with_phone", address=address, phone=phone)


def ask_confirm(ctx: TurnContext, order: Order, new_address: str) -> Outcome:
    ctx.state.pending = {"action": "change_address", "order_id": order.id, "address": new_address}
    ctx.state.awaiting = None
    reply = ctx.say(
        "address.confirm",
        ReplyKind.CLARIFY,
        old=mask_address(order.address) if order.address else "-",
        new=new_address,
        **ctx.order_facts(order),
    )
    return Outcome([reply], order=order)


def handle(ctx: TurnContext) -> Outcome:
    general = policy_answer(ctx)
    if general is not None:
        return general
    awaiting = ctx.state.awaiting or {}
    order = resolve_order(ctx, relevant=lambda o: o.status in CHANGEABLE)
    if isinstance(order, Outcome):
        return order
    facts = ctx.order_facts(order)
    if order.status.is_shipped:
        ctx.state.pending = {"action": "handoff", "reason": "needs_person", "order_id": order.id}
        return Outcome([ctx.say("address.shipped", **facts)], order=order)
    if order.status not in CHANGEABLE and order.status is not OrderStatus.UNPAID:
        return Outcome([ctx.say("address.wrong_state", **facts)], order=order)
    new_address = extract_address(ctx, whole_message=awaiting.get("slot") == "address")
    phone = extract_phone(ctx)
    if (
        new_address is not None
        and phone is not None
        and not _PHONE.sub("", new_address).strip(_STRIP)
    ):
        new_address = None  # "电话改成139…": the number is all that follows the lead-in
    if new_address is None and phone is not None:
        # a number alone (or "电话改成…") changes who the courier calls, not where it goes
        new_address = with_new_phone(ctx, order, phone)
    if new_address is None:
        ctx.state.awaiting = {"intent": "change_address", "slot": "address", "order_id": order.id}
        key = "address.ask_phone" if ctx.has("phone_words") else "address.ask"
        return Outcome([ctx.say(key, ReplyKind.CLARIFY, **facts)], order=order)
    return ask_confirm(ctx, order, new_address)
