"""A guest who asks about orders becomes the shop's customer before any order is shown.

Demo mode: the guest sends the phone number on their shop account, kefu "texts" a 6-digit code
(shown in the reply, marked as the demo's stand-in for an SMS) and links when the code comes back.
Production has no SMS gateway here: the guest is asked to sign in on the shop's site, whose signed
identity links them (``Dialogue.customer_for``).

The codes live in the shared state with an expiry, so any worker checks them. A phone no customer
has gets a code too, one that never links: its answers are the same as for a customer's phone with
a wrong code, so the chat cannot tell anyone which phones are customers. Wrong codes are counted
per guest and per customer; past the limit checking stops for a while.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kefu.dialogue.context import Outcome, Reply, TurnContext
from kefu.dialogue.ports import ExpiringValues, GuestLinks
from kefu.dialogue.skills.address import extract_phone
from kefu.dialogue.skills.policy_answer import is_general_question, refers_to_own_order
from kefu.domain.conversations import ReplyKind
from kefu.domain.customers import is_guest, mask_phone

_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
PHONE = "phone"
CODE = "code"
SIGN_IN = "sign_in"


def _random_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


@dataclass(frozen=True)
class Linked:
    """The code was right: the guest is now ``customer_id``; ``text`` is the order question
    asked before linking, to be answered with the customer's orders."""

    customer_id: str
    intent: str
    text: str


class GuestLinking:
    def __init__(
        self,
        links: GuestLinks,
        values: ExpiringValues,
        *,
        show_code: bool,
        code_ttl_s: float = 600.0,
        max_tries: int = 5,
        lockout_s: float = 900.0,
        make_code: Callable[[], str] = _random_code,
    ) -> None:
        self.links = links
        self.values = values
        # demo mode only: with no SMS gateway, production guests sign in on the shop's site
        self.show_code = show_code
        self.code_ttl_s = code_ttl_s
        self.max_tries = max_tries
        self.lockout_s = lockout_s
        self.make_code = make_code

    # ---- keys in the shared state --------------------------------------------------------------
    @staticmethod
    def _code_key(guest_id: str) -> str:
        return f"link:code:{guest_id}"

    @staticmethod
    def _tries_key(guest_id: str) -> str:
        return f"link:tries:{guest_id}"

    @staticmethod
    def _target_tries_key(customer_id: str) -> str:
        # wrong codes for one customer from many guests (new visitor ids are free to make)
        return f"link:tries-for:{customer_id}"

    def _count(self, key: str) -> int:
        raw = self.values.get(key)
        return int(raw) if raw else 0

    def _locked(self, guest_id: str) -> bool:
        return self._count(self._tries_key(guest_id)) >= self.max_tries

    # ---- a turn ------------------------------------------------------------------------------
    def turn(self, ctx: TurnContext, order_intents: frozenset[str]) -> Outcome | Linked | None:
        """What linking makes of a guest's message; None when it is not about linking."""
        if not is_guest(ctx.customer.id):
            return None
        state = ctx.state
        step = (state.linking or {}).get("step")
        phone = extract_phone(ctx) if self.show_code else None
        code = _CODE.search(ctx.text) if step == CODE and phone is None else None
        if step is not None and (phone or code):
            # the turn is about the order question that started it
            ctx.intent = str((state.linking or {}).get("intent", ctx.intent))
            if self._locked(ctx.customer.id):
                state.linking = None
                return Outcome([ctx.say("link.locked")], resolved=False)
            if phone:
                return self._send_code(ctx, phone)
            assert code is not None
            return self._check_code(ctx, code.group(1))
        # "下单后多久发货" is the shop's policy, answered to anyone; "我的快递到哪了" needs orders
        if ctx.intent in order_intents and not is_general_question(ctx):
            # a question about no order in particular ("发什么快递", "退货地址是哪里") that the
            # knowledge base answers with confidence is answered, not met with a login; a
            # request ("我要退货") or a question about their own order goes on to linking
            asks = ctx.has("info_question") and not refers_to_own_order(ctx)
            answer = ctx.kb_answer() if asks and step is None else None
            if answer:
                return Outcome([Reply(answer)])
            return self._start(ctx, phone)
        # something else (a pre-sales question): the bot answers it; linking waits for a
        # phone or a code only while the customer keeps to it
        if step is not None and ctx.intent not in ("greeting", "other"):
            state.linking = None
        return None

    def _start(self, ctx: TurnContext, phone: str | None) -> Outcome:
        if not self.show_code:
            # kept to answer once the shop's site has signed who this is
            ctx.state.linking = {"step": SIGN_IN, "intent": ctx.intent, "text": ctx.text}
            return Outcome([ctx.say("link.login", ReplyKind.CLARIFY)], resolved=False)
        if self._locked(ctx.customer.id):
            return Outcome([ctx.say("link.locked")], resolved=False)
        ctx.state.linking = {"step": PHONE, "intent": ctx.intent, "text": ctx.text}
        if phone:  # "我的快递到哪了 13800001001": no need to ask for it
            return self._send_code(ctx, phone)
        return Outcome([ctx.say("link.ask_phone", ReplyKind.CLARIFY)])

    def _send_code(self, ctx: TurnContext, phone: str) -> Outcome:
        target = self.links.customer_id_by_phone(phone) or ""
        code = self.make_code()
        record = json.dumps({"to": target, "code": code})
        self.values.set(self._code_key(ctx.customer.id), record, ttl_s=self.code_ttl_s)
        linking = ctx.state.linking or {"intent": ctx.intent, "text": ctx.text}
        ctx.state.linking = {**linking, "step": CODE}
        return Outcome(
            [
                ctx.say(
                    "link.code_sent",
                    ReplyKind.CLARIFY,
                    phone=mask_phone(phone),
                    code=code,
                    minutes=max(1, round(self.code_ttl_s / 60)),
                )
            ]
        )

    def _check_code(self, ctx: TurnContext, given: str) -> Outcome | Linked:
        guest_id = ctx.customer.id
        state = ctx.state
        raw = self.values.get(self._code_key(guest_id))
        if not raw:
            state.linking = {**(state.linking or {}), "step": PHONE}
            return Outcome([ctx.say("link.expired", ReplyKind.CLARIFY)], resolved=False)
        record = json.loads(raw)
        target = str(record.get("to") or "")
        right = (
            bool(target)
            and hmac.compare_digest(str(record.get("code", "")), given)
            and self._count(self._target_tries_key(target)) < 2 * self.max_tries
        )
        if right:
            # one use only
            self.values.set(self._code_key(guest_id), "", ttl_s=1)
            linking = state.linking or {}
            state.linking = None
            return Linked(
                target, str(linking.get("intent", "order_status")), str(linking.get("text", ""))
            )
        tries = self.values.incr(self._tries_key(guest_id), ttl_s=self.lockout_s)
        if target:
            self.values.incr(self._target_tries_key(target), ttl_s=self.lockout_s)
        if tries >= self.max_tries:
            self.values.set(self._code_key(guest_id), "", ttl_s=1)
            state.linking = None
            return Outcome([ctx.say("link.locked")], resolved=False)
        return Outcome(
            [ctx.say("link.wrong_code", ReplyKind.CLARIFY, left=self.max_tries - tries)],
            resolved=False,
        )

    def link_proven(self, guest_id: str, customer_id: str, at: datetime) -> None:
        """The shop's site signed who this is: the guest becomes that customer."""
        self.links.link_guest(guest_id, customer_id, at)
