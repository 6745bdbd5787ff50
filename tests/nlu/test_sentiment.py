import pytest

from kefu.nlu import normalize
from kefu.nlu.sentiment import analyze_sentiment


def mood(text: str) -> tuple[str, float]:
    s = analyze_sentiment(text, normalize(text).normalized)
    return s.label, s.anger


@pytest.mark.parametrize(
    "text",
    [
        "太差劲了我要去12315！！！",
        "你们就是骗子，我要曝光",
        "This is a SCAM, I will report you",
        "垃圾店铺😡😡",
        "ridiculous, worst service ever!!",
    ],
)
def test_threats_insults_and_shouting_are_angry(text: str) -> None:
    label, anger = mood(text)
    assert label == "negative"
    assert anger >= 0.6


@pytest.mark.parametrize("text", ["快递到哪了", "请问有发票吗", "What sizes are there?"])
def test_plain_questions_are_neutral_and_calm(text: str) -> None:
    assert mood(text) == ("neutral", 0.0)


@pytest.mark.parametrize("text", ["谢谢亲", "质量不错 好评", "thanks, that was helpful 👍"])
def test_thanks_and_praise_are_positive(text: str) -> None:
    assert mood(text)[0] == "positive"


def test_negated_praise_is_negative() -> None:
    assert mood("对处理结果不满意")[0] == "negative"
    assert mood("not happy with this")[0] == "negative"


def test_anger_grows_with_more_signals() -> None:
    assert mood("我要投诉")[1] < mood("我要投诉！！你们这群骗子，去12315")[1] <= 1.0
