"""Invoices: personal ones are requested at once; company ones need the name and the tax ID."""

from __future__ import annotations

import re

from kefu.commerce.ports import Refusal
from kefu.dialogue.context import Outcome, TurnContext
from kefu.dialogue.orders import resolve_order
from kefu.dialogue.skills.policy_answer import policy_answer
from kefu.dialogue.skills.tickets import already_requested
from kefu.domain.conversations import ReplyKind
from kefu.domain.desk import TicketKind

_TAX_ID = re.compile(r"(?<![0-9A-Z])([0-9A-Z]{20}|[0-9A-Z]{18}|[0-9A-Z]{15})(?![0-9A-Z])")
_SEGMENTS = re.compile(r"[，,。;；\n]+")
_COMPANY_END = re.compile(
    r"(有限责任公司|股份有限公司|有限公司|公司|集团|工作室|事务所"
    r"|co\.?,? ?ltd\.?|ltd\.?|inc\.?|llc|limited)$",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"^.*?(抬头|名称|名字|公司名|单位名|title|name)\s*(是|为|:|：|is)?\s*", re.IGNORECASE
)


def extract_tax_id(text: str) -> str | None:
    for m in _TAX_ID.finditer(text.upper()):
        if any(ch.isdigit() for ch in m.group(1)):
            return m.group(1)
    return None


def extract_company(text: str) -> str | None:
    for segment in _SEGMENTS.split(text):
        part = _TAX_ID.sub("", segment.strip()).strip(" :：")
        if _COMPANY_END.search(part):
            name = _LABEL.sub("", part).strip(" :：")
            if len(name) >= 4:
                return name
    return None


def handle(ctx: TurnContext) -> Outcome:
    general = policy_answer(ctx)
    if general is not None:
        return general
    slots = ctx.state.slots
    order = resolve_order(ctx, relevant=lambda o: o.paid_at is not None)
    if isinstance(order, Outcome):
        return order
    company = bool(slots.get("invoice_company")) or ctx.has("company_invoice")
    facts = ctx.order_facts(order)
    title, tax_id = ctx.customer.name, None
    if company:
        slots["invoice_company"] = True
        slots["company"] = extract_company(ctx.text) or slots.get("company")
        slots["tax_id"] = extract_tax_id(ctx.text) or slots.get("tax_id")
        if not slots["company"] or not slots["tax_id"]:
            ctx.state.awaiting = {"intent": "invoice", "slot": "company", "order_id": order.id}
            missing = (
                "need_both"
                if not slots["company"] and not slots["tax_id"]
                else ("need_name" if not slots["company"] else "need_tax_id")
            )
            return Outcome([ctx.say(f"invoice.{missing}", ReplyKind.CLARIFY, **facts)], order=order)
        title, tax_id = str(slots["company"]), str(slots["tax_id"])
    result = ctx.services.commerce.request_invoice(
        ctx.customer.id, order.id, title, tax_id, ctx.customer.email, ctx.now
    )
    ctx.state.awaiting = None
    for key in ("invoice_company", "company", "tax_id"):
        slots.pop(key, None)
    if not result.ok or result.request is None:
        if result.refusal is Refusal.ALREADY_REQUESTED:
            known = already_requested(ctx, (TicketKind.INVOICE,), order)
            if known is not None:
                return Outcome([known], order=order)
        key = result.refusal.value if result.refusal else Refusal.WRONG_STATE.value
        return Outcome([ctx.say(f"invoice.{key}", **facts)], order=order)
    kind = "company" if tax_id else "personal"
    ticket = ctx.open_ticket(
        TicketKind.INVOICE,
        order,
        ctx.services.templates.render("zh-CN", "agent.invoice", title=title, **facts),
        {"request_id": result.request.id, "title": title, "tax_id": tax_id, "type": kind},
    )
    reply = ctx.say(
        f"invoice.created_{kind}", ReplyKind.ACTION, title=title, ticket_id=ticket or "", **facts
    )
    return Outcome([reply], order=order)
