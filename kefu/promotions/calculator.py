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
from typing import Any, cast

from kefu.domain.catalog import Product
from kefu.domain.money import CENT, ZERO
from kefu.promotions.book import ActiveRules, CompiledCoupon, RuleBook
from kefu.promotions.errors import CouponConflict, CouponNotHeld, InvalidCart, UnknownProduct
from kefu.promotions.ports import CustomerWallet
from kefu.promotions.quote import CartItem, CouponRejection, Discount, Quote, QuoteLine
from kefu.promotions.rules import (
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
    if not eligible or amount <= 0:
        return shares
    base = sum([amounts[i] for i in eligible], ZERO)
    if base <= 0:
        return shares
    given = ZERO
    most, most_room = -1, ZERO  # the first slice with the most room left
    for i in eligible:
        share = (amount * amounts[i] / base).quantize(CENT, rounding=ROUND_DOWN)
        shares[i] = share
        given += share
        room = amounts[i] - share
        if most < 0 or room > most_room:
            most, most_room = i, room
    left = amount - given
    if not left:
        return shares
    # the leftover cents go to the slices with most room; proportional shares always leave room,
    # usually enough in the roomiest slice alone (what the sorted walk below would do, unsorted)
    if most_room >= left:
        shares[most] += left
        return shares
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
    given: list[CartItem] = []
    plain = True  # every item a CartItem with an int quantity: reusable as is when not merged
    for item in items:
        given.append(item)
        qty = item.qty
        exact_int = type(qty) is int  # the usual case, cheaper to tell than the general one
        if plain and (not exact_int or type(item) is not CartItem):
            plain = False
        if (not exact_int and (isinstance(qty, bool) or not isinstance(qty, int))) or qty < 1:
            raise InvalidCart(
                f"quantity of {item.sku} must be a positive integer", "invalid_quantity"
            )
        sku = item.sku
        if sku not in products:
            raise UnknownProduct(f"unknown SKU {sku!r}")
        total = merged[sku] = merged.get(sku, 0) + qty
        if total > MAX_QTY_PER_SKU:
            raise InvalidCart(
                f"at most {MAX_QTY_PER_SKU} of {item.sku} in one order", "quantity_too_large"
            )
    if not merged:
        raise InvalidCart("the cart is empty", "empty_cart")
    if len(merged) > MAX_LINES:
        raise InvalidCart(f"at most {MAX_LINES} different products in one quote", "cart_too_large")
    if plain and len(merged) == len(given):
        return given  # no SKU repeated: the (frozen) items are already the normalized cart
    return [CartItem(sku, qty) for sku, qty in merged.items()]


def _price_line(
    index: int, item: CartItem, price: Decimal, rule: ItemRule, book: RuleBook, now: datetime
) -> tuple[QuoteLine, list[_Slice], Discount | None, Decimal]:
    """Item-level pricing of one line: the line, its slices, its discount, deposit paid earlier."""
    qty = item.qty
    subtotal = price * qty
    line = QuoteLine(item.sku, qty, price, subtotal)
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
    eligible: dict[str, tuple[int, ...]] = {}
    for c in coupons:
        rule_id, kind, excludes = c.rule.id, c.rule.kind, c.excludes
        eligible[rule_id] = tuple(
            [
                i
                for i, s in enumerate(slices)
                if s.sku not in excludes
                and (s.stacks is None or kind in s.stacks or rule_id in s.stacks)
            ]
        )
    return eligible


def _apply_coupons(
    chosen: Sequence[CompiledCoupon],
    amounts: list[Decimal],
    eligible: Mapping[str, tuple[int, ...]],
    now: datetime,
    is_new: bool,
) -> _CouponOutcome:
    """Apply coupons in the order given (store first), each on what the steps before left."""
    left = list(amounts)
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
        if base <= 0:
            rejected.append(CouponRejection(rule.id, "no_eligible_items", {}))
            continue
        if base < rule.threshold:
            facts = {"threshold": rule.threshold, "base": base, "short": rule.threshold - base}
            rejected.append(CouponRejection(rule.id, "threshold_not_reached", facts))
            continue
        off = min(rule.off, base)
        taken += off
        shares = _allocate(off, left, slots)
        for i in slots:
            left[i] -= shares[i]
        used.append((coupon, off, base, shares))
    goods = sum(amounts, ZERO) - taken
    return _CouponOutcome(used, rejected, goods, left)


# each valid coupon set with its ids sorted (the tie-break), and the distinct coupons in them
_Combos = tuple[
    tuple[tuple[tuple[CompiledCoupon, ...], tuple[str, ...]], ...], list[CompiledCoupon]
]


def _combinations(
    wallet: CustomerWallet, book: RuleBook, active: ActiveRules, now: datetime
) -> _Combos:
    """Every valid coupon set from the wallet: at most one per slot, exclusivity respected.

    The sets depend only on the wallet and on which coupons are active, so they are kept with
    the book's snapshot of active rules and reused while it holds.
    """
    key = ("coupon_sets", tuple(wallet.coupon_ids), wallet.is_new_customer)
    known = active.memo.get(key)
    if known is not None:
        return cast(_Combos, known)
    store: list[CompiledCoupon | None] = [None]
    platform: list[CompiledCoupon | None] = [None]
    for coupon_id in dict.fromkeys(wallet.coupon_ids):
        coupon = book.coupon(coupon_id)
        if coupon is None or not coupon.rule.is_active(now):
            continue
        if coupon.rule.first_order_only and not wallet.is_new_customer:
            continue
        (store if coupon.slot == "store" else platform).append(coupon)
    combos: list[tuple[tuple[CompiledCoupon, ...], tuple[str, ...]]] = []
    for first in store:
        for second in platform:
            if first is not None and second is not None and second.rule.id in first.not_with:
                continue
            combo = tuple(c for c in (first, second) if c is not None)
            combos.append((combo, tuple(sorted(c.rule.id for c in combo))))
    offered = list({c.rule.id: c for combo, _ in combos for c in combo}.values())
    result: _Combos = (tuple(combos), offered)
    if len(active.memo) >= 1024:
        active.memo.clear()  # many different wallets: keep the memo small rather than complete
    active.memo[key] = result
    return result


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
    goods_total: Decimal, rule: FreeShipping | None
) -> tuple[Decimal, Decimal | None]:
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
    active = book.active(now)
    item_rules = active.item_rules
    lines: list[QuoteLine] = []
    slices: list[_Slice] = []
    discounts: list[Discount] = []
    deposit_paid = ZERO
    for index, item in enumerate(items):
        sku = item.sku
        price = products[sku].price
        rule = item_rules.get(sku)
        if rule is None:
            # most lines are at list price: priced here, without the rule machinery
            subtotal = price * item.qty
            lines.append(QuoteLine(sku, item.qty, price, subtotal, amount_after_item=subtotal))
            slices.append(_Slice(index, sku, subtotal, None, False))
            continue
        line, parts, discount, deposit = _price_line(index, item, price, rule, book, now)
        lines.append(line)
        slices.extend(parts)
        deposit_paid += deposit
        if discount is not None:
            discounts.append(discount)

    cross = active.cross
    base, cross_off, cross_eligible = _cross_store(cross, slices, book)
    amounts = [s.amount for s in slices]
    if cross is not None and cross_off > 0:
        shares = _allocate(cross_off, amounts, cross_eligible)
        amounts = [a - s for a, s in zip(amounts, shares, strict=True)]
        _book_shares(lines, slices, cross.id, shares, cross_eligible)
        facts = {"every": cross.every, "off": cross.off, "base": base, "times": base // cross.every}
        discounts.append(Discount(cross.id, cross.kind, cross_off, facts))

    is_new = customer_wallet.is_new_customer
    if coupons is None:
        combos, offered = _combinations(customer_wallet, book, active, now)
        eligible = _coupon_eligibility(offered, slices)
        chosen = _best(combos, amounts, eligible, active.shipping, now, is_new)
    else:
        chosen = _check_explicit(coupons, customer_wallet, book)
        eligible = _coupon_eligibility(chosen, slices)
    outcome = _apply_coupons(chosen, amounts, eligible, now, is_new)
    for coupon, off, coupon_base, coupon_shares in outcome.used:
        coupon_rule = coupon.rule
        _book_shares(lines, slices, coupon_rule.id, coupon_shares, eligible[coupon_rule.id])
        facts = {"threshold": coupon_rule.threshold, "off": coupon_rule.off, "base": coupon_base}
        discounts.append(Discount(coupon_rule.id, coupon_rule.kind, off, facts))

    subtotal_all = ZERO
    for line in lines:
        subtotal_all += line.subtotal
        taken = line.order_discounts
        line.total = (
            line.amount_after_item - sum(taken.values(), ZERO) if taken else line.amount_after_item
        )
    goods_total = outcome.goods_total
    shipping, threshold = _shipping_for(goods_total, active.shipping)
    return Quote(
        subtotal=subtotal_all,
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
    combos: Sequence[tuple[tuple[CompiledCoupon, ...], tuple[str, ...]]],
    amounts: list[Decimal],
    eligible: Mapping[str, tuple[int, ...]],
    shipping: FreeShipping | None,
    now: datetime,
    is_new: bool,
) -> tuple[CompiledCoupon, ...]:
    """The combination the customer pays least for; ties go to fewer coupons, then by id."""
    # Each coupon's base before any coupon is the same in every combination: sum it once. A later
    # coupon's base is that minus what earlier coupons took, exact while the earlier coupon's
    # slices are among the later one's (the usual shop); otherwise allocate slice by slice.
    total = sum(amounts, ZERO)
    base_of = {cid: sum([amounts[i] for i in slots], ZERO) for cid, slots in eligible.items()}
    best: tuple[CompiledCoupon, ...] = ()
    best_key: tuple[Decimal, int, tuple[str, ...]] | None = None
    for combo, ids in combos:
        goods = _combo_goods(combo, amounts, eligible, base_of, total, now, is_new)
        if goods is None:
            continue  # a combination with a coupon that cannot apply is not a valid choice
        pay = goods if shipping is None or goods >= shipping.threshold else goods + shipping.fee
        key = (pay, len(combo), ids)
        if best_key is None or key < best_key:
            best, best_key = combo, key
    return best


def _combo_goods(
    combo: tuple[CompiledCoupon, ...],
    amounts: list[Decimal],
    eligible: Mapping[str, tuple[int, ...]],
    base_of: Mapping[str, Decimal],
    total: Decimal,
    now: datetime,
    is_new: bool,
) -> Decimal | None:
    """Goods total after ``combo``'s coupons, or None when one of them cannot apply.

    The combinations come from ``_combinations`` for the same ``now`` and wallet, so every coupon
    in them is active and allowed for the customer: only the amounts are checked here.
    """
    taken = ZERO
    for n, coupon in enumerate(combo):
        rule = coupon.rule
        slots = eligible[rule.id]
        if n and not _nested(combo[:n], slots, eligible):
            outcome = _apply_coupons(combo, amounts, eligible, now, is_new)
            return None if outcome.rejected else outcome.goods_total
        base = base_of[rule.id] - taken
        if base <= 0 or base < rule.threshold:
            return None
        taken += min(rule.off, base)
    return total - taken


def _nested(
    earlier: Sequence[CompiledCoupon],
    slots: tuple[int, ...],
    eligible: Mapping[str, tuple[int, ...]],
) -> bool:
    """Whether every earlier coupon's slices are among ``slots`` (then bases just subtract)."""
    for coupon in earlier:
        mine = eligible[coupon.rule.id]
        if mine != slots and not set(mine).issubset(slots):
            return False
    return True


def _book_shares(
    lines: list[QuoteLine],
    slices: list[_Slice],
    rule_id: str,
    shares: list[Decimal],
    eligible: Sequence[int],
) -> None:
    # only eligible slices can have a share: the others are skipped without looking
    for i in eligible:
        share = shares[i]
        if share:
            taken = lines[slices[i].line].order_discounts
            taken[rule_id] = taken.get(rule_id, ZERO) + share
