from datetime import date
from typing import Any

import pytest

from kefu.nlu import normalize
from kefu.nlu.entities import extract_entities

TODAY = date(2026, 11, 11)


def entities(text: str) -> dict[str, Any]:
    return extract_entities(normalize(text).normalized, TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("订单E2026111100002现在是什么状态", {"order_id": "E2026111100002"}),
        ("单号ｅ２０２６１１１１０００１２ 取消", {"order_id": "E2026111100012"}),
        ("ZT7788990011 查下物流", {"tracking_no": "ZT7788990011"}),
        ("sf1400000005到哪了？？", {"tracking_no": "SF1400000005"}),
        ("P1001还有货吗", {"sku": "P1001"}),
        ("CPN-STORE-50 为啥用不了", {"coupon_id": "CPN-STORE-50"}),
        ("my code cpn-new-10 is invalid", {"coupon_id": "CPN-NEW-10"}),
    ],
)
def test_identifiers_are_found_in_messy_text(text: str, expected: dict[str, Any]) -> None:
    assert entities(text) == expected


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("电话改成138-1234-5678", "13812345678"),
        ("手机号 +86 139 1234 5678 谢谢", "13912345678"),
        ("call me on +852 9123 4567", "+85291234567"),
        ("電話 0912-345-678", "+886912345678"),
    ],
)
def test_phone_numbers_mainland_hong_kong_and_taiwan(text: str, phone: str) -> None:
    assert entities(text)["phone"] == phone


def test_order_id_digits_are_not_read_as_a_phone_or_amount() -> None:
    found = entities("E2026111100001 退了30元还没到")
    assert found == {"order_id": "E2026111100001", "amount": "30.00"}


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("满300减40能和店铺券一起用吗", "300.00"),
        ("降价了便宜了50块", "50.00"),
        ("¥199.5 买的", "199.50"),
        ("￥88", "88.00"),
        ("两百块的东西", "200.00"),
        ("I paid 45 dollars", "45.00"),
    ],
)
def test_amounts_are_two_place_decimal_strings(text: str, amount: str) -> None:
    assert entities(text)["amount"] == amount


@pytest.mark.parametrize(
    ("text", "quantity"),
    [("买两件T恤", 2), ("要3个", 3), ("buy 2 pcs", 2), ("x3 please", 3), ("two pairs of socks", 2)],
)
def test_quantities_in_chinese_and_english(text: str, quantity: int) -> None:
    assert entities(text)["quantity"] == quantity


@pytest.mark.parametrize("text", ["有一个问题", "第二件半价怎么算", "三个月了", "等了3天"])
def test_articles_ordinals_and_durations_are_not_quantities(text: str) -> None:
    assert "quantity" not in entities(text)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("我要换XL码", "XL"),
        ("L码小了换XL", "XL"),
        ("L的还有吗", "L"),
        ("ｍ码适合多高", "M"),
        ("do you have the xxl in stock", "XXL"),
        ("can I swap the M for an L", "L"),
        ("size s please", "S"),
    ],
)
def test_sizes_prefer_the_one_asked_for(text: str, size: str) -> None:
    assert entities(text)["size"] == size


@pytest.mark.parametrize("text", ["I want it asap", "it's a gift", "my order is late"])
def test_english_letters_are_not_sizes(text: str) -> None:
    assert "size" not in entities(text)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("今天能发吗", "2026-11-11"),
        ("明天能到吗", "2026-11-12"),
        ("昨天下的单", "2026-11-10"),
        ("11月1日买的", "2026-11-01"),
        ("2026-10-31 的订单", "2026-10-31"),
        ("三天前付的款", "2026-11-08"),
        ("ordered on nov 3rd", "2026-11-03"),
        ("will it arrive tomorrow", "2026-11-12"),
    ],
)
def test_dates_resolve_relative_to_now(text: str, iso: str) -> None:
    assert entities(text)["date"] == iso
