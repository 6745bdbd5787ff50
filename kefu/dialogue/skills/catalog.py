"""Product questions (size, material, price) and stock / restock, from the catalogue."""

from __future__ import annotations

from kefu.dialogue.context import Outcome, Reply, TurnContext
from kefu.domain.catalog import Product
from kefu.domain.conversations import ReplyKind


def _skus(ctx: TurnContext) -> list[str]:
    skus = ctx.mentioned_skus()
    if skus:
        ctx.state.slots["sku"] = skus[0]
        return skus
    carried = ctx.state.slots.get("sku")
    return [carried] if carried and ctx.product(carried) else []


def _without_product(ctx: TurnContext, key: str) -> Outcome:
    answer = ctx.kb_answer()
    if answer:
        return Outcome([Reply(answer)])
    return Outcome([ctx.say(key, ReplyKind.CLARIFY)], resolved=False)


def _stock_reply(ctx: TurnContext, product: Product) -> Reply:
    name = ctx.product_name(product.sku)
    if product.in_stock:
        return ctx.say("stock.available", name=name, stock=product.stock)
    days = product.restock_days or ctx.services.policy.restock_days_default
    return ctx.say("stock.sold_out", name=name, days=days)


def handle_stock(ctx: TurnContext) -> Outcome:
    products = [p for s in _skus(ctx) if (p := ctx.product(s))]
    if not products:
        return _without_product(ctx, "stock.ask")
    return Outcome([_stock_reply(ctx, p) for p in products])


def _product_replies(ctx: TurnContext, product: Product) -> list[Reply]:
    name = ctx.product_name(product.sku)
    notes = product.notes_zh if ctx.lang.startswith("zh") else product.notes_en
    replies = []
    if product.sizes and ctx.has("size_words"):
        chart = ctx.render("list_sep").join(
            ctx.render("product.chart_line", size=s, fit=f) for s, f in product.size_chart.items()
        )
        replies.append(
            ctx.say(
                "product.sizes",
                name=name,
                sizes="/".join(product.sizes),
                chart=chart or ctx.render("product.no_chart"),
            )
        )
    described = ctx.services.templates.localize(ctx.lang, notes) if notes else ""
    if described:
        replies.append(
            ctx.say("product.about", name=name, price=str(product.price), notes=described)
        )
    else:  # a product the shop wrote no notes for: its name and price, no dangling dash
        replies.append(ctx.say("product.about_plain", name=name, price=str(product.price)))
    if ctx.has("stock_words") or not product.in_stock:
        replies.append(_stock_reply(ctx, product))
    return replies


def handle_product(ctx: TurnContext) -> Outcome:
    products = [p for s in _skus(ctx) if (p := ctx.product(s))]
    if not products:
        return _without_product(ctx, "product.ask")
    return Outcome([r for p in products[:3] for r in _product_replies(ctx, p)])
