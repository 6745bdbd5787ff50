"""The promotion engine as a service: quotes for the API, answers for the dialogue.

``PromotionService(rule_store, catalog_lookup, clock)`` reads live rules from the ``RuleStore``
(compiled once per store revision), prices from the catalogue, and the time from ``clock``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kefu.domain.catalog import Product
from kefu.domain.money import fmt_money
from kefu.promotions.answers import AnswerContext, Answerer, PromoTopic, Question
from kefu.promotions.book import RuleBook
from kefu.promotions.calculator import MAX_QTY_PER_SKU, quote
from kefu.promotions.errors import InvalidCart, UnknownCustomer
from kefu.promotions.explain import Explainer
from kefu.promotions.ports import CatalogLookup, CustomerWallet, RuleStore, RuleVersion
from kefu.promotions.quote import CartItem, Quote
from kefu.promotions.rules import Rule, validate_rule_set
from kefu.promotions.texts import LANGS


def _utc_now() -> datetime:
    return datetime.now(UTC)


def parse_cart(items: Any) -> list[CartItem]:
    """Cart items from untrusted JSON (``[{"sku", "qty"}]``); ``InvalidCart`` says what is wrong."""
    if not isinstance(items, list) or not items:
        raise InvalidCart("items must be a non-empty list of {sku, qty}", "empty_cart")
    cart = []
    for raw in items:
        if not isinstance(raw, Mapping):
            raise InvalidCart("each item must be an object {sku, qty}", "invalid_item")
        sku, qty = raw.get("sku"), raw.get("qty")
        if not isinstance(sku, str) or not sku.strip():
            raise InvalidCart("each item needs a sku", "invalid_item")
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
            raise InvalidCart(f"quantity of {sku} must be a positive integer", "invalid_quantity")
        if qty > MAX_QTY_PER_SKU:
            raise InvalidCart(
                f"at most {MAX_QTY_PER_SKU} of {sku} in one order", "quantity_too_large"
            )
        cart.append(CartItem(sku.strip(), qty))
    return cart


def parse_coupons(coupons: Any) -> list[str] | None:
    if coupons is None:
        return None
    if not isinstance(coupons, list) or not all(isinstance(c, str) for c in coupons):
        raise InvalidCart("coupons must be a list of coupon ids", "invalid_coupons")
    return list(coupons)


@dataclass(frozen=True, slots=True)
class PricedQuote:
    """A quote with its explanations in every language, ready for the wire."""

    quote: Quote
    explanations: dict[str, str]  # lang -> whole-price explanation
    discount_explanations: list[dict[str, str]]  # per discount, lang -> sentence
    rejection_explanations: list[dict[str, str]]
    products: Mapping[str, Product]
    quoted_at: datetime

    def to_wire(self) -> dict[str, Any]:
        """The contract's response body: money as two-place strings."""
        q = self.quote
        lines = [
            {
                "sku": line.sku,
                "name": self.products[line.sku].name_zh,
                "name_en": self.products[line.sku].name_en,
                "qty": line.qty,
                "unit_price": fmt_money(line.unit_price),
                "subtotal": fmt_money(line.subtotal),
                "item_promotion": line.item_rule_id,
                "item_discount": fmt_money(line.item_discount),
                "amount_after_item": fmt_money(line.amount_after_item),
                "order_discounts": {k: fmt_money(v) for k, v in line.order_discounts.items()},
                "total": fmt_money(line.total),
            }
            for line in q.lines
        ]
        discounts = [
            {
                "id": d.id,
                "kind": d.kind,
                "amount": fmt_money(d.amount),
                "explanation": text["zh-CN"],
                "explanation_zh_tw": text["zh-TW"],
                "explanation_en": text["en"],
            }
            for d, text in zip(q.discounts, self.discount_explanations, strict=True)
        ]
        not_used = [
            {
                "id": r.coupon_id,
                "reason": r.reason,
                "explanation": text["zh-CN"],
                "explanation_zh_tw": text["zh-TW"],
                "explanation_en": text["en"],
            }
            for r, text in zip(q.coupons_rejected, self.rejection_explanations, strict=True)
        ]
        return {
            "subtotal": fmt_money(q.subtotal),
            "lines": lines,
            "discounts": discounts,
            "coupons_used": list(q.coupons_used),
            "coupons_not_used": not_used,
            "cross_store_base": fmt_money(q.cross_store_base),
            "goods_total": fmt_money(q.goods_total),
            "shipping": fmt_money(q.shipping),
            "total": fmt_money(q.total),
            "deposit_paid": fmt_money(q.deposit_paid),
            "explanation_zh": self.explanations["zh-CN"],
            "explanation_zh_tw": self.explanations["zh-TW"],
            "explanation_en": self.explanations["en"],
            "quoted_at": self.quoted_at.isoformat(),
        }


class PromotionService:
    """Quotes and answers over a rule store, a catalogue and a clock."""

    def __init__(
        self,
        rule_store: RuleStore,
        catalog_lookup: CatalogLookup,
        clock: Callable[[], datetime] = _utc_now,
        explainer: Explainer | None = None,
        answerer: Answerer | None = None,
    ) -> None:
        self.rule_store = rule_store
        self.catalog = catalog_lookup
        self.clock = clock
        self.explainer = explainer or Explainer()
        self.answerer = answerer or Answerer(explainer=self.explainer)
        self._book: tuple[str, RuleBook] | None = None

    # -- reads ------------------------------------------------------------------------------------

    def rule_book(self) -> RuleBook:
        """The live rules, compiled; recompiled only when the store's revision changes."""
        revision = self.rule_store.revision()
        if self._book is None or self._book[0] != revision:
            self._book = (revision, RuleBook(self.rule_store.list_rules()))
        return self._book[1]

    def products(self) -> dict[str, Product]:
        return {p.sku: p for p in self.catalog.list_products()}

    def wallet(self, customer_id: str) -> CustomerWallet:
        wallet = self.rule_store.wallet(customer_id)
        if wallet is None:
            raise UnknownCustomer(f"unknown customer {customer_id!r}")
        return wallet

    # -- rules ------------------------------------------------------------------------------------

    def put_rule(self, rule: Rule, created_by: str = "system") -> RuleVersion:
        """Add a version of a rule after checking it with the others and the catalogue."""
        others = [r for r in self.rule_store.list_rules() if r.id != rule.id]
        validate_rule_set([*others, rule], self.products())
        return self.rule_store.put_rule(rule, self.clock(), created_by)

    # -- quotes -----------------------------------------------------------------------------------

    def quote(
        self, customer_id: Any, items: Any, coupons: Any = None, now: datetime | None = None
    ) -> PricedQuote:
        """Price a cart for a customer; ``coupons=None`` picks the best coupons held."""
        if not isinstance(customer_id, str) or not customer_id:
            raise InvalidCart("customer_id is required", "invalid_customer")
        cart = parse_cart(items)
        chosen = parse_coupons(coupons)
        wallet = self.wallet(customer_id)
        products = self.products()
        book = self.rule_book()
        moment = now or self.clock()
        result = quote(cart, wallet, book, products, moment, chosen)
        kinds = {cid: c.rule.kind for cid, c in book.coupons.items()}
        per_discount = {
            lang: [self.explainer.discount(d, lang, products) for d in result.discounts]
            for lang in LANGS
        }
        return PricedQuote(
            quote=result,
            explanations={
                lang: self.explainer.quote(result, lang, products, kinds, per_discount[lang])
                for lang in LANGS
            },
            discount_explanations=[
                {lang: per_discount[lang][i] for lang in LANGS}
                for i in range(len(result.discounts))
            ],
            rejection_explanations=[
                {
                    lang: self.explainer.rejection(r, lang, kinds.get(r.coupon_id, "store_coupon"))
                    for lang in LANGS
                }
                for r in result.coupons_rejected
            ],
            products=products,
            quoted_at=moment,
        )

    # -- conversational answers -------------------------------------------------------------------

    def answer(
        self,
        topic: PromoTopic,
        lang: str,
        skus: Iterable[str] = (),
        qty: int | None = None,
        customer_id: str | None = None,
        rule_refs: Sequence[str] = (),
    ) -> str:
        """A reply in ``lang`` to a promotion question (see ``kefu.promotions.answers``)."""
        wallet = self.wallet(customer_id) if customer_id else None
        products = self.products()
        known = tuple(s for s in skus if s in products)
        ctx = AnswerContext(self.rule_book(), products, self.clock(), wallet)
        question = Question(PromoTopic(topic), lang, known, qty, tuple(rule_refs))
        return self.answerer.answer(question, ctx)
