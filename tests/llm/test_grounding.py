"""The grounding check: a rewrite may change words, never a fact or a promise."""

from __future__ import annotations

from kefu.llm.grounding import check

ANSWER_ZH = "您的订单E2026111100002（无线降噪耳机 Pro）已付款，实付599.00元，预计48小时内发货。"
ANSWER_EN = "Your order E2026111000006 (Air fryer 5L) costs ¥299.00 and ships within 48 hours."
PRODUCTS = ["无线降噪耳机 Pro", "男士轻薄羽绒服", "Air fryer 5L", "Down jacket"]


def test_a_warmer_rewrite_with_every_fact_passes() -> None:
    rewrite = (
        "亲，您买的无线降噪耳机 Pro（订单E2026111100002）已经付好款啦，599元，48小时内就会发出哦～"
    )
    assert check(rewrite, ANSWER_ZH, [], "zh-CN", PRODUCTS).ok
    assert check(
        "Good news! Order E2026111000006 for the Air fryer 5L (¥299) will ship within 48 hours.",
        ANSWER_EN,
        [],
        "en",
        PRODUCTS,
    ).ok


def test_a_changed_price_or_time_is_refused() -> None:
    verdict = check(ANSWER_ZH.replace("599.00", "569.00"), ANSWER_ZH, [], "zh-CN", PRODUCTS)
    assert (verdict.ok, verdict.reason) == (False, "number")
    verdict = check(ANSWER_EN.replace("48 hours", "two days"), ANSWER_EN, [], "en", PRODUCTS)
    assert (verdict.ok, verdict.reason) == (False, "number")
    verdict = check("亲，耳机三天内发货，实付599元。", ANSWER_ZH, [], "zh-CN", PRODUCTS)
    assert (verdict.ok, verdict.reason) == (False, "number")


def test_an_invented_order_or_tracking_number_is_refused() -> None:
    for invented in ("E2026111100009", "SF1234567890", "CPN-VIP-100"):
        verdict = check(f"{ANSWER_ZH}另附{invented}。", ANSWER_ZH, [], "zh-CN", PRODUCTS)
        assert (verdict.ok, verdict.reason) == (False, "code"), invented


def test_a_fact_given_beside_the_answer_may_be_used() -> None:
    rewrite = "亲，订单E2026111100002已付款，运单号SF1234567890，599元。"
    assert not check(rewrite, ANSWER_ZH, [], "zh-CN").ok
    assert check(rewrite, ANSWER_ZH, ["SF1234567890"], "zh-CN").ok


def test_a_promise_the_answer_does_not_make_is_refused() -> None:
    verdict = check(ANSWER_ZH + "如有延误我们会给您补偿。", ANSWER_ZH, [], "zh-CN", PRODUCTS)
    assert (verdict.ok, verdict.reason) == (False, "promise")
    verdict = check(ANSWER_EN + " We'll add a free gift!", ANSWER_EN, [], "en", PRODUCTS)
    assert (verdict.ok, verdict.reason) == (False, "promise")


def test_a_refusal_turned_into_a_yes_is_refused() -> None:
    answer = "内衣类商品拆封后不支持七天无理由退货。"
    verdict = check("亲，内衣类商品拆封后也支持七天无理由退货哦。", answer, [], "zh-CN")
    assert (verdict.ok, verdict.reason) == (False, "negation")


def test_another_product_or_a_link_is_refused() -> None:
    verdict = check(ANSWER_ZH + "顺便看看男士轻薄羽绒服吧。", ANSWER_ZH, [], "zh-CN", PRODUCTS)
    assert (verdict.ok, verdict.reason) == (False, "product")
    verdict = check(ANSWER_EN + " See https://evil.example/x", ANSWER_EN, [], "en", PRODUCTS)
    assert (verdict.ok, verdict.reason) == (False, "link")


def test_the_wrong_language_or_a_ramble_is_refused() -> None:
    assert check("Your earphones ship soon.", ANSWER_ZH, [], "zh-CN").reason == "language"
    assert check(ANSWER_ZH * 8, ANSWER_ZH, [], "zh-CN").reason == "length"
    assert check("  ", ANSWER_ZH, [], "zh-CN").reason == "empty"


def test_figures_that_swap_roles_are_refused() -> None:
    answer = "活动到12月1日结束，满300元减40元。"
    verdict = check("亲，活动到1月12日结束，满300元减40元哦。", answer, [], "zh-CN")
    assert (verdict.ok, verdict.reason) == (False, "number")
    assert check("亲，活动12月1号结束，满300块减40元～", answer, [], "zh-CN").ok
    assert check("Ships within 48 hours.", "Ships within 48 hours (2 days).", [], "en").ok
    assert not check("Ships within 48 days.", "Ships within 48 hours.", [], "en").ok
