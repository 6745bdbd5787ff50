from kefu.nlu import normalize


def test_traditional_text_is_simplified_and_marked_zh_tw() -> None:
    n = normalize("請問我的訂單出貨了嗎？")
    assert n.normalized == "请问我的订单出货了吗?"
    assert n.lang == "zh-TW"
    assert n.original == "請問我的訂單出貨了嗎？"


def test_full_width_letters_digits_and_spaces_become_half_width_lower_case() -> None:
    assert normalize("ＡＢＣ１２３　ｏｒｄｅｒ").normalized == "abc123 order"


def test_emoji_control_characters_and_punctuation_runs_are_cleaned() -> None:
    n = normalize("货咋还没到啊😡😡！！！\u200b\x07  ？？？")
    assert n.normalized == "货咋还没到啊! ?"


def test_whitespace_is_collapsed_and_trimmed() -> None:
    assert normalize("  hello \n\t  world  ").normalized == "hello world"


def test_original_span_maps_back_to_what_the_customer_wrote() -> None:
    n = normalize("我的羽絨服到哪了")
    start = n.normalized.index("羽绒服")
    assert n.original_span(start, start + 3) == "羽絨服"


def test_empty_and_noise_only_messages_do_not_fail() -> None:
    assert normalize("").normalized == ""
    assert normalize("😂😂").normalized == ""
