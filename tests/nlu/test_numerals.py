import pytest

from kefu.nlu.numerals import parse_chinese_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("两", 2),
        ("十五", 15),
        ("二十", 20),
        ("一百五", 150),
        ("一百零五", 105),
        ("两百", 200),
        ("三千", 3000),
        ("三万五", 35000),
        ("12", 12),
    ],
)
def test_chinese_numerals_as_customers_write_them(text: str, value: int) -> None:
    assert parse_chinese_number(text) == value


def test_non_numerals_are_rejected() -> None:
    assert parse_chinese_number("快递") is None
    assert parse_chinese_number("") is None
