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


# the same size written two ways (2XL is XXL)
_SIZE_SPELLINGS = {"2XL": "XXL", "3XL": "XXXL", "4XL": "XXXXL"}


def _asked_size(ctx: TurnContext) -> str | None:
    size = ctx.u.entities.get("size")
    return _SIZE_SPELLINGS.get(size, size) if isinstance(size, str) else None


def _offers(product: Product, size: str) -> bool:
    return size in {_SIZE_SPELLINGS.get(s, s) for s in product.sizes}


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
    asked = _asked_size(ctx)
    replies = []
    for p in products:
        if asked and p.sizes and not _offers(p, asked):
            # "XXXL有货吗" for a jacket made up to XXL: no stock figure can say yes to that
            replies.append(_sizes_reply(ctx, p, asked))
        else:
            replies.append(_stock_reply(ctx, p))
    return Outcome(replies)


def _sizes_reply(ctx: TurnContext, product: Product, asked: str | None) -> Reply:
    chart = ctx.render("list_sep").join(
        ctx.render("product.chart_line", size=s, fit=f) for s, f in product.size_chart.items()
    )
    # the answer to "do you have XL" is yes or no first, then the range and the chart
    key = "product.sizes"
    if asked:
        key = "product.size_offered" if _offers(product, asked) else "product.size_missing"
    return ctx.say(
        key,
        name=ctx.product_name(product.sku),
        size=asked or "",
        sizes="/".join(product.sizes),
        chart=chart or ctx.render("product.no_chart"),
    )


def _product_replies(ctx: TurnContext, product: Product) -> list[Reply]:
    name = ctx.product_name(product.sku)
    notes = product.notes_zh if ctx.lang.startswith("zh") else product.notes_en
    replies = []
    asked = _asked_size(ctx)  # 有没有XL: a size named is a question about sizes
    if product.sizes and (ctx.has("size_words") or asked):
        replies.append(_sizes_reply(ctx, product, asked))
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
