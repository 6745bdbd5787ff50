"""What kefu lets the shop's language model do, each use behind its own switch.

- phrasing: the bot's answer (template text and the facts it was built from) rewritten in the
  customer's language and tone; sent only when ``grounding.check`` finds nothing added;
- understanding: when the intent model is unsure, the model picks one of the contract's labels
  (and entities written in the message), validated against the schema;
- the desk: a hand-over summary and reply drafts for the agent, on request;
- knowledge gaps: draft answers for frequent uncovered questions, into the review queue.

The model is optional work: it steps aside when the worker is overloaded or the breaker is open,
and a turn spends at most its budget on it; whatever happens, the template answer stands.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from kefu.dialogue.context import Reply, TurnContext
from kefu.domain.conversations import ReplyKind
from kefu.llm import grounding
from kefu.llm.client import Chat, LlmUnavailable
from kefu.nlu.labels import ENTITY_KEYS, INTENT_LABELS
from kefu.resources import data_path
from kefu.runtime.ports import SharedState

log = logging.getLogger("kefu.llm")

USES = ("phrasing", "understanding", "summary", "draft", "gap")
OUTCOMES = (
    "used",  # the model's text or choice was used
    "rejected",  # it failed the grounding check or the schema: the template / the NLU stood
    "timeout",
    "error",
    "busy",  # every call slot taken
    "breaker_open",
    "overloaded",  # the worker sheds optional work
    "budget",  # the turn had no time left for it
    "personal_data",  # the answer holds personal data and masking is on: not sent to the model
)
REJECTIONS = (
    "empty",
    "length",
    "language",
    "code",
    "number",
    "link",
    "product",
    "promise",
    "negation",
    "schema",
)
_PREFIX = "metrics:llm"
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)
_ORDER_ID = re.compile(r"^E\d{13}$")
_QUOTES = "\"'“”‘’「」"


@dataclass(frozen=True, slots=True)
class Switches:
    phrasing: bool = True
    understanding: bool = True
    desk: bool = True
    gaps: bool = True


@dataclass(frozen=True, slots=True)
class Budget:
    """What is left of one turn's time for the model."""

    deadline: float  # time.monotonic()

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


@lru_cache(maxsize=1)
def _prompts() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(data_path("llm", "prompts.json").read_text("utf-8"))
    return loaded


class LlmMetrics:
    """Calls and outcomes counted in the shared state, so every worker adds to one count (read
    back by ``GET /metrics``, like the turn histogram)."""

    def __init__(self, state: SharedState | None) -> None:
        self.state = state

    def record(self, use: str, outcome: str, reason: str | None = None) -> None:
        if self.state is None:
            return
        try:
            self.state.add(f"{_PREFIX}:{use}:{outcome}", 1)
            if reason is not None:
                self.state.add(f"{_PREFIX}:rejected:{use}:{reason}", 1)
        except Exception:  # a failing state store never fails the turn it counts
            log.exception("could not count an LLM call")

    def outcomes(self) -> dict[tuple[str, str], int]:
        if self.state is None:
            return {}
        found = {}
        for use in USES:
            for outcome in OUTCOMES:
                n = int(self.state.get(f"{_PREFIX}:{use}:{outcome}") or 0)
                if n:
                    found[(use, outcome)] = n
        return found

    def rejections(self) -> dict[tuple[str, str], int]:
        if self.state is None:
            return {}
        found = {}
        for use in USES:
            for reason in REJECTIONS:
                n = int(self.state.get(f"{_PREFIX}:rejected:{use}:{reason}") or 0)
                if n:
                    found[(use, reason)] = n
        return found


class _Choice(BaseModel):
    """The understanding fallback's answer, as the schema allows it."""

    model_config = ConfigDict(extra="ignore")
    intent: Literal[INTENT_LABELS]  # type: ignore[valid-type]
    entities: dict[str, str | int] = {}

    @field_validator("entities")
    @classmethod
    def _known_keys(cls, value: dict[str, str | int]) -> dict[str, str | int]:
        unknown = set(value) - set(ENTITY_KEYS)
        if unknown:
            raise ValueError(f"unknown entity keys {sorted(unknown)}")
        return value


def mask_personal(text: str, known: Iterable[str]) -> str:
    """Phones, e-mail addresses and the customer's own name and addresses replaced by labels."""
    for value in sorted({v.strip() for v in known if v and len(v.strip()) >= 2}, key=len)[::-1]:
        text = text.replace(value, "[personal]")
    text = _PHONE.sub("[phone]", text)
    return _EMAIL.sub("[email]", text)


def _unquote(text: str) -> str:
    text = text.strip()
    while len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return text


class LlmAssist:
    """The uses above over one ``Chat``; built by the composition root when a model is set."""

    def __init__(
        self,
        chat: Chat,
        *,
        switches: Switches | None = None,
        turn_budget_s: float = 1.5,
        desk_timeout_s: float = 10.0,
        overloaded: Callable[[], bool] = lambda: False,
        metrics: LlmMetrics | None = None,
        mask: bool = True,
        low_confidence: float = 0.35,
        chosen_confidence: float = 0.5,
        max_reply_chars: int = 300,
    ) -> None:
        self.chat = chat
        self.switches = switches or Switches()
        self.turn_budget_s = turn_budget_s
        self.desk_timeout_s = desk_timeout_s
        self.overloaded = overloaded
        self.metrics = metrics or LlmMetrics(None)
        self.mask = mask
        self.low_confidence = low_confidence
        # the confidence a turn gets when the model chose its label: above "unsure" (so the skill
        # answers) and below the level at which a message is read as a new topic by itself
        self.chosen_confidence = chosen_confidence
        self.max_reply_chars = max_reply_chars
        self.prompts = _prompts()

    def close(self) -> None:
        self.chat.close()

    # ---- calling -------------------------------------------------------------------------------
    def _ask(
        self, use: str, system: str, user: str, timeout_s: float, max_tokens: int = 400
    ) -> str | None:
        if self.overloaded():
            self.metrics.record(use, "overloaded")
            return None
        try:
            return self.chat.complete(
                [{"role": "system", "content": system}, {"role": "user", "content": user}],
                timeout_s=timeout_s,
                max_tokens=max_tokens,
            )
        except LlmUnavailable as exc:
            self.metrics.record(use, exc.reason)
            return None

    def _language(self, lang: str) -> str:
        return str(self.prompts["languages"].get(lang, self.prompts["languages"]["zh-CN"]))

    # ---- the turn ------------------------------------------------------------------------------
    def turn_budget(self) -> Budget:
        return Budget(time.monotonic() + self.turn_budget_s)

    def understand(self, u: Any, budget: Budget) -> Any:
        """An unsure intent chosen by the model among the contract's labels (``u`` unchanged
        when the model is off, unsure itself, or answers outside the schema)."""
        try:
            return self._understand(u, budget)
        except Exception:  # optional work: a bug here must not cost the customer the answer
            log.exception("the understanding fallback failed")
            self.metrics.record("understanding", "error")
            return u

    def _understand(self, u: Any, budget: Budget) -> Any:
        if not self.switches.understanding or float(u.confidence) >= self.low_confidence:
            return u
        if not dataclasses.is_dataclass(u) or isinstance(u, type):
            return u  # nothing to copy the model's choice into
        understood: Any = u
        text = str(understood.text)
        system = self.prompts["understand"].format(
            labels=", ".join(INTENT_LABELS), entity_keys=", ".join(ENTITY_KEYS)
        )
        raw = self._ask(
            "understanding",
            system,
            mask_personal(text, ()) if self.mask else text,
            budget.left(),
            max_tokens=200,
        )
        if raw is None:
            return u
        match = _JSON_OBJECT.search(raw)
        try:
            choice = _Choice.model_validate_json(match.group(0) if match else raw)
        except ValidationError as exc:
            log.info("the model's intent was outside the schema: %s", exc.errors()[:1])
            self.metrics.record("understanding", "rejected", "schema")
            return u
        entities = dict(understood.entities)
        for key, value in choice.entities.items():
            # only what the customer wrote: a model may not supply an order id or an amount
            if key in entities or str(value).strip() == "" or str(value) not in text:
                continue
            if key == "order_id" and not _ORDER_ID.match(str(value)):
                continue
            entities[key] = value
        self.metrics.record("understanding", "used")
        if choice.intent == understood.intent and entities == dict(understood.entities):
            return u
        return dataclasses.replace(
            understood,
            intent=choice.intent,
            confidence=max(float(understood.confidence), self.chosen_confidence),
            entities=entities,
        )

    def phrase(self, ctx: TurnContext, replies: Sequence[Reply], budget: Budget) -> list[Reply]:
        """Each plain answer rewritten, where the rewrite keeps every fact; the rest as they are."""
        if not self.switches.phrasing:
            return list(replies)
        out = []
        for reply in replies:
            if reply.kind is ReplyKind.ANSWER and reply.text.strip():
                try:
                    rewrite = self._rephrase(ctx, reply.text, budget)
                except Exception:  # optional work: the template answer stands
                    log.exception("phrasing failed")
                    self.metrics.record("phrasing", "error")
                    rewrite = None
                out.append(Reply(rewrite, reply.kind) if rewrite else reply)
            else:  # clarifying questions, actions done, hand-offs: exact words matter most
                out.append(reply)
        return out

    def _personal(self, ctx: TurnContext) -> list[str]:
        known = [ctx.customer.name, ctx.customer.phone]
        try:
            known += [o.address for o in ctx.orders()]
        except Exception:  # without the orders the phone pattern still masks
            log.exception("could not read orders for masking")
        return [k for k in known if k]

    def _rephrase(self, ctx: TurnContext, answer: str, budget: Budget) -> str | None:
        facts = [str(v) for v in ctx.facts_used() if v not in (None, "")]
        customer_text = ctx.text
        if self.mask:
            known = self._personal(ctx)
            if any(mask_personal(t, known) != t for t in (answer, *facts)):
                # the answer itself holds an address or a phone: it goes out as written
                self.metrics.record("phrasing", "personal_data")
                return None
            customer_text = mask_personal(customer_text, known)
        if budget.left() <= 0:
            self.metrics.record("phrasing", "budget")
            return None
        system = self.prompts["phrase"].format(
            language=self._language(ctx.lang), max_chars=self.max_reply_chars
        )
        user = self.prompts["phrase_user"].format(
            customer_text=customer_text, answer=answer, facts="\n".join(facts) or "-"
        )
        raw = self._ask("phrasing", system, user, budget.left())
        if raw is None:
            return None
        rewrite = ctx.services.templates.localize(ctx.lang, _unquote(raw))
        verdict = grounding.check(rewrite, answer, facts, ctx.lang, _product_names(ctx))
        if not verdict.ok:
            log.info("rewrite not sent (%s: %s)", verdict.reason, verdict.detail)
            self.metrics.record("phrasing", "rejected", verdict.reason)
            return None
        self.metrics.record("phrasing", "used")
        return rewrite

    # ---- the desk and the knowledge base -------------------------------------------------------
    def _chat_text(self, messages: Sequence[Mapping[str, Any]], known: Iterable[str]) -> str:
        known = list(known)
        lines = [f"{m.get('sender', '?')}: {m.get('text', '')}" for m in messages[-40:]]
        text = "\n".join(lines)
        return mask_personal(text, known) if self.mask else text

    def summary(
        self, messages: Sequence[Mapping[str, Any]], lang: str, known: Iterable[str] = ()
    ) -> str | None:
        """A hand-over note for the agent (not a customer's text: no grounding needed)."""
        if not self.switches.desk:
            return None
        system = self.prompts["summary"].format(language=self._language(lang), max_chars=200)
        raw = self._ask("summary", system, self._chat_text(messages, known), self.desk_timeout_s)
        if raw is None:
            return None
        self.metrics.record("summary", "used")
        return _unquote(raw)[:400]

    def draft(
        self,
        messages: Sequence[Mapping[str, Any]],
        lang: str,
        facts: Sequence[str],
        known: Iterable[str] = (),
    ) -> str | None:
        """A reply the agent may edit and send; held to the same grounding as the bot's, against
        the chat and the customer's orders, so an agent in a hurry cannot send an invented price."""
        if not self.switches.desk:
            return None
        chat = self._chat_text(messages, known)
        system = self.prompts["draft"].format(
            language=self._language(lang), max_chars=self.max_reply_chars
        )
        raw = self._ask(
            "draft", system, chat + "\n\nOrders:\n" + "\n".join(facts), self.desk_timeout_s
        )
        if raw is None:
            return None
        text = _unquote(raw)
        source = "\n".join(str(m.get("text", "")) for m in messages)
        verdict = grounding.check(text, source, facts, lang, keeps_refusals=False)
        if not verdict.ok:
            self.metrics.record("draft", "rejected", verdict.reason)
            return None
        self.metrics.record("draft", "used")
        return text

    def gap_answer(self, question: str, examples: Sequence[str], lang: str) -> str | None:
        """A draft answer for a question the knowledge base misses, for people to review."""
        if not self.switches.gaps:
            return None
        system = self.prompts["gap"].format(language=self._language(lang), max_chars=200)
        asked = "\n".join([question, *[e for e in examples if e != question][:4]])
        raw = self._ask("gap", system, mask_personal(asked, ()), self.desk_timeout_s)
        if raw is None:
            return None
        self.metrics.record("gap", "used")
        return _unquote(raw)[:600]


def _product_names(ctx: TurnContext) -> list[str]:
    names: list[str] = []
    try:
        for p in ctx.products().values():
            names += [p.name_zh, p.name_en, *p.aliases]
            names.append(ctx.services.templates.localize("zh-TW", p.name_zh))
    except Exception:  # the code and number checks still hold
        log.exception("could not read the catalogue for the grounding check")
    return names
