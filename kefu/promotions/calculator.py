"""The price calculator: a cart, a wallet and the rules in, an exact, explainable ``Quote`` out.

Stacking order (shop policy): item-level prices per line (flash sale, nth item, buy x get y, group
price, presale deposit), then the cross-store threshold on the eligible subtotal, then one store
coupon, then one platform or new-customer coupon, each threshold checked on the eligible amount
left after the steps before it. No step makes an amount negative. Shipping follows from the goods
amount after all discounts. Without explicit coupons the wallet's best combination is chosen:
the customer pays least; ties go to fewer coupons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from kefu.domain.catalog import Product
from kefu.domain.money import CENT, ZERO
from kefu.promotions.book import CompiledCoupon, RuleBook
from kefu.promotions.errors import CouponConflict, CouponNotHeld, InvalidCart, UnknownProduct
from kefu.promotions.quote import CartItem, CouponRejection, Discount, Quote, QuoteLine
from kefu.promotions.rules import (
    BuyXGetY,
    CrossStoreThreshold,
    FlashSale,
    GroupBuy,
    ItemRule,
    NthItemDiscount,
    Presale,
    Rule,
)
from kefu.promotions.store import CustomerWallet

MAX_QTY_PER_SKU = 99
MAX_LINES = 50


@dataclass(slots=True)
class _Slice:
    """A part of a line with one eligibility: flash-sale units and list-price units differ."""

    line: int
    sku: str
    amount: Decimal
    stacks: frozenset[str] | None  # order-level rule kinds/ids allowed; None: all
    flash: bool


def _allowed(piece: _Slice, rule_id: str, kind: str) -> bool:
    stacks = piece.stacks
    return stacks is None or kind in stacks or rule_id in stacks


def _allocate(amount: Decimal, amounts: list[Decimal], eligible: Sequence[int]) -> list[Decimal]:
    """Split ``amount`` over the eligible slices in proportion, exactly to the cent."""
    shares = [ZERO] * len(amounts)
    base = sum((amounts[i] for i in eligible), ZERO)
    if not eligible or base <= 0 or amount <= 0:
        return shares
    given = ZERO
    for i in eligible:
        share = (amount * amounts[i] / base).quantize(CENT, rounding=ROUND_DOWN)
        shares[i] = share
        given += share
    left = amount - given
    if not left:
        return shares
    # the leftover cents go to the slices with most room; proportional shares always leave room
    for i in sorted(eligible, key=lambda j: amounts[j] - shares[j], reverse=True):
        if left <= 0:
            break
        room = amounts[i] - shares[i]
        extra = min(room, left)
        shares[i] += extra
        left -= extra
    return shares


def normalize_cart(items: Iterable[CartItem], products: Mapping[str, Product]) -> list[CartItem]:
    """Validate the cart and merge repeated SKUs (the nth-item count is per SKU, not per line)."""
    merged: dict[str, int] = {}
    for item in items:
        qty = item.qty
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
            raise InvalidCart(
                f"quantity of {item.sku} must be a positive integer", "invalid_quantity"
            )
        if item.sku not in products:
            raise UnknownProduct(f"unknown SKU {item.sku!r}")
        merged[item.sku] = merged.get(item.sku, 0) + qty
        if merged[item.sku] > MAX_QTY_PER_SKU:
            raise InvalidCart(
                f"at most {MAX_QTY_PER_SKU} of {item.sku} in one order", "quantity_too_large"
            )
    if not merged:
        raise InvalidCart("the cart is empty", "empty_cart")
    if len(merged) > MAX_LINES:
        raise InvalidCart(f"at most {MAX_LINES} different products in one quote", "cart_too_large")
    return [CartItem(sku, qty) for sku, qty in merged.items()]


def _price_line(
    index: int, item: CartItem, price: Decimal, rule: ItemRule | None, book: RuleBook, now: datetime
) -> tuple[QuoteLine, list[_Slice], Discount | None, Decimal]:
    """Item-level pricing of one line: the line, its slices, its discount, deposit paid earlier."""
    qty = item.qty
    subtotal = price * qty
    line = QuoteLine(item.sku, qty, price, subtotal)
    if rule is None:
        line.amount_after_item = subtotal
        return line, [_Slice(index, item.sku, subtotal, None, False)], None, ZERO
    stacks = book.stacks[rule.id]
    facts: dict[str, Any] = {"sku": item.sku, "qty": qty, "price": price}
    deposit_paid = ZERO
    slices: list[_Slice]
    if isinstance(rule, FlashSale):
        units = min(qty, rule.limit_per_customer)
        promo = rule.price * units
        rest = price * (qty - units)
        amount = promo + rest
        slices = [_Slice(index, item.sku, promo, stacks, True)]
        if rest:
            slices.append(_Slice(index, item.sku, rest, None, False))
        facts |= {"flash_price": rule.price, "units": units, "limit": rule.limit_per_customer}
    elif isinstance(rule, NthItemDiscount):
        units = qty // rule.nth
        unit_cut = price - (price * rule.rate).quantize(CENT, rounding=ROUND_HALF_UP)
        amount = subtotal - unit_cut * units
        slices = [_Slice(index, item.sku, amount, stacks, False)]
        facts |= {"nth": rule.nth, "rate": rule.rate, "units": units}
    elif isinstance(rule, BuyXGetY):
        free = (qty // (rule.buy + rule.get)) * rule.get
        amount = price * (qty - free)
        slices = [_Slice(index, item.sku, amount, stacks, False)]
        facts |= {"buy": rule.buy, "get": rule.get, "units": free}
    elif isinstance(rule, GroupBuy):
        amount = rule.group_price * qty
        slices = [_Slice(index, item.sku, amount, stacks, False)]
        facts |= {
            "group_price": rule.group_price,
            "group_size": rule.group_size,
            "hours": rule.fill_within_hours,
        }
    else:
        amount, deposit_paid, phase = _presale_amount(rule, price, qty, now)
        # only the balance takes order-level discounts; a deposit is paid as it is
        slices = [
            _Slice(index, item.sku, amount, stacks if phase == "balance" else frozenset(), False)
        ]
        facts |= {
            "phase": phase,
            "deposit": rule.deposit,
            "deposit_worth": rule.deposit_worth,
            "balance": price - rule.deposit_worth,
            "balance_start": rule.balance_window.start,
            "balance_end": rule.balance_window.end,
        }
    line.item_rule_id = rule.id
    line.item_discount = subtotal - amount
    line.amount_after_item = amount
    discount = None
    if line.item_discount > 0:
        discount = Discount(rule.id, rule.kind, line.item_discount, facts)
    return line, slices, discount, deposit_paid


def _presale_amount(
    rule: Presale, price: Decimal, qty: int, now: datetime
) -> tuple[Decimal, Decimal, str]:
    if now < rule.balance_window.start:
        return rule.deposit * qty, ZERO, "deposit"
    return (price - rule.deposit_worth) * qty, rule.deposit * qty, "balance"


def _cross_store(
    rule: CrossStoreThreshold | None, slices: list[_Slice], book: RuleBook
) -> tuple[Decimal, Decimal, list[int]]:
    """(eligible base, discount, eligible slice indexes) of the cross-store threshold."""
    if rule is None:
        return ZERO, ZERO, []
    excludes = book.cross_excludes[rule.id]
    eligible = [
        i
        for i, s in enumerate(slices)
        if s.sku not in excludes
        and not (s.flash and rule.excludes_flash_sale)
        and _allowed(s, rule.id, rule.kind)
    ]
    base = sum((slices[i].amount for i in eligible), ZERO)
    off = (base // rule.every) * rule.off
    return base, min(off, base), eligible


@dataclass(slots=True)
class _CouponOutcome:
    used: list[tuple[CompiledCoupon, Decimal, Decimal, list[Decimal]]]  # coupon, off, base, shares
    rejected: list[CouponRejection]
    goods_total: Decimal
    amounts: list[Decimal] | None  # per slice after coupons; None when not allocated


def _coupon_eligibility(
    coupons: Iterable[CompiledCoupon], slices: list[_Slice]
) -> dict[str, tuple[int, ...]]:
    """The slices each coupon may take from, computed once per quote."""
    return {
        c.rule.id: tuple(
            i
            for i, s in enumerate(slices)
            if s.sku not in c.excludes and _allowed(s, c.rule.id, c.rule.kind)
        )
        for c in coupons
    }


def _apply_coupons(
    chosen: Sequence[CompiledCoupon],
    amounts: list[Decimal],
    eligible: Mapping[str, tuple[int, ...]],
    now: datetime,
    is_new: bool,
    allocate: bool = True,
) -> _CouponOutcome:
    """Apply coupons in the order given (store first), each on what the steps before left.

    Without ``allocate`` only totals are computed, which is exact while every earlier coupon's
    slices are among the later one's (true for the usual shop); otherwise it allocates anyway.
    """
    left = list(amounts) if allocate else amounts
    used: list[tuple[CompiledCoupon, Decimal, Decimal, list[Decimal]]] = []
    rejected: list[CouponRejection] = []
    taken = ZERO
    for coupon in chosen:
        rule = coupon.rule
        if not rule.is_active(now):
            rejected.append(CouponRejection(rule.id, "not_active", {}))
            continue
        if rule.first_order_only and not is_new:
            rejected.append(CouponRejection(rule.id, "first_order_only", {}))
            continue
        slots = eligible[rule.id]
        base = sum([left[i] for i in slots], ZERO)
        if not allocate and used:
            if any(not set(eligible[c.rule.id]).issubset(slots) for c, *_ in used):
                return _apply_coupons(chosen, amounts, eligible, now, is_new, True)
            base -= taken
        if base <= 0:
            rejected.append(CouponRejection(rule.id, "no_eligible_items", {}))
            continue
        if base < rule.threshold:
            facts = {"threshold": rule.threshold, "base": base, "short": rule.threshold - base}
            rejected.append(CouponRejection(rule.id, "threshold_not_reached", facts))
            continue
        off = min(rule.off, base)
        taken += off
        shares: list[Decimal] = []
        if allocate:
            shares = _allocate(off, left, slots)
            for i in slots:
                left[i] -= shares[i]
        used.append((coupon, off, base, shares))
    goods = sum(amounts, ZERO) - taken
    return _CouponOutcome(used, rejected, goods, left if allocate else None)


def _combinations(
    wallet: CustomerWallet, book: RuleBook, now: datetime
) -> list[tuple[CompiledCoupon, ...]]:
    """Every valid coupon set from the wallet: at most one per slot, exclusivity respected."""
    store: list[CompiledCoupon | None] = [None]
    platform: list[CompiledCoupon | None] = [None]
    for coupon_id in dict.fromkeys(wallet.coupon_ids):
        coupon = book.coupon(coupon_id)
        if coupon is None or not coupon.rule.is_active(now):
            continue
        if coupon.rule.first_order_only and not wallet.is_new_customer:
            continue
        (store if coupon.slot == "store" else platform).append(coupon)
    combos: list[tuple[CompiledCoupon, ...]] = []
    for first in store:
        for second in platform:
            if first is not None and second is not None and second.rule.id in first.not_with:
                continue
            combos.append(tuple(c for c in (first, second) if c is not None))
    return combos


def _check_explicit(
    coupon_ids: Sequence[str], wallet: CustomerWallet, book: RuleBook
) -> tuple[CompiledCoupon, ...]:
    if len(set(coupon_ids)) != len(coupon_ids):
        raise InvalidCart("a coupon is listed twice", "duplicate_coupon")
    held = set(wallet.coupon_ids)
    chosen: list[CompiledCoupon] = []
    for coupon_id in coupon_ids:
        coupon = book.coupon(coupon_id)
        if coupon_id not in held or coupon is None:
            raise CouponNotHeld(f"customer {wallet.customer_id} does not hold coupon {coupon_id!r}")
        chosen.append(coupon)
    for i, first in enumerate(chosen):
        for second in chosen[i + 1 :]:
            if first.slot == second.slot:
                raise CouponConflict(
                    f"{first.rule.id} and {second.rule.id}: one {first.slot} coupon per order"
                )
            if second.rule.id in first.not_with:
                raise CouponConflict(f"{first.rule.id} cannot be used with {second.rule.id}")
    return tuple(sorted(chosen, key=lambda c: c.slot != "store"))


def _shipping_for(
    goods_total: Decimal, book: RuleBook, now: datetime
) -> tuple[Decimal, Decimal | None]:
    rule = book.shipping(now)
    if rule is None:
        return ZERO, None
    return (ZERO if goods_total >= rule.threshold else rule.fee), rule.threshold


def quote(
    cart: Iterable[CartItem],
    customer_wallet: CustomerWallet,
    rules: RuleBook | Sequence[Rule],
    products: Mapping[str, Product],
    now: datetime,
    coupons: Sequence[str] | None = None,
) -> Quote:
    """Price ``cart`` for the wallet's owner at ``now``; ``coupons=None`` picks the best held."""
    book = rules if isinstance(rules, RuleBook) else RuleBook(rules)
    items = normalize_cart(cart, products)
    lines: list[QuoteLine] = []
    slices: list[_Slice] = []
    discounts: list[Discount] = []
    deposit_paid = ZERO
    for index, item in enumerate(items):
        line, parts, discount, deposit = _price_line(
            index, item, products[item.sku].price, book.item_rule(item.sku, now), book, now
        )
        lines.append(line)
        slices.extend(parts)
        deposit_paid += deposit
        if discount is not None:
            discounts.append(discount)

    cross = book.cross_store(now)
    base, cross_off, cross_eligible = _cross_store(cross, slices, book)
    amounts = [s.amount for s in slices]
    if cross is not None and cross_off > 0:
        shares = _allocate(cross_off, amounts, cross_eligible)
        amounts = [a - s for a, s in zip(amounts, shares, strict=True)]
        _book_shares(lines, slices, cross.id, shares)
        facts = {"every": cross.every, "off": cross.off, "base": base, "times": base // cross.every}
        discounts.append(Discount(cross.id, cross.kind, cross_off, facts))

    is_new = customer_wallet.is_new_customer
    if coupons is None:
        combos = _combinations(customer_wallet, book, now)
        eligible = _coupon_eligibility(
            {c.rule.id: c for combo in combos for c in combo}.values(), slices
        )
        chosen = _best(combos, amounts, eligible, book, now, is_new)
    else:
        chosen = _check_explicit(coupons, customer_wallet, book)
        eligible = _coupon_eligibility(chosen, slices)
    outcome = _apply_coupons(chosen, amounts, eligible, now, is_new)
    for coupon, off, coupon_base, shares in outcome.used:
        rule = coupon.rule
        _book_shares(lines, slices, rule.id, shares)
        facts = {"threshold": rule.threshold, "off": rule.off, "base": coupon_base}
        discounts.append(Discount(rule.id, rule.kind, off, facts))

    for line in lines:
        line.total = line.amount_after_item - sum(line.order_discounts.values(), ZERO)
    goods_total = outcome.goods_total
    shipping, threshold = _shipping_for(goods_total, book, now)
    return Quote(
        subtotal=sum((line.subtotal for line in lines), ZERO),
        lines=lines,
        discounts=discounts,
        coupons_used=tuple(sorted(c.rule.id for c, *_ in outcome.used)),
        coupons_rejected=outcome.rejected,
        cross_store_base=base,
        goods_total=goods_total,
        shipping=shipping,
        total=goods_total + shipping,
        deposit_paid=deposit_paid,
        free_shipping_threshold=threshold,
    )


def _best(
    combos: list[tuple[CompiledCoupon, ...]],
    amounts: list[Decimal],
    eligible: Mapping[str, tuple[int, ...]],
    book: RuleBook,
    now: datetime,
    is_new: bool,
) -> tuple[CompiledCoupon, ...]:
    """The combination the customer pays least for; ties go to fewer coupons, then by id."""
    # Each coupon's base before any coupon is the same in every combination: sum it once. A later
    # coupon's base is that minus what earlier coupons took, exact while the earlier coupon's
    # slices are among the later one's (the usual shop); otherwise allocate slice by slice.
    total = sum(amounts, ZERO)
    base_of = {cid: sum([amounts[i] for i in slots], ZERO) for cid, slots in eligible.items()}
    nested = {
        (a, b): set(eligible[a]).issubset(eligible[b]) for a in eligible for b in eligible if a != b
    }
    best: tuple[CompiledCoupon, ...] = ()
    best_key: tuple[Decimal, int, tuple[str, ...]] | None = None
    for combo in combos:
        goods = _combo_goods(combo, amounts, eligible, base_of, nested, total, now, is_new)
        if goods is None:
            continue  # a combination with a coupon that cannot apply is not a valid choice
        pay = goods + _shipping_for(goods, book, now)[0]
        key = (pay, len(combo), tuple(sorted(c.rule.id for c in combo)))
        if best_key is None or key < best_key:
            best, best_key = combo, key
    return best


def _combo_goods(
    combo: tuple[CompiledCoupon, ...],
    amounts: list[Decimal],
    eligible: Mapping[str, tuple[int, ...]],
    base_of: Mapping[str, Decimal],
    nested: Mapping[tuple[str, str], bool],
    total: Decimal,
    now: datetime,
    is_new: bool,
) -> Decimal | None:
    """Goods total after ``combo``'s coupons, or None when one of them cannot apply."""
    taken = ZERO
    before: list[str] = []
    for coupon in combo:
        rule = coupon.rule
        if not rule.is_active(now) or (rule.first_order_only and not is_new):
            return None
        if not all(nested[(prev, rule.id)] for prev in before):
            outcome = _apply_coupons(combo, amounts, eligible, now, is_new, allocate=True)
            return None if outcome.rejected else outcome.goods_total
        base = base_of[rule.id] - taken
        if base <= 0 or base < rule.threshold:
            return None
        taken += min(rule.off, base)
        before.append(rule.id)
    return total - taken


def _book_shares(
    lines: list[QuoteLine], slices: list[_Slice], rule_id: str, shares: list[Decimal]
) -> None:
    for piece, share in zip(slices, shares, strict=True):
        if share:
            line = lines[piece.line]
            line.order_discounts[rule_id] = line.order_discounts.get(rule_id, ZERO) + share
