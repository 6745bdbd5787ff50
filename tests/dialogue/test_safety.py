from kefu.dialogue.safety import SafetyFilter


def test_absolute_claims_are_replaced_and_profanity_masked() -> None:
    safety = SafetyFilter()
    cleaned = safety.clean("这是全网第一、最好的面霜，100%有效，傻逼才不买")
    for banned in ("第一", "最好", "100%有效", "傻逼"):
        assert banned not in cleaned


def test_ordinary_words_that_contain_a_banned_one_stay() -> None:
    text = "第二件半价，第一件原价；有结果第一时间通知您"
    assert SafetyFilter().clean(text) == text


def test_abuse_is_recognised_case_insensitively() -> None:
    assert SafetyFilter().is_abusive("You IDIOT")
    assert not SafetyFilter().is_abusive("谢谢你")
