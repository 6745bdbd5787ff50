"""Wire models of the shop's side of the API: the knowledge-base and promotions admin, quotes, the
NLU preview, the channel endpoints, the embeddable widget, the typing signals and the demo pages'
helpers.

Response models forbid extra keys: a key a handler returns but its model forgets makes the tests
fail instead of vanishing from the wire. Times, and money (two-place decimal strings), are typed
``str`` where the handler already formats them, so the wire keeps its exact text.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from kefu.api.schemas.messages import ErrorOut, MessageOut
from kefu.domain.orders import OrderStatus

Lang = Literal["zh-CN", "zh-TW", "en"]
ConversationStatus = Literal["bot", "waiting_agent", "with_agent", "closed"]
RuleKind = Literal[
    "flash_sale",
    "nth_item_discount",
    "buy_x_get_y",
    "presale",
    "group_buy",
    "cross_store_threshold",
    "store_coupon",
    "platform_coupon",
    "new_customer_coupon",
    "free_shipping",
]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for the statuses a route answers with the contract's error body."""
    return {code: {"model": ErrorOut} for code in codes}


def inline_schema(shape: type[BaseModel] | TypeAdapter[Any]) -> dict[str, Any]:
    """``shape``'s JSON schema with its nested models written in place: a schema given through
    ``openapi_extra`` cannot point into pydantic's ``$defs``, which the OpenAPI document lacks."""
    schema = shape.json_schema() if isinstance(shape, TypeAdapter) else shape.model_json_schema()
    defs: dict[str, Any] = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` documenting a JSON body the route reads itself (so it can answer a
    malformed one with its own error codes)."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline_schema(model)}},
        }
    }


# ---- knowledge base (/api/v1/admin/kb) ----------------------------------------------------------


class EntryIn(BaseModel):
    """An entry to create, or the fields of one to change (the others stay). The entry's own rules
    (id pattern, languages, channels, times, lengths) are the knowledge base's to check, with its
    ``invalid_entry`` messages; keys of an exported entry (version, updated_at...) are ignored."""

    model_config = ConfigDict(extra="ignore")

    id: str | None = None
    question: str | None = None
    variants: list[str] | None = None
    answers: dict[str, str | None] | None = None
    channel_answers: dict[str, dict[str, str | None]] | None = None
    tags: list[str] | None = None
    valid_from: str | None = None
    valid_to: str | None = None


class RollbackIn(BaseModel):
    version: int = Field(ge=1)


class SearchIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)
    lang: Lang = "zh-CN"
    channel: str | None = None
    k: int = Field(default=3, ge=1, le=20)


class ShadowIn(BaseModel):
    questions: list[str] = Field(min_length=1, max_length=50)
    lang: Lang = "zh-CN"


class ProposalIn(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    answer: str = Field(min_length=1, max_length=4000)
    lang: Lang
    agent_id: str = Field(min_length=1, max_length=32)
    entry_id: str | None = None


class EntryOut(_Out):
    id: str
    question: str
    variants: list[str]
    answers: dict[str, str]
    channel_answers: dict[str, dict[str, str]]
    tags: list[str]
    valid_from: str | None
    valid_to: str | None
    version: int
    deleted: bool
    updated_at: str | None
    updated_by: str


class EntryVersionOut(_Out):
    version: int
    at: str
    actor: str
    # the entry as that version stored it (older versions may carry older fields)
    entry: dict[str, Any]


class ImportResultOut(_Out):
    created: int
    updated: int
    unchanged: int


class HitOut(_Out):
    entry_id: str
    question: str
    answer: str
    score: float
    lexical: float
    dense: float
    tags: list[str]


class SearchOut(_Out):
    text: str
    lang: str
    channel: str | None
    decision: Literal["answer", "suggest", "fallback"]
    hits: list[HitOut]


class ShadowOut(_Out):
    """``{"shadowed": false}`` alone, or what answers the question instead of the entry."""

    shadowed: bool
    question: str | None = None
    intent: str | None = None
    source: Literal["promotions", "catalogue"] | None = None
    bot_answer: str | None = None


class GapOut(_Out):
    representative: str
    count: int
    examples: list[str]
    langs: list[str]
    first_at: str
    last_at: str
    nearest_entry_id: str | None


class ProposalOut(_Out):
    id: str
    entry_id: str | None
    question: str
    answer: str
    lang: str
    agent_id: str
    status: Literal["pending", "approved", "rejected"]
    created_at: str
    reviewed_at: str | None
    reviewed_by: str | None


# ---- promotions: quotes and the admin ------------------------------------------------------------


class CartItemIn(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    sku: str
    qty: int


class QuoteIn(BaseModel):
    """``POST /api/v1/promotions/quote``. What the types cannot say (a non-empty cart, positive
    quantities, a known customer) the engine checks, with its own error codes."""

    model_config = ConfigDict(extra="ignore", strict=True)

    customer_id: str | None = None
    items: list[CartItemIn] = Field(default_factory=list)
    # omitted: the engine picks the best coupons the customer holds
    coupons: list[str] | None = None


class QuoteLineOut(_Out):
    sku: str
    name: str
    name_en: str
    qty: int
    unit_price: str
    subtotal: str
    item_promotion: str | None
    item_discount: str
    amount_after_item: str
    order_discounts: dict[str, str]
    total: str


class QuoteDiscountOut(_Out):
    id: str
    kind: RuleKind
    amount: str
    explanation: str
    explanation_zh_tw: str
    explanation_en: str


class CouponNotUsedOut(_Out):
    id: str
    reason: Literal["threshold_not_reached", "no_eligible_items", "first_order_only", "not_active"]
    explanation: str
    explanation_zh_tw: str
    explanation_en: str


class QuoteOut(_Out):
    subtotal: str
    lines: list[QuoteLineOut]
    discounts: list[QuoteDiscountOut]
    coupons_used: list[str]
    coupons_not_used: list[CouponNotUsedOut]
    cross_store_base: str
    goods_total: str
    shipping: str
    total: str
    deposit_paid: str
    explanation_zh: str
    explanation_zh_tw: str
    explanation_en: str
    quoted_at: str


class RuleIn(BaseModel):
    """A promotion rule or coupon definition as the admin sends it: its ``kind`` decides the other
    fields, which the promotion engine's own rule models check (naming every problem)."""

    model_config = ConfigDict(extra="allow")

    id: str
    kind: RuleKind


class RulesImportIn(BaseModel):
    """``POST /api/v1/admin/promotions/import``: a JSON list of rules, or this object."""

    rules: list[RuleIn] = Field(min_length=1)


# the import's body: either form (for the OpenAPI document; the route unwraps it itself)
RulesImport: TypeAdapter[list[RuleIn] | RulesImportIn] = TypeAdapter(list[RuleIn] | RulesImportIn)


class RuleWindowOut(_Out):
    start: str
    end: str


class PromotionOut(_Out):
    id: str
    kind: RuleKind
    category: Literal["item", "coupon", "shipping", "order"]
    window: RuleWindowOut | None
    active: bool
    in_effect: bool
    version: int
    updated_at: str
    updated_by: str
    rule: dict[str, Any]  # the rule's stored JSON form, fields by kind


class PromotionDetailOut(PromotionOut):
    history: list[PromotionOut]  # every version, oldest first


class CouponOut(PromotionOut):
    slot: Literal["store", "platform"]


class PromotionImportOut(_Out):
    imported: int
    created: list[str]
    updated: list[str]
    dry_run: bool


# ---- the NLU preview -----------------------------------------------------------------------------


class ParseIn(BaseModel):
    """``POST /api/v1/nlu/parse``."""

    model_config = ConfigDict(extra="ignore", strict=True)

    text: str


class ParseOut(_Out):
    intent: str
    confidence: float
    entities: dict[str, Any]  # amounts as two-place strings, dates as ISO days
    sentiment: Literal["negative", "neutral", "positive"]
    lang: str
    normalized: str


# ---- channels ------------------------------------------------------------------------------------


class WebhookIn(BaseModel):
    """A signed JSON webhook message. Documentation only: the channel reads the exact bytes
    itself, since the signature covers them (``kefu.channels.webhook.parse_event``)."""

    event_id: str = Field(min_length=1, max_length=128)
    user_id: str = Field(min_length=1, max_length=128)
    text: str | None = None
    # where a reply that comes later (an agent's) is sent: public http(s) only
    callback_url: str | None = Field(default=None, max_length=2048)


class WebhookReplyOut(MessageOut):
    """The turn's answer to a webhook message, the shape ``POST /api/v1/messages`` answers."""

    model_config = ConfigDict(extra="forbid")


class WebhookAcceptedOut(_Out):
    """An event taken for later (no text to answer now)."""

    status: Literal["accepted"]
    event_id: str


# ---- the widget ----------------------------------------------------------------------------------


class WidgetHoursOut(_Out):
    opens: str
    closes: str
    timezone: str


class WidgetConfigOut(_Out):
    lang: Lang
    shop_name: str
    welcome: str
    hours: WidgetHoursOut
    hours_text: str
    open_now: bool
    agents_online: bool


class WidgetProductOut(_Out):
    sku: str
    name: str
    price: str
    in_stock: bool


class OrderCardOut(_Out):
    order_id: str
    status: OrderStatus
    items: list[str]  # product names in the customer's language
    total: str
    created_at: str


class LeftMessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=1000)
    phone: str | None = Field(default=None, max_length=20)
    conversation_id: str | None = Field(default=None, max_length=64)
    customer_id: str | None = Field(default=None, min_length=1, max_length=32)
    visitor: str | None = None


class LeftMessageOut(_Out):
    ticket_id: str


class WidgetRatingIn(BaseModel):
    conversation_id: str = Field(min_length=1, max_length=64)
    score: int = Field(ge=1, le=5, strict=True)
    resolved: bool | None = None
    comment: str | None = Field(default=None, max_length=2000)
    customer_id: str | None = Field(default=None, min_length=1, max_length=32)
    visitor: str | None = None


class WidgetRatingOut(_Out):
    survey_id: str
    score: int | None
    resolved: bool | None
    comment: str | None


# ---- typing signals ------------------------------------------------------------------------------


class TypingIn(BaseModel):
    on: bool


class CustomerTypingOut(_Out):
    conversation_id: str
    customer_typing: bool


class AgentTypingOut(_Out):
    conversation_id: str
    on: bool


# ---- the demo pages' helpers ---------------------------------------------------------------------


class DemoCustomerOut(_Out):
    id: str
    name: str
    vip: str
    lang: str
    channels: list[str]


class DemoConversationOut(_Out):
    conversation_id: str
    status: ConversationStatus
