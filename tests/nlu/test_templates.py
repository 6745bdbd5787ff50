import random

import pytest

from kefu.nlu.templates import expand, expand_lines

SLOTS = {"product": ["耳机", "手机"], "size": ["S", "M"]}


def test_alternatives_and_slots_expand_to_every_combination() -> None:
    got = expand("[我的|]{product}到哪了", SLOTS, 10, random.Random(1))
    assert sorted(got) == sorted(["手机到哪了", "我的手机到哪了", "我的耳机到哪了", "耳机到哪了"])


def test_a_slot_inside_an_alternative_expands_in_place() -> None:
    got = expand("[换{size}|换个码]", SLOTS, 10, random.Random(1))
    assert sorted(got) == ["换M", "换S", "换个码"]


def test_limit_caps_the_expansions_of_one_line() -> None:
    assert len(expand("[a|b|c|d][1|2|3|4][x|y|z]", {}, 5, random.Random(1))) == 5


def test_lines_carry_their_number_and_honour_a_per_line_limit() -> None:
    lines = ["# comment", "", "2:[a|b|c]", "d"]
    got = expand_lines(lines, {}, 10, seed=3)
    assert [n for n, _ in got] == [3, 3, 4]


def test_unknown_slot_is_an_error() -> None:
    with pytest.raises(KeyError):
        expand("{nope}", SLOTS, 3, random.Random(1))
