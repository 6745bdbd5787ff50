"""Explanations of a quote in the customer's language: one sentence per discount, one summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kefu.domain.catalog import Product
from kefu.promotions.quote import CouponRejection, Discount, Quote
from kefu.promotions.texts import Texts


class Explainer:
    """Renders quotes with the templates of data/promotions/explanations.json."""

    def __init__(self, texts: Texts | None = None) -> None:
        self.texts = texts or Texts("explanations.json")

    def discount(self, item: Discount, lang: str, products: Mapping[str, Product]) -> str:
        """How one discount was computed, e.g. 跨店满减每满300减40，参与满减金额316，共减40元."""
        t = self.texts
        facts: dict[str, Any] = dict(item.facts)
        facts["amount"] = item.amount
        key = item.kind
        if "sku" in facts:
            facts["name"] = t.product_name(lang, products.get(facts["sku"]), facts["sku"])
        if item.kind == "nth_item_discount":
            facts["ordinal"] = t.ordinal(lang, facts["nth"])
            facts["rate_label"] = t.rate_label(lang, facts["rate"])
        elif item.kind == "presale":
            key = f"presale_{facts['phase']}"
        elif "threshold" in facts:
            facts["threshold_phrase"] = t.threshold_phrase(lang, facts["threshold"])
        return t.render(lang, ("discount", key), facts)

    def rejection(self, item: CouponRejection, lang: str, kind: str) -> str:
        facts: dict[str, Any] = dict(item.facts)
        facts["coupon"] = self.texts.label(lang, kind)
        return self.texts.render(lang, ("rejected", item.reason), facts)

    def quote(
        self,
        quote: Quote,
        lang: str,
        products: Mapping[str, Product],
        coupon_kinds: Mapping[str, str] | None = None,
        discount_texts: Sequence[str] | None = None,
    ) -> str:
        """The whole price story: list price, each discount in stacking order, shipping, total."""
        t = self.texts
        sep = t.template(lang, "list_sep")
        if discount_texts is None:
            discount_texts = [self.discount(d, lang, products) for d in quote.discounts]
        parts = list(discount_texts)
        kinds = coupon_kinds or {}
        parts += [
            self.rejection(r, lang, kinds.get(r.coupon_id, "store_coupon"))
            for r in quote.coupons_rejected
        ]
        text = t.render(
            lang,
            ("summary",),
            {
                "subtotal": quote.subtotal,
                "parts": sep.join(parts) if parts else t.template(lang, "no_discount"),
                "goods_total": quote.goods_total,
                "shipping_part": self.shipping(quote, lang),
                "total": quote.total,
            },
        )
        if quote.deposit_paid > 0:
            text += t.render(lang, ("deposit_note",), {"deposit_paid": quote.deposit_paid})
        return text

    def shipping(self, quote: Quote, lang: str) -> str:
        if quote.free_shipping_threshold is None:
            return self.texts.template(lang, "shipping_none")
        key = "shipping_free" if quote.shipping == 0 else "shipping_fee"
        facts = {"threshold": quote.free_shipping_threshold, "fee": quote.shipping}
        return self.texts.render(lang, (key,), facts)
