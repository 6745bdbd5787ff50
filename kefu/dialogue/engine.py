"""One customer turn end to end: who and which conversation, store the message, understand it,
run the skill or the handoff policy, filter and store the replies, persist the state."""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kefu.commerce.port import CommercePort, CustomerNotFound
from kefu.dialogue.confirm import handle_pending
from kefu.dialogue.context import Outcome, Reply, Services, TurnContext
from kefu.dialogue.errors import (
    ConversationNotFound,
    InvalidMessage,
    MessageTooLong,
    UnknownChannel,
    UnknownCustomer,
)
from kefu.dialogue.lexicon import Lexicon
from kefu.dialogue.orders import PickKind, find_reference
from kefu.dialogue.policy import HandoffPolicy
from kefu.dialogue.ports import Nlu, Understanding
from kefu.dialogue.safety import SafetyFilter
from kefu.dialogue.skills import SKILLS
from kefu.dialogue.skills.address import extract_address
from kefu.dialogue.skills.invoice import extract_company, extract_tax_id
from kefu.dialogue.state import DialogueState
from kefu.dialogue.texts import Templates, has_traditional, script_neutral
from kefu.domain.conversations import (
    ConcurrentUpdate,
    Conversation,
    ConversationStatus,
    ConversationStore,
    Message,
    ReplyKind,
    Sender,
)
from kefu.domain.customers import Channel, Customer
from kefu.domain.handoff import DeskPort, HandoffReason

log = logging.getLogger("kefu.dialogue")

_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_HAS_WORDS = re.compile(r"[A-Za-z]{2,}|[\u3400-\u9fff]")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# letters and digits together: order ids, tax ids, tracking numbers, models ("X12", "65W")
_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]*\d[A-Za-z0-9]*(?![A-Za-z0-9])")
_PEOPLE = (ConversationStatus.WAITING_AGENT, ConversationStatus.WITH_AGENT)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Turn:
    """A customer message as it arrives from a channel (fields as in the contract)."""

    channel: Any
    text: Any
    customer_id: Any = None
    channel_user_id: Any = None
    conversation_id: Any = None
    now: datetime | None = None


@dataclass
class TurnResult:
    conversation_id: str
    message_id: str
    replies: list[Reply]
    intent: str
    confidence: float
    entities: dict[str, Any]
    sentiment: str
    handoff: bool
    status: str
    lang: str = "zh-CN"
    reply_messages: list[Message] = field(default_factory=list)

    def to_wire(self) -> dict[str, Any]:
        """The contract's response body."""
        return {
            "conversation_id": self.conversation_id,
            "message_id": self.message_id,
            "replies": [{"text": r.text, "kind": r.kind.value} for r in self.replies],
            "intent": self.intent,
            "confidence": round(float(self.confidence), 4),
            "entities": self.entities,
            "sentiment": self.sentiment,
            "handoff": self.handoff,
            "status": self.status,
        }


@dataclass(frozen=True)
class _Fallback:
    """What the bot understood when the NLU could not run: nothing, with no confidence."""

    text: str
    normalized: str
    lang: str = "zh-CN"
    intent: str = "other"
    confidence: float = 0.0
    ranked: tuple[tuple[str, float], ...] = ()
    entities: Mapping[str, Any] = field(default_factory=dict)
    product_skus: tuple[str, ...] = ()
    sentiment: str = "neutral"
    anger: float = 0.0


def _json_entities(entities: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in entities.items():
        if isinstance(value, str | int | float | bool) or value is None:
            out[key] = value
        elif isinstance(value, list | tuple):
            out[key] = [v if isinstance(v, str | int | float) else str(v) for v in value]
        else:
            out[key] = str(value)
    return out


class Dialogue:
    """The conversation engine over its neighbours, each handed in by the composition root."""

    def __init__(
        self,
        store: ConversationStore,
        commerce: CommercePort,
        *,
        nlu: Nlu | None = None,
        nlu_factory: Callable[[], Nlu] | None = None,
        knowledge: Any = None,
        promotions: Any = None,
        desk: DeskPort | None = None,
        templates: Templates | None = None,
        lexicon: Lexicon | None = None,
        policy: HandoffPolicy | None = None,
        safety: SafetyFilter | None = None,
        max_message_chars: int = 2000,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.store = store
        self.commerce = commerce
        self._nlu = nlu
        # the model loads once per process and takes seconds: built on first use unless given
        self._nlu_factory = nlu_factory
        self._nlu_lock = threading.Lock()
        self.knowledge = knowledge
        self.promotions = promotions
        self.desk = desk
        self.templates = templates or Templates()
        self.lexicon = lexicon or Lexicon()
        self.policy = policy or HandoffPolicy.load()
        self.safety = safety or SafetyFilter()
        self.max_message_chars = max_message_chars
        self.clock = clock

    # ---- neighbours --------------------------------------------------------------------------
    @property
    def nlu(self) -> Nlu:
        if self._nlu is None:
            if self._nlu_factory is None:
                raise RuntimeError("no NLU component configured")
            with self._nlu_lock:
                if self._nlu is None:
                    self._nlu = self._nlu_factory()
        return self._nlu

    @nlu.setter
    def nlu(self, nlu: Nlu) -> None:
        self._nlu = nlu

    def services(self) -> Services:
        return Services(
            commerce=self.commerce,
            templates=self.templates,
            lexicon=self.lexicon,
            policy=self.policy,
            knowledge=self.knowledge,
            promotions=self.promotions,
            desk=self.desk,
        )

    # ---- validation --------------------------------------------------------------------------
    def _text(self, text: Any) -> str:
        if not isinstance(text, str):
            raise InvalidMessage("text must be a string")
        if not text.strip():
            raise InvalidMessage("text must not be empty")
        if len(text) > self.max_message_chars:
            raise MessageTooLong(f"text is longer than {self.max_message_chars} characters")
        # PostgreSQL text cannot hold NUL; dropping it keeps both backends storing the same text
        return text.replace("\x00", "")

    def _channel(self, channel: Any) -> str:
        if not isinstance(channel, str) or channel not in {c.value for c in Channel}:
            raise UnknownChannel(f"channel must be one of {', '.join(c.value for c in Channel)}")
        return channel

    def customer_for(self, channel: str, customer_id: Any, channel_user_id: Any) -> Customer:
        """The customer behind a message: by id, or by the channel identity."""
        if customer_id is not None:
            if not isinstance(customer_id, str) or not customer_id.strip():
                raise InvalidMessage("customer_id must be a non-empty string")
            try:
                return self.commerce.get_customer(customer_id.strip())
            except CustomerNotFound:
                raise UnknownCustomer("unknown customer") from None
        if channel_user_id is not None:
            if not isinstance(channel_user_id, str) or not channel_user_id.strip():
                raise InvalidMessage("channel_user_id must be a non-empty string")
            found = self.commerce.find_customer_by_identity(channel, channel_user_id.strip())
            if found is None:
                raise UnknownCustomer("unknown customer")
            return found
        raise InvalidMessage("customer_id or channel_user_id is required")

    def conversation_of(self, conversation_id: Any, customer_id: str) -> Conversation:
        """The customer's own conversation; unknown, malformed and foreign ids look the same."""
        if not isinstance(conversation_id, str) or not _CONVERSATION_ID.match(conversation_id):
            raise ConversationNotFound("conversation not found")
        conversation = self.store.get(conversation_id)
        if conversation is None or conversation.customer_id != customer_id:
            raise ConversationNotFound("conversation not found")
        return conversation

    def _open_conversation(
        self, turn: Turn, customer: Customer, channel: str, now: datetime
    ) -> Conversation:
        if turn.conversation_id is not None:
            found = self.conversation_of(turn.conversation_id, customer.id)
            if found.status is not ConversationStatus.CLOSED:
                return found
        else:
            latest = self.store.latest_open(customer.id)
            if latest is not None:
                return latest
        conversation = Conversation(
            id=f"c{uuid.uuid4().hex[:20]}",
            customer_id=customer.id,
            channel=channel,
            status=ConversationStatus.BOT,
            lang=customer.lang.value,
            created_at=now,
            updated_at=now,
            state=DialogueState(lang=customer.lang.value).to_dict(),
        )
        self.store.create(conversation)
        return conversation

    # ---- a turn ------------------------------------------------------------------------------
    def validate(self, turn: Turn) -> tuple[str, str, Customer]:
        """Check a turn without changing anything (raises a ClientError)."""
        channel = self._channel(turn.channel)
        text = self._text(turn.text)
        customer = self.customer_for(channel, turn.customer_id, turn.channel_user_id)
        if turn.conversation_id is not None:
            self.conversation_of(turn.conversation_id, customer.id)
        return channel, text, customer

    def _understand(self, text: str, now: datetime) -> Understanding:
        try:
            return self.nlu.parse(text, now)
        except Exception:  # a message is still stored and answered when the NLU fails
            log.exception("NLU failed")
            return _Fallback(text=text, normalized=text.lower())

    def handle(self, turn: Turn) -> TurnResult:
        now = turn.now or self.clock()
        channel, text, customer = self.validate(turn)
        conversation = self._open_conversation(turn, customer, channel, now)
        u = self._understand(text, now)
        message = self.store.append_message(
            conversation.id,
            Sender.CUSTOMER,
            text,
            now,
            channel=channel,
            intent=u.intent,
            confidence=float(u.confidence),
            meta={"entities": _json_entities(u.entities), "sentiment": u.sentiment},
        )
        state = DialogueState.from_dict(conversation.state)
        state.remember_sentiment(u.sentiment)
        if conversation.status in _PEOPLE:
            return self._while_with_people(conversation, state, u, message, now, channel)
        lang = self._language(text, u, state)
        state.lang = lang
        conversation.lang = lang
        ctx = TurnContext(self.services(), customer, conversation, state, u, lang, now, u.intent)
        outcome = self._decide(ctx)
        replies = list(outcome.replies)
        if outcome.handoff is not None:
            from kefu.dialogue.handoff import hand_off

            replies += hand_off(ctx, outcome.handoff, outcome)
        state.remember_intent(ctx.intent)
        return self._finish(ctx, replies, message, outcome.handoff is not None, channel)

    def _while_with_people(
        self,
        conversation: Conversation,
        state: DialogueState,
        u: Understanding,
        message: Message,
        now: datetime,
        channel: str,
    ) -> TurnResult:
        """A person has (or will have) the conversation: the bot only acknowledges, once."""
        replies: list[Reply] = []
        if conversation.status is ConversationStatus.WAITING_AGENT and not state.notice_sent:
            lang = self._language(u.text, u, state)
            replies.append(Reply(self.templates.render(lang, "handoff.notice"), ReplyKind.NOTICE))
            state.notice_sent = True
        stored = self._store_replies(conversation.id, replies, now, channel)
        conversation.state = state.to_dict()
        conversation.updated_at = now
        self._save(conversation, status_changed=False)
        return TurnResult(
            conversation.id,
            message.id,
            replies,
            u.intent,
            float(u.confidence),
            _json_entities(u.entities),
            u.sentiment,
            True,
            conversation.status.value,
            state.lang,
            stored,
        )

    def _language(self, text: str, u: Understanding, state: DialogueState) -> str:
        """The message's language; a message that shows none (an order id, "ok", "好的") keeps
        the conversation's, and so does Chinese that reads the same in both scripts. Codes (tax
        ids, tracking numbers, "X12") are not English words."""
        plain = _CODE.sub(" ", text)
        short = (u.normalized or text).lower()
        if not _HAS_WORDS.search(plain) or self.lexicon.is_yes(short) or self.lexicon.is_no(short):
            return state.lang
        lang = u.lang if u.lang in ("zh-CN", "zh-TW", "en") else state.lang
        han = len(_HAN.findall(plain))
        latin = len(_LATIN_WORD.findall(plain))
        if lang == "en" and han >= latin:
            lang = "zh-TW" if has_traditional(plain) else "zh-CN"
        elif lang != "en" and latin >= max(3, han):
            lang = "en"  # English with a product name in Chinese is still English
        if lang == "zh-CN" and state.lang == "zh-TW" and script_neutral(plain):
            return "zh-TW"
        return lang

    # ---- the decision ------------------------------------------------------------------------
    def _decide(self, ctx: TurnContext) -> Outcome:
        policy = self.policy
        state = ctx.state
        u = ctx.u
        if state.pending:
            confirmed = handle_pending(ctx)
            if confirmed is not None:
                return self._after_skill(ctx, confirmed)
        continued = self._continuation(ctx)
        # an unsure "complaint" that answers the bot or corrects it ("搞错了，是耳机那个") is
        # the conversation going on; anger still reaches a person
        going_on = continued is not None and float(u.confidence) < policy.fragment_confidence
        reason = None if going_on else policy.asked_reason(u.intent)
        if reason is None and not going_on and self._sounds_like_complaint(ctx):
            reason = HandoffReason.COMPLAINT
        if reason is None and policy.is_angry(self._anger(ctx)):
            reason = HandoffReason.ANGER
        if reason is not None:
            replies = []
            if reason in (HandoffReason.COMPLAINT, HandoffReason.ANGER):
                replies.append(ctx.say("complaint.sorry"))
            return Outcome(replies, handoff=reason)
        if continued is not None:
            ctx.intent = continued
            state.low_confidence = 0
        elif policy.is_low_confidence(float(u.confidence)):
            state.low_confidence += 1
            if policy.too_often_unsure(state.low_confidence):
                return Outcome([], resolved=False, handoff=HandoffReason.LOW_CONFIDENCE)
            if u.intent == "other":
                return self._after_skill(ctx, self._clarify(ctx))
        else:
            state.low_confidence = 0
        skill = SKILLS.get(ctx.intent, SKILLS["other"])
        return self._after_skill(ctx, skill(ctx))

    def _anger(self, ctx: TurnContext) -> float:
        """The NLU's anger, raised by abuse and by exasperated words the model may underrate."""
        anger = float(ctx.u.anger)
        if self.safety.is_abusive(ctx.u.text):
            anger = max(anger, self.policy.abuse_anger)
        if ctx.has("anger_words"):
            anger += self.policy.anger_word_boost
        return anger

    def _sounds_like_complaint(self, ctx: TurnContext) -> bool:
        """A negative message the NLU nearly called a complaint is one: the two labels are close
        neighbours, and a missed complaint costs more than an early person."""
        if ctx.u.sentiment != "negative":
            return False
        ranked = dict(ctx.u.ranked)
        return float(ranked.get("complaint", 0.0)) >= self.policy.complaint_runner_up

    def _clarify(self, ctx: TurnContext) -> Outcome:
        answer = ctx.kb_answer(min_score=self.policy.kb_min_score_out_of_scope)
        if answer:
            return Outcome([Reply(answer)])
        return Outcome([ctx.say("clarify", ReplyKind.CLARIFY)], resolved=False)

    def _after_skill(self, ctx: TurnContext, outcome: Outcome) -> Outcome:
        """Counters and the rules that look at the result: unresolved turns, disputes."""
        policy = self.policy
        state = ctx.state
        state.unresolved = 0 if outcome.resolved else state.unresolved + 1
        if outcome.handoff is not None:
            return outcome
        # a dispute is pushback, not any negative word: "降价了" alone is a question
        explicit = ctx.has("dispute")
        disputed = (
            outcome.disputed
            or explicit
            or (ctx.u.sentiment == "negative" and self._anger(ctx) >= policy.dispute_anger)
        )
        order = outcome.order
        intent = ctx.intent
        if order is None and explicit:
            # pushback the skill did not read as about an order ("凭什么不管" under product_info)
            ref = find_reference(ctx)
            if ref is not None and ref.kind is PickKind.FOUND and ref.order is not None:
                order, intent = ref.order, "complaint"
        if order is not None and policy.is_high_value_dispute(intent, order.goods_total, disputed):
            outcome.order = order
            outcome.handoff = HandoffReason.HIGH_VALUE_DISPUTE
        elif policy.too_many_unresolved(state.unresolved):
            outcome.handoff = HandoffReason.UNRESOLVED
        return outcome

    def _continuation(self, ctx: TurnContext) -> str | None:
        """The earlier intent, when this message answers the bot's question or corrects it."""
        state = ctx.state
        u = ctx.u
        awaiting = state.awaiting or {}
        slot = awaiting.get("slot")
        confident_elsewhere = (
            float(u.confidence) >= self.policy.fragment_confidence
            and u.intent not in ("other", "greeting", "product_info", "stock")
            and u.intent != awaiting.get("intent")
        )
        if slot == "order":
            options = [o for o in ctx.orders() if o.id in (awaiting.get("options") or [])]
            if find_reference(ctx, options) is not None:
                return str(awaiting["intent"])
        elif slot == "address":
            if extract_address(ctx, whole_message=True):
                return "change_address"
        elif slot == "company" and (extract_company(ctx.text) or extract_tax_id(ctx.text)):
            return "invoice"
        if awaiting and not confident_elsewhere:
            return str(awaiting["intent"])
        state.awaiting = None
        last = state.last_intent
        if last in self.policy.order_intents and (
            ctx.has("correction") or (not confident_elsewhere and len(ctx.text.strip()) <= 20)
        ):
            ref = find_reference(ctx)
            # an order id that is not theirs still continues: the answer is "not found"
            if ref is not None and (
                ctx.has("correction") or ref.order is not None or ref.kind is PickKind.NOT_FOUND
            ):
                return last
        return None

    # ---- replies and persistence -------------------------------------------------------------
    def _store_replies(
        self, conversation_id: str, replies: list[Reply], now: datetime, channel: str
    ) -> list[Message]:
        return [
            self.store.append_message(
                conversation_id, Sender.BOT, r.text, now, kind=r.kind.value, channel=channel
            )
            for r in replies
        ]

    def _finish(
        self,
        ctx: TurnContext,
        replies: list[Reply],
        message: Message,
        handed_off: bool,
        channel: str,
    ) -> TurnResult:
        clean = [Reply(self.safety.clean(r.text), r.kind) for r in replies if r.text]
        stored = self._store_replies(ctx.conversation.id, clean, ctx.now, channel)
        conversation = ctx.conversation
        conversation.state = ctx.state.to_dict()
        conversation.updated_at = ctx.now
        self._save(conversation, status_changed=handed_off)
        return TurnResult(
            conversation.id,
            message.id,
            clean,
            ctx.intent,
            float(ctx.u.confidence),
            _json_entities(ctx.u.entities),
            ctx.u.sentiment,
            handed_off or conversation.status in _PEOPLE,
            conversation.status.value,
            ctx.lang,
            stored,
        )

    def _save(self, conversation: Conversation, status_changed: bool) -> None:
        """Save; when another worker (or the desk) changed the row meanwhile, reapply ours."""
        for _ in range(3):
            try:
                self.store.save(conversation)
                return
            except ConcurrentUpdate:
                fresh = self.store.get(conversation.id)
                if fresh is None:
                    raise
                fresh.state = conversation.state
                fresh.lang = conversation.lang
                fresh.updated_at = conversation.updated_at
                if status_changed and fresh.status not in (
                    ConversationStatus.WITH_AGENT,
                    ConversationStatus.CLOSED,
                ):
                    fresh.status = conversation.status
                    fresh.handoff_reason = conversation.handoff_reason
                    fresh.summary = conversation.summary
                    fresh.waiting_since = fresh.waiting_since or conversation.waiting_since
                    fresh.priority = conversation.priority
                    fresh.skill = conversation.skill
                conversation = fresh
        self.store.save(conversation)

    # ---- the customer's view of the history --------------------------------------------------
    def history(self, conversation_id: Any, customer_id: Any) -> list[dict[str, Any]]:
        """Customer, bot, agent and system messages in order, as the customer sees them."""
        if not isinstance(customer_id, str) or not customer_id:
            raise InvalidMessage("customer_id is required")
        conversation = self.conversation_of(conversation_id, customer_id)
        return [
            {
                "id": m.id,
                "sender": m.sender.value,
                "text": m.text,
                "at": m.at.isoformat(),
                **({"image": m.meta["image"]} if m.meta and m.meta.get("image") else {}),
            }
            for m in self.store.messages(conversation.id, limit=10_000)
        ]
