"""Short answers to a confirmation: what counts as a yes, a no, or neither."""

from __future__ import annotations

import pytest

from kefu.dialogue.lexicon import Lexicon

LEXICON = Lexicon()


@pytest.mark.parametrize(
    "reply", ["好的", "好的，改吧", "是", "ok", "yes please", "确认取消", "嗯嗯"]
)
def test_a_plain_agreement_is_a_yes(reply: str) -> None:
    assert LEXICON.is_yes(reply)
    assert not LEXICON.is_no(reply)


@pytest.mark.parametrize(
    "reply", ["算了", "算了，不改了", "不用了谢谢", "never mind", "nope, leave it"]
)
def test_a_plain_refusal_is_a_no(reply: str) -> None:
    assert LEXICON.is_no(reply)
    assert not LEXICON.is_yes(reply)


@pytest.mark.parametrize(
    "reply", ["对了，羽绒服到哪了", "要退货", "不对，是耳机那单", "no, the other one"]
)
def test_a_new_question_or_a_correction_is_neither(reply: str) -> None:
    assert not LEXICON.is_yes(reply)
    assert not LEXICON.is_no(reply)
