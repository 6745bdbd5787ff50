import pytest

from kefu.domain.catalog import Product
from kefu.nlu import normalize
from kefu.nlu.gazetteer import Gazetteer


@pytest.fixture(scope="module")
def gazetteer(products: list[Product]) -> Gazetteer:
    return Gazetteer(products)


def skus(gazetteer: Gazetteer, text: str) -> list[str]:
    return [s for m in gazetteer.find(normalize(text).normalized) for s in m.skus]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我的羽绒服到哪了", ["P1001"]),
        ("我的羽絨服到哪了", ["P1001"]),
        ("羽容服什么时候发", ["P1001"]),
        ("Are the Pro earbuds back in stock?", ["P2002"]),
        ("X12手机壳和充电器一起发吗", ["P2003", "P2004"]),
        ("耳机那单退了没", ["P2002"]),
        ("my JACKET is too big", ["P1001"]),
    ],
)
def test_products_are_found_by_name_alias_traditional_and_homophone(
    gazetteer: Gazetteer, text: str, expected: list[str]
) -> None:
    assert skus(gazetteer, text) == expected


@pytest.mark.parametrize(
    "text",
    ["你是机器人吗", "手机号写错了", "what is your phone number", "in case it is late", "收集资料"],
)
def test_ambiguous_words_are_not_products(gazetteer: Gazetteer, text: str) -> None:
    assert skus(gazetteer, text) == []
