"""Product and stock questions, answered from the catalogue: sizes with the size chart, the
price and notes, sold-out products with the restock time; the product carries to a follow-up."""

from __future__ import annotations

from kefu.wiring import Kefu
from tests.dialogue.skills.support import kinds_of, say, text_of


def test_a_size_question_gets_the_sizes_the_chart_and_the_price(shop: Kefu) -> None:
    reply = text_of(
        say(shop, "C1002", "羽绒服有什么尺码", intent="product_info", product_skus=("P1001",))
    )
    assert "S/M/L/XL/XXL" in reply and "175cm/70kg" in reply and "599.00" in reply


def test_a_sold_out_product_says_when_it_is_back_even_unasked(shop: Kefu) -> None:
    stock = text_of(say(shop, "C1002", "耳机还有货吗", intent="stock", product_skus=("P2002",)))
    assert "售罄" in stock and "7天" in stock
    about = text_of(
        say(shop, "C1002", "耳机怎么样", intent="product_info", product_skus=("P2002",))
    )
    assert "499.00" in about and "售罄" in about


def test_an_in_stock_product_carries_to_a_follow_up_without_a_name(shop: Kefu) -> None:
    first = text_of(say(shop, "C1002", "T恤有货吗", intent="stock", product_skus=("P1003",)))
    assert "纯棉圆领T恤" in first and "有货" in first and "售罄" not in first
    follow = text_of(say(shop, "C1002", "还有库存吗", intent="stock"))
    assert "纯棉圆领T恤" in follow and "有货" in follow


def test_a_stock_question_without_any_product_asks_which(shop: Kefu) -> None:
    result = say(shop, "C1002", "这个有货吗", intent="stock")
    assert kinds_of(result) == ["clarify"]
    assert text_of(result) == shop.dialogue.templates.say("zh-CN", "stock.ask")


def test_a_product_without_notes_gets_its_name_and_price_only(shop: Kefu) -> None:
    reply = text_of(
        say(shop, "C1002", "充电器多少钱", intent="product_info", product_skus=("P2004",))
    )
    assert reply == shop.dialogue.templates.say(
        "zh-CN", "product.about_plain", name="65W 快充充电器", price="129.00"
    )


def test_an_english_question_names_the_product_in_english(shop: Kefu) -> None:
    result = say(
        shop,
        "C1004",
        "is the down jacket in stock? what sizes",
        intent="product_info",
        product_skus=("P1001",),
        lang="en",
    )
    reply = text_of(result)
    assert "Men's light down jacket" in reply and "in stock" in reply and "XXL" in reply
    assert "羽绒服" not in reply


def test_asked_for_a_size_the_bot_says_yes_or_no_before_the_range(shop: Kefu) -> None:
    offered = text_of(
        say(
            shop,
            "C1002",
            "羽绒服有没有XL",
            intent="product_info",
            product_skus=("P1001",),
            entities={"size": "XL", "product": "羽绒服"},
        )
    )
    assert offered.startswith("男士轻薄羽绒服有XL码") and "S/M/L/XL/XXL" in offered
    missing = text_of(
        say(
            shop,
            "C1002",
            "羽绒服有3XL吗",
            intent="product_info",
            product_skus=("P1001",),
            entities={"size": "3XL", "product": "羽绒服"},
        )
    )
    assert missing.startswith("男士轻薄羽绒服没有XXXL码") and "S/M/L/XL/XXL" in missing


def test_stock_of_a_size_the_product_is_not_made_in_is_not_in_stock(shop: Kefu) -> None:
    reply = text_of(
        say(
            shop,
            "C1002",
            "羽绒服XXXL有货吗",
            intent="stock",
            product_skus=("P1001",),
            entities={"size": "XXXL"},
        )
    )
    assert "没有XXXL码" in reply and "有货" not in reply
    # 2XL is XXL: in stock
    two = text_of(
        say(
            shop,
            "C1002",
            "羽绒服2XL有货吗",
            intent="stock",
            product_skus=("P1001",),
            entities={"size": "2XL"},
        )
    )
    assert "有货" in two
