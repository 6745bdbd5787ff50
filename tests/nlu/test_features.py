"""Structure the intent features carry: corrections ruled out, the last clause, romanized pinyin."""

from kefu.nlu.features import ask_clause, extract_features, split_corrections
from kefu.nlu.pinyin import romanized_syllables, split_word


def test_a_correction_rules_out_what_it_negates_and_keeps_the_ask() -> None:
    kept, ruled_out = split_corrections("不是要退货,就想问钱什么时候到账")
    assert ruled_out == ["不是要退货"]
    assert kept == ["就想问钱什么时候到账"]
    kept, ruled_out = split_corrections("don't cancel it, just change the address")
    assert ruled_out == ["don't cancel it"] and kept == ["just change the address"]


def test_a_message_that_only_negates_is_not_ruled_out_whole() -> None:
    # "不要了" alone means cancel; nothing else is left to be the ask
    assert split_corrections("不要了") == (["不要了"], [])
    # questions and "the other one" are not corrections
    assert split_corrections("你好,是不是发货了")[1] == []
    assert split_corrections("在吗,别的颜色还有吗")[1] == []


def test_ruled_out_words_do_not_count_as_the_ask() -> None:
    feats = extract_features("别取消,改个地址", ["别", "取消", "改", "个", "地址"], str.split)
    assert "c:取消" not in feats and "n:c:取消" in feats
    assert "c:地址" in feats


def test_the_last_clause_of_a_long_message_is_marked() -> None:
    feats = extract_features(
        "我上周买的,快递到哪了", ["我", "上周", "买", "的", "快递", "到", "哪", "了"]
    )
    assert "Lc:快递" in feats and "Lc:上周" not in feats


def test_romanized_pinyin_splits_into_syllables_and_english_does_not() -> None:
    assert split_word("tuikuan") == ("tui", "kuan")
    assert romanized_syllables("kuaidi dao na le") == ["kuai", "di", "dao", "na", "le"]
    assert romanized_syllables("where is my parcel") is None
    assert romanized_syllables("tracking number查不到") is None


def test_romanized_message_shares_pinyin_features_with_the_chinese_it_spells() -> None:
    chinese = set(extract_features("退款", ["退款"]))
    romanized = set(extract_features("tuikuan", ["tuikuan"]))
    assert "p:tui_kuan" in chinese & romanized


def test_the_ask_is_the_last_question_even_when_context_follows_it() -> None:
    text = "could you check my refund? the return reached you last week."
    assert ask_clause([text]) == "could you check my refund"
    assert ask_clause(["我上周买的,快递到哪了"]) == "快递到哪了"


def test_naming_another_marketplace_or_service_is_a_feature_of_its_own() -> None:
    assert "o:elsewhere" in extract_features("拼多多的快递到哪了", ["拼多多", "快递"])
    assert "o:elsewhere" in extract_features("my uber ride was late", ["my", "uber"])
    # the name must stand alone: "tuber" is not uber
    assert "o:elsewhere" not in extract_features("potato tuber", ["potato", "tuber"])
    assert "o:elsewhere" not in extract_features("快递到哪了", ["快递"])


def test_not_wanting_it_any_more_or_a_question_is_the_ask_not_a_correction() -> None:
    assert split_corrections("手机用了二十多天了,不想要了能退吗")[1] == []
    assert split_corrections("不要了,取消吧")[1] == []
    assert split_corrections("不想换了,直接退货吧")[1] == ["不想换了"]
