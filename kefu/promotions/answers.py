"""Answers to customers' promotion questions, computed from the live rules (never fixed text).

The dialogue maps a question to a ``PromoTopic`` plus what it recognised (SKUs, a quantity, rule
references such as ``"cross_store_threshold"``, ``"store_coupon"`` or a rule id) and gets a reply.

Topics (example question -> inputs used):

- stacking: 满300减40能和店铺券一起用吗 / how do discounts stack -> rule_refs (two), else skus
- price: 买两件T恤多少钱 -> skus, qty, the asker's wallet (the engine quotes it)
- compare: 第二件半价和买一送一哪个划算 -> rule_refs or skus (price per item of each deal)
- presale: 定金怎么算，尾款多少 -> skus, qty
- group_buy: 拼团没成怎么办 -> skus (automatic full refund when the group does not fill)
- cross_store_eligibility: 手机能参加跨店满减吗 -> skus
- flash_sale: 秒杀什么规则 / is the flash sale on -> skus
- coupon: 优惠券怎么用 / why a coupon does not apply -> wallet, skus, qty
- free_shipping: 满多少包邮 -> skus, qty (how far the cart is from free shipping)
- campaign_summary: 满减是怎么算的 -> nothing
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from kefu.domain.catalog import Product
from kefu.domain.money import CENT
from kefu.promotions.book import RuleBook
from kefu.promotions.calculator import quote
from kefu.promotions.explain import Explainer
from kefu.promotions.ports import CustomerWallet
from kefu.promotions.quote import CartItem, Quote
from kefu.promotions.rules import (
    COUPON_KINDS,
    ITEM_KINDS,
    BuyXGetY,
    CrossStoreThreshold,
    FlashSale,
    FreeShipping,
    GroupBuy,
    ItemRule,
    NthItemDiscount,
    Presale,
    Rule,
)
from kefu.promotions.texts import Texts


class PromoTopic(StrEnum):
    STACKING = "stacking"
    PRICE = "price"
    COMPARE = "compare"
    PRESALE = "presale"
    GROUP_BUY = "group_buy"
    CROSS_STORE_ELIGIBILITY = "cross_store_eligibility"
    FLASH_SALE = "flash_sale"
    COUPON = "coupon"
    FREE_SHIPPING = "free_shipping"
    CAMPAIGN_SUMMARY = "campaign_summary"


@dataclass(frozen=True, slots=True)
class AnswerContext:
    """What an answer may read: the live rules, the catalogue, the moment, the asker's wallet."""

    book: RuleBook
    products: Mapping[str, Product]
    now: datetime
    wallet: CustomerWallet | None = None


@dataclass(frozen=True, slots=True)
class Question:
    topic: PromoTopic
    lang: str
    skus: tuple[str, ...] = ()
    qty: int | None = None
    rule_refs: tuple[str, ...] = ()


def _item_of(rule: Rule) -> ItemRule | None:
    return rule if rule.kind in ITEM_KINDS else None  # type: ignore[return-value]


def stacks_on_item(item: ItemRule, other: Rule, book: RuleBook) -> bool:
    """Whether an order-level rule also applies to units priced by an item-level rule."""
    stacks = book.stacks.get(item.id)
    if isinstance(other, CrossStoreThreshold):
        if item.sku in other.excludes_skus or (
            isinstance(item, FlashSale) and other.excludes_flash_sale
        ):
            return False
    elif other.kind in COUPON_KINDS and item.sku in other.excludes_skus:  # type: ignore[union-attr]
        return False
    return stacks is None or other.kind in stacks or other.id in stacks


class Answerer:
    """Renders answers with data/promotions/answers.json; quotes with the calculator."""

    def __init__(self, texts: Texts | None = None, explainer: Explainer | None = None) -> None:
        self.t = texts or Texts("answers.json")
        self.explainer = explainer or Explainer()

    # -- public ---------------------------------------------------------------------------------

    def answer(self, question: Question, ctx: AnswerContext) -> str:
        handler = getattr(self, f"_{question.topic.value}")
        text: str = handler(question, ctx)
        return text

    # -- naming ---------------------------------------------------------------------------------

    def rule_facts(self, rule: Rule, lang: str, ctx: AnswerContext) -> dict[str, Any]:
        facts: dict[str, Any] = dict(rule)
        sku = facts.get("sku")
        if isinstance(rule, FlashSale):
            facts["flash_price"], facts["limit"] = rule.price, rule.limit_per_customer
        if isinstance(sku, str):
            product = ctx.products.get(sku)
            facts["name"] = self.t.product_name(lang, product, sku)
            facts["price"] = product.price if product else Decimal(0)
        if isinstance(rule, NthItemDiscount):
            facts["ordinal"] = self.t.ordinal(lang, rule.nth)
            facts["rate_label"] = self.t.rate_label(lang, rule.rate)
        if "threshold" in facts and rule.kind in COUPON_KINDS:
            facts["threshold_phrase"] = self.t.threshold_phrase(lang, rule.threshold)  # type: ignore[union-attr]
        if isinstance(rule, Presale):
            facts["balance"] = facts["price"] - rule.deposit_worth
            facts["start"], facts["end"] = rule.balance_window.start, rule.balance_window.end
        if isinstance(rule, FlashSale):
            facts["start"], facts["end"] = rule.window.start, rule.window.end
        if isinstance(rule, GroupBuy):
            facts["hours"] = rule.fill_within_hours
        return {k: v for k, v in facts.items() if not isinstance(v, list | dict)}

    def name(self, rule: Rule, lang: str, ctx: AnswerContext) -> str:
        return self.t.render(lang, ("names", rule.kind), self.rule_facts(rule, lang, ctx))

    def _say(self, lang: str, path: str, **facts: Any) -> str:
        return self.t.render(lang, tuple(path.split(".")), facts)

    def _sentences(self, lang: str, parts: Sequence[str]) -> str:
        return self.t.template(lang, "sentence_sep").join(p for p in parts if p)

    def _join(self, lang: str, parts: Sequence[str]) -> str:
        return self.t.template(lang, "item_sep").join(parts)

    def _product(self, lang: str, sku: str, ctx: AnswerContext) -> str:
        return self.t.product_name(lang, ctx.products.get(sku), sku)

    def resolve(self, ref: str, ctx: AnswerContext) -> Rule | None:
        """A rule id, a rule kind (the live rule of that kind) or a SKU (its item-level rule)."""
        if ref in ctx.book.by_id:
            return ctx.book.by_id[ref]
        for rule in ctx.book.rules:
            if rule.kind == ref and rule.is_active(ctx.now):
                return rule
        for rule in ctx.book.rules:
            if rule.kind == ref:
                return rule
        if ref in ctx.products:
            active = ctx.book.item_rule(ref, ctx.now)
            rules = ctx.book.item_rules_for(ref)
            return active or (rules[0] if rules else None)
        return None

    # -- topics ---------------------------------------------------------------------------------

    def _stacking(self, q: Question, ctx: AnswerContext) -> str:
        refs = [self.resolve(r, ctx) for r in q.rule_refs[:2]]
        if len(refs) == 2:
            first, second = refs
            if first is None or second is None:
                return self.t.template(q.lang, "unknown_rule")
            return self._stack_pair(first, second, q.lang, ctx)
        if q.skus:
            return self._sentences(q.lang, [self._sku_stack(sku, q.lang, ctx) for sku in q.skus])
        return self._stack_general(q.lang, ctx)

    def _stack_pair(self, first: Rule, second: Rule, lang: str, ctx: AnswerContext) -> str:
        order = {"item": 0, "cross": 1, "store": 2, "platform": 3, "shipping": 4}
        first, second = sorted((first, second), key=lambda r: order[self._step(r)])
        a, b = self.name(first, lang, ctx), self.name(second, lang, ctx)
        item_a, item_b = _item_of(first), _item_of(second)
        if item_a is not None and item_b is not None:
            key = (
                "no_same_sku" if item_a.sku == item_b.sku and first.id != second.id else "yes_items"
            )
            return self._say(lang, f"stacking.{key}", first=a, second=b)
        if (
            item_a is not None
            and not isinstance(second, FreeShipping)
            and not stacks_on_item(item_a, second, ctx.book)
        ):
            return self._say(lang, "stacking.no_item", first=a, second=b)
        if first.kind in COUPON_KINDS and second.kind in COUPON_KINDS:
            slot_a, slot_b = ctx.book.coupons[first.id].slot, ctx.book.coupons[second.id].slot
            if slot_a == slot_b:
                return self._say(lang, "stacking.no_same_slot", first=a, second=b)
            if second.id in ctx.book.coupons[first.id].not_with:
                return self._say(lang, "stacking.no_exclusive", first=a, second=b)
        return self._say(lang, "stacking.yes", first=a, second=b, order=f"{a} → {b}")

    @staticmethod
    def _step(rule: Rule) -> str:
        if rule.kind in ITEM_KINDS:
            return "item"
        if isinstance(rule, CrossStoreThreshold):
            return "cross"
        if isinstance(rule, FreeShipping):
            return "shipping"
        return "store" if rule.kind == "store_coupon" else "platform"

    def _sku_stack(self, sku: str, lang: str, ctx: AnswerContext) -> str:
        item = ctx.book.item_rule(sku, ctx.now)
        names = [self.name(item, lang, ctx)] if item else []
        later: list[Rule] = []
        cross = ctx.book.cross_store(ctx.now)
        if cross is not None:
            later.append(cross)
        coupons = sorted(ctx.book.coupons.values(), key=lambda c: (c.slot != "store", c.rule.id))
        later += [c.rule for c in coupons if c.rule.is_active(ctx.now)]
        for rule in later:
            excluded = sku in getattr(rule, "excludes_skus", ())
            if not excluded and (item is None or stacks_on_item(item, rule, ctx.book)):
                names.append(self.name(rule, lang, ctx))
        return self._say(
            lang, "stacking.sku_rules", name=self._product(lang, sku, ctx), names=" → ".join(names)
        )

    def _stack_general(self, lang: str, ctx: AnswerContext) -> str:
        items = [r for r in ctx.book.rules if r.kind in ITEM_KINDS and r.is_active(ctx.now)]
        steps = []
        if items:
            names = self._join(lang, [self.name(r, lang, ctx) for r in items])
            steps.append(self._say(lang, "stacking.step_items", names=names))
        cross = ctx.book.cross_store(ctx.now)
        if cross is not None:
            steps.append(self._say(lang, "stacking.step_cross", name=self.name(cross, lang, ctx)))
        steps.append(self.t.template(lang, "stacking", "step_store"))
        steps.append(self.t.template(lang, "stacking", "step_platform"))
        sep = self.t.template(lang, "item_sep")
        return self._say(lang, "stacking.general", steps=sep.join(steps))

    def _price(self, q: Question, ctx: AnswerContext) -> str:
        if not q.skus:
            return self.t.template(q.lang, "need_item")
        qty = q.qty or 1
        result = self._quote(ctx, q.skus, qty, None)
        items = self._join(
            q.lang,
            [
                self._say(q.lang, "price.item", qty=qty, name=self._product(q.lang, s, ctx))
                for s in q.skus
            ],
        )
        explanation = self.explainer.quote(result, q.lang, ctx.products, self._coupon_kinds(ctx))
        return self._say(q.lang, "price.quote", items=items, explanation=explanation)

    def _quote(
        self, ctx: AnswerContext, skus: Sequence[str], qty: int, coupons: Sequence[str] | None
    ) -> Quote:
        wallet = ctx.wallet or CustomerWallet("anonymous")
        cart = [CartItem(sku, qty) for sku in skus]
        return quote(cart, wallet, ctx.book, ctx.products, ctx.now, coupons)

    @staticmethod
    def _coupon_kinds(ctx: AnswerContext) -> dict[str, str]:
        return {cid: c.rule.kind for cid, c in ctx.book.coupons.items()}

    def _compare(self, q: Question, ctx: AnswerContext) -> str:
        refs = list(q.rule_refs) or list(q.skus)
        rules = [self.resolve(r, ctx) for r in refs[:2]]
        items = [_item_of(r) for r in rules if r is not None]
        deals = [i for i in items if i is not None]
        if len(deals) < 2:
            return self.t.template(q.lang, "compare", "need_two")
        lines, ratios = [], []
        for deal in deals:
            price = ctx.products[deal.sku].price
            bundle, bundle_price = _bundle(deal, price)
            unit = (bundle_price / bundle).quantize(CENT, rounding=ROUND_HALF_UP)
            ratio = bundle_price / (price * bundle)
            pct = (ratio * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).normalize()
            ratios.append(ratio)
            lines.append(
                self._say(
                    q.lang,
                    "compare.deal",
                    rule=self.name(deal, q.lang, ctx),
                    bundle=bundle,
                    bundle_price=bundle_price,
                    unit_price=unit,
                    pct=f"{pct:f}",
                )
            )
        sep = self.t.template(q.lang, "list_sep")
        if ratios[0] == ratios[1]:
            verdict = self.t.template(q.lang, "compare", "tie")
        else:
            winner = deals[0] if ratios[0] < ratios[1] else deals[1]
            verdict = self._say(q.lang, "compare.better", winner=self.name(winner, q.lang, ctx))
        return sep.join(lines) + self.t.template(q.lang, "list_sep") + verdict

    def _rules_of(self, kind: type[Any], q: Question, ctx: AnswerContext) -> list[Any]:
        rules = [r for r in ctx.book.rules if isinstance(r, kind)]
        if q.skus:
            rules = [r for r in rules if r.sku in q.skus]
        return rules

    def _presale(self, q: Question, ctx: AnswerContext) -> str:
        rules: list[Presale] = self._rules_of(Presale, q, ctx)
        if not rules:
            return self.t.template(q.lang, "presale", "none")
        parts = []
        for rule in rules:
            facts = self.rule_facts(rule, q.lang, ctx)
            window = rule.balance_window
            phase = (
                "deposit"
                if ctx.now < window.start
                else "balance"
                if ctx.now < window.end
                else "over"
            )
            parts += [
                self._say(q.lang, "presale.rule", **facts),
                self.t.template(
                    q.lang, "presale", "stacks_all" if rule.stacks_with is None else "stacks_none"
                ),
                self.t.template(q.lang, "presale", "refund"),
                self.t.template(q.lang, "presale", f"phase_{phase}"),
            ]
            if q.qty:
                parts.append(
                    self._say(
                        q.lang,
                        "presale.qty",
                        qty=q.qty,
                        deposit_total=rule.deposit * q.qty,
                        balance_total=facts["balance"] * q.qty,
                    )
                )
        return self._sentences(q.lang, parts)

    def _group_buy(self, q: Question, ctx: AnswerContext) -> str:
        rules: list[GroupBuy] = self._rules_of(GroupBuy, q, ctx)
        if not rules:
            return self.t.template(q.lang, "group_buy", "none")
        parts = []
        for rule in rules:
            key = "stacks_all" if rule.stacks_with is None else "stacks_none"
            parts += [
                self._say(q.lang, "group_buy.rule", **self.rule_facts(rule, q.lang, ctx)),
                self.t.template(q.lang, "group_buy", key),
            ]
        return self._sentences(q.lang, parts)

    def _cross_store_eligibility(self, q: Question, ctx: AnswerContext) -> str:
        cross = ctx.book.cross_store(ctx.now)
        if cross is None:
            return self.t.template(q.lang, "cross_store", "none")
        if not q.skus:
            return self.t.template(q.lang, "need_item")
        parts = []
        for sku in q.skus:
            facts = {
                "name": self._product(q.lang, sku, ctx),
                "every": cross.every,
                "off": cross.off,
            }
            item = ctx.book.item_rule(sku, ctx.now)
            if sku in cross.excludes_skus:
                key = "no_excluded"
            elif isinstance(item, FlashSale) and cross.excludes_flash_sale:
                key = "no_flash"
            elif item is not None and not stacks_on_item(item, cross, ctx.book):
                key, facts["rule"] = "no_item_rule", self.t.label(q.lang, item.kind)
            else:
                key = "yes"
            parts.append(self._say(q.lang, f"cross_store.{key}", **facts))
        return self._sentences(q.lang, parts)

    def _flash_sale(self, q: Question, ctx: AnswerContext) -> str:
        rules: list[FlashSale] = self._rules_of(FlashSale, q, ctx)
        if not rules:
            return self.t.template(q.lang, "flash_sale", "none")
        parts = []
        for rule in sorted(rules, key=lambda r: r.window.start, reverse=True):
            facts = self.rule_facts(rule, q.lang, ctx)
            if ctx.now < rule.window.start:
                status = "upcoming"
            else:
                status = "running" if rule.is_active(ctx.now) else "ended"
            stacks = "stacks_none" if rule.stacks_with == [] else "stacks_all"
            parts += [
                self._say(q.lang, "flash_sale.rule", **facts),
                self.t.template(q.lang, "flash_sale", stacks),
                self._say(q.lang, f"flash_sale.{status}", price=facts["price"]),
            ]
        return self._sentences(q.lang, parts)

    def coupon_rule_text(self, coupon_id: str, lang: str, ctx: AnswerContext) -> str:
        compiled = ctx.book.coupons[coupon_id]
        rule = compiled.rule
        facts = self.rule_facts(rule, lang, ctx)
        facts["coupon"] = self.t.label(lang, rule.kind)
        text = self._say(lang, "coupon.rule", **facts)
        if rule.first_order_only:
            text += self.t.template(lang, "coupon", "first_order")
        if compiled.not_with:
            others = [
                self.t.label(lang, ctx.book.coupons[o].rule.kind) for o in sorted(compiled.not_with)
            ]
            text += self._say(lang, "coupon.not_with", others=self._join(lang, others))
        if rule.threshold > 0:
            after = "after_store" if compiled.slot == "store" else "after_platform"
            text += self.t.template(lang, "coupon", after)
        blocked = [self._product(lang, s, ctx) for s in rule.excludes_skus]
        for item_rule in ctx.book.rules:
            item = _item_of(item_rule)
            if (
                item is not None
                and item.is_active(ctx.now)
                and not stacks_on_item(item, rule, ctx.book)
            ):
                blocked.append(self.name(item, lang, ctx))
        if blocked:
            text += self._say(lang, "coupon.excludes", names=self._join(lang, blocked))
        return text

    def _coupon(self, q: Question, ctx: AnswerContext) -> str:
        sep = self.t.template(q.lang, "list_sep")
        if ctx.wallet is None:
            texts = [self.coupon_rule_text(cid, q.lang, ctx) for cid in ctx.book.coupons]
            return self._say(q.lang, "coupon.all", list=sep.join(texts))
        held = [cid for cid in dict.fromkeys(ctx.wallet.coupon_ids) if cid in ctx.book.coupons]
        if not held:
            return self.t.template(q.lang, "coupon", "held_none")
        text = self._say(
            q.lang,
            "coupon.held",
            list=sep.join(self.coupon_rule_text(c, q.lang, ctx) for c in held),
        )
        if not q.skus:
            return text
        return self._sentences(q.lang, [text, *(self._coupon_on_cart(c, q, ctx) for c in held)])

    def _coupon_on_cart(self, coupon_id: str, q: Question, ctx: AnswerContext) -> str:
        qty = q.qty or 1
        name = self.t.label(q.lang, ctx.book.coupons[coupon_id].rule.kind)
        best = self._quote(ctx, q.skus, qty, None)
        if coupon_id in best.coupons_used:
            return self._say(q.lang, "coupon.applies", coupon=name, amount=best.discount(coupon_id))
        alone = self._quote(ctx, q.skus, qty, [coupon_id])
        if alone.coupons_rejected:
            rejection = alone.coupons_rejected[0]
            return self._say(q.lang, f"coupon.{rejection.reason}", coupon=name, **rejection.facts)
        rivals = ctx.book.coupons[coupon_id].not_with.intersection(best.coupons_used)
        if rivals:
            other = self.t.label(q.lang, ctx.book.coupons[min(rivals)].rule.kind)
            return self._say(q.lang, "coupon.not_with_best", coupon=name, other=other)
        return self._say(q.lang, "coupon.not_best", coupon=name)

    def _free_shipping(self, q: Question, ctx: AnswerContext) -> str:
        rule = ctx.book.shipping(ctx.now)
        if rule is None:
            return self.t.template(q.lang, "free_shipping", "none")
        parts = [self._say(q.lang, "free_shipping.rule", threshold=rule.threshold, fee=rule.fee)]
        if q.skus:
            goods = self._quote(ctx, q.skus, q.qty or 1, None).goods_total
            if goods >= rule.threshold:
                parts.append(self._say(q.lang, "free_shipping.cart_free", goods_total=goods))
            else:
                short = rule.threshold - goods
                parts.append(
                    self._say(q.lang, "free_shipping.cart_short", goods_total=goods, short=short)
                )
        return self._sentences(q.lang, parts)

    def _campaign_summary(self, q: Question, ctx: AnswerContext) -> str:
        cross = ctx.book.cross_store(ctx.now)
        lang = q.lang
        if cross is None:
            parts = [self.t.template(lang, "summary", "none")]
        else:
            end = cross.window.end if cross.window else None
            parts = [
                self._say(
                    lang,
                    "summary.cross",
                    every=cross.every,
                    off=cross.off,
                    every2=cross.every * 2,
                    off2=cross.off * 2,
                    end=end or "-",
                )
            ]
            if cross.excludes_skus:
                names = self._join(lang, [self._product(lang, s, ctx) for s in cross.excludes_skus])
                parts.append(self._say(lang, "summary.cross_excludes", names=names))
            if cross.excludes_flash_sale:
                parts.append(self.t.template(lang, "summary", "cross_flash"))
        others = [
            self.name(r, lang, ctx)
            for r in ctx.book.rules
            if r.is_active(ctx.now)
            and not isinstance(r, CrossStoreThreshold)
            and not (isinstance(r, Presale) and ctx.now >= r.balance_window.end)
        ]
        if others:
            parts.append(self._say(lang, "summary.others", list=self._join(lang, others)))
        return self._sentences(lang, parts)


def _bundle(deal: ItemRule, price: Decimal) -> tuple[int, Decimal]:
    """The smallest purchase that gets a deal's full effect, and what it costs."""
    if isinstance(deal, NthItemDiscount):
        cut = (price * deal.rate).quantize(CENT, rounding=ROUND_HALF_UP)
        return deal.nth, price * (deal.nth - 1) + cut
    if isinstance(deal, BuyXGetY):
        return deal.buy + deal.get, price * deal.buy
    if isinstance(deal, FlashSale):
        return 1, deal.price
    if isinstance(deal, GroupBuy):
        return 1, deal.group_price
    # a presale costs the deposit plus the balance
    return 1, price - deal.deposit_worth + deal.deposit
